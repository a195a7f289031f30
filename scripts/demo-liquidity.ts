/**
 * The demo's liquidity part (issue 8, called by scripts/demo.ts): the admin creates a market with
 * `/newmarket`, choosing its house liquidity (1 000 ₽) and opening price (50 %), and another user
 * buys YES · Market 100 ₽ on it at once: the house maker is the other side, nobody else trades.
 */
import { formatKop } from '../infra/format';
import { labelPrefix, template, type ChatDriver, type Person } from './demo-chat';

/** Locale text up to its first variable, without HTML tags: what a message visibly starts with. */
function visible(lang: 'ru' | 'en', key: string): string {
  return template(lang, key).replace(/<[^>]+>/g, '').split(/\{\{|\$t\(|\n/)[0]!.trim();
}

/**
 * Plays it. @returns the new market's id.
 * @throws when a step does not happen (the demo then fails), e.g. the market buy does not fill.
 */
export async function playNewMarketDemo(chat: ChatDriver, admin: Person, buyer: Person): Promise<number> {
  const a = admin.lang;
  await chat.say(admin, '/newmarket');
  await chat.expect(admin, { textIncludes: visible(a, 'newmarket.ask_title') });
  await chat.say(admin, 'Will the Moscow river freeze by 1 December 2030?');
  await chat.expect(admin, { textIncludes: visible(a, 'newmarket.ask_description') });
  await chat.say(admin, 'YES if Mosgidromet reports ice cover in central Moscow by 01.12.2030.');
  await chat.expect(admin, { textIncludes: visible(a, 'newmarket.ask_category') });
  await chat.tap(admin, { prefix: template(a, 'category.weather') });
  await chat.expect(admin, { textIncludes: visible(a, 'newmarket.ask_deadline') });
  await chat.say(admin, '30.11.2030 18:00');
  await chat.expect(admin, { textIncludes: visible(a, 'liquidity.ask_budget') });
  await chat.tap(admin, { exact: formatKop(100_000, a, { compact: true }) });
  await chat.expect(admin, { textIncludes: visible(a, 'liquidity.ask_price') });
  await chat.tap(admin, { exact: '50%' });
  const confirm = await chat.expect(admin, { textIncludes: visible(a, 'newmarket.confirm') });
  await chat.tap(admin, { exact: template(a, 'newmarket.create') }, confirm.messageId);
  const created = await chat.expect(admin, { messageId: confirm.messageId, textIncludes: '#', edited: true });
  const id = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
  if (!id) throw new Error('/newmarket did not create a market');

  const b = buyer.lang;
  await chat.say(buyer, `/start m${id}`);
  const card = await chat.expect(buyer, { hasPhoto: true });
  await chat.tap(buyer, { prefix: labelPrefix(b, 'card.buy_yes') }, card.messageId);
  const ask = await chat.expect(buyer, { hasKeyboard: true });
  await chat.tap(buyer, { exact: formatKop(10_000, b, { compact: true }) }, ask.messageId);
  await chat.expect(buyer, { messageId: ask.messageId, textIncludes: visible(b, 'order.size_amount') });
  await chat.tap(buyer, { prefix: labelPrefix(b, 'order.market_buy_button') }, ask.messageId);
  await chat.expect(buyer, { messageId: ask.messageId, textIncludes: visible(b, 'order.preview_title') });
  await chat.tap(buyer, { exact: template(b, 'order.confirm') }, ask.messageId);
  await chat.expect(buyer, { messageId: ask.messageId, textIncludes: visible(b, 'result.bought') });
  return id;
}
