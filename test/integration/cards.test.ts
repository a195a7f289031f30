/** Posted cards (domain/services/cards.ts): tracking once, lanes shared per chat, stale-state sweep. */
import type { DataSource } from 'typeorm';
import { marketsWithStaleCards } from '../../domain/read/card-facts';
import { activeCards, learnChatInstance, markShown, trackCard } from '../../domain/services/cards';
import { freshDatabase } from '../helpers/db';
import { openMarket } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('cards')));
afterAll(async () => drop());

const GROUP = -1001234567890;
const lanes = async (marketId: number) => new Map((await activeCards(ds.manager, marketId)).map((c) => [c.inlineMessageId ?? `${c.chatId}:${c.messageId}`, c.laneId]));

test('a card is tracked once; a forged market id tracks nothing', async () => {
  const market = await openMarket(ds, 'Will it rain tomorrow?');
  for (let i = 0; i < 2; i++) await trackCard(ds.manager, { inlineMessageId: 'once' }, { marketId: market, language: 'ru', postedByTelegramId: 1 });
  await trackCard(ds.manager, { inlineMessageId: 'forged' }, { marketId: 999_999, language: 'ru', postedByTelegramId: 1 });
  expect((await activeCards(ds.manager, market)).map((c) => c.inlineMessageId)).toEqual(['once']);
  expect(await ds.query(`SELECT 1 FROM posted_cards WHERE inline_message_id = 'forged'`)).toEqual([]);
});

test('cards seen in one chat (one chat_instance) share a lane: the group itself once a group message is among them', async () => {
  const market = await openMarket(ds, 'Will it snow tomorrow?');
  const post = { marketId: market, language: 'en' as const, postedByTelegramId: 2 };
  await trackCard(ds.manager, { inlineMessageId: 'a' }, post);
  await trackCard(ds.manager, { inlineMessageId: 'b' }, post);
  await trackCard(ds.manager, { inlineMessageId: 'elsewhere' }, post);
  await trackCard(ds.manager, { chatId: GROUP, messageId: 7 }, post);
  const before = await lanes(market);
  expect(new Set([before.get('a'), before.get('b'), before.get('elsewhere')]).size).toBe(3);
  for (const lane of [before.get('a'), before.get('b')]) expect(lane!).toBeLessThan(-(2 ** 52));
  expect(before.get(`${GROUP}:7`)).toBe(GROUP);

  await learnChatInstance(ds.manager, { inlineMessageId: 'a' }, 'chat-1');
  await learnChatInstance(ds.manager, { inlineMessageId: 'b' }, 'chat-1');
  const shared = await lanes(market);
  expect(shared.get('b')).toBe(before.get('a'));

  await learnChatInstance(ds.manager, { chatId: GROUP, messageId: 7 }, 'chat-1');
  const grouped = await lanes(market);
  expect([grouped.get('a'), grouped.get('b'), grouped.get(`${GROUP}:7`)]).toEqual([GROUP, GROUP, GROUP]);
  expect(grouped.get('elsewhere')).toBe(before.get('elsewhere'));
});

test('the sweep finds cards whose market changed state outside trading; a settled market\'s cards retire', async () => {
  const market = await openMarket(ds, 'Will the sun rise?');
  await trackCard(ds.manager, { inlineMessageId: 'sun' }, { marketId: market, language: 'ru', postedByTelegramId: 3 });
  const [card] = await activeCards(ds.manager, market);
  expect(await marketsWithStaleCards(ds.manager)).toContain(market);
  await markShown(ds.manager, card!.id, { hash: 'h1', state: 'open', final: false });
  expect(await marketsWithStaleCards(ds.manager)).not.toContain(market);
  await ds.query(`UPDATE markets SET deadline = now() - interval '1 minute' WHERE id = $1`, [market]);
  expect(await marketsWithStaleCards(ds.manager)).toContain(market);
  await markShown(ds.manager, card!.id, { hash: 'h2', state: 'settled', final: true });
  expect(await activeCards(ds.manager, market)).toEqual([]);
});
