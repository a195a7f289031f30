/**
 * The demo's group part (called by scripts/demo.ts after the private chats): two users in a group;
 * one looks up markets through inline mode and creates a group prediction with `/predict` (its
 * ante funds the house maker: no seeded orders), the other bets on it with two taps and fills at
 * once, the card is edited in place with the new price, and a digest is posted to a channel (its
 * job run at once, not on its cron). Prints the log in the demo's chat-log style.
 */
import type { SimClient } from '../tools/botapi/client';
import type { InlineAnswer, SimMessage } from '../tools/botapi/sim-types';
import { loadConfig } from '../infra/config';
import { runDigestNow } from '../workers/digests';

const WAIT_MS = 30_000;
/** The group's own prediction (`/predict`) and its deadline, Moscow time. */
const PREDICTION = 'Will it snow in Moscow on New Year\'s Eve?';
const PREDICTION_DEADLINE = '31.12.2030 18:00';

export interface GroupDemoPerson {
  id: number;
  name: string;
}

export interface GroupDemoContext {
  /** HTTP driver of the local Bot API's simulated world. */
  sim: SimClient;
  botUsername: string;
  /** Both have started the bot and have money (`ru` at least the ante, 100 ₽; `en` the quick-bet stake). */
  users: { ru: GroupDemoPerson; en: GroupDemoPerson };
  /** Prints one line of the chat log. */
  log: (line: string) => void;
  saveImage: (name: string, png: Buffer) => Promise<void>;
  /** An open market (seeded) that inline mode must list. */
  marketId: number;
  /** The digest channel; created here when absent (the bot joins it as an administrator). */
  channelId?: number;
  /**
   * Where the workers run (the digest job is added to their queue): Redis URL and QUEUE_PREFIX.
   * Default: REDIS_URL and QUEUE_PREFIX of this process's environment.
   */
  redisUrl?: string;
  queuePrefix?: string;
  /** To download the posted digest image (getFile): TELEGRAM_API_ROOT and BOT_TOKEN; default: this process's environment. */
  apiRoot?: string;
  botToken?: string;
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}

function buttonsOf(m: { replyMarkup?: unknown }): string[] {
  const kb = (m.replyMarkup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? [];
  return kb.flat().map((b) => b.text);
}

function printMessage(log: GroupDemoContext['log'], head: string, m: SimMessage): void {
  log(head);
  log(indent(m.text ?? m.caption ?? ''));
  const kb = buttonsOf(m);
  if (kb.length > 0) log(indent(kb.map((b) => `[${b}]`).join(' ')));
}

async function download(apiRoot: string, token: string, fileId: string): Promise<Buffer> {
  const meta = (await (await fetch(`${apiRoot}/bot${token}/getFile?file_id=${encodeURIComponent(fileId)}`)).json()) as { result: { file_path: string } };
  return Buffer.from(await (await fetch(`${apiRoot}/file/bot${token}/${meta.result.file_path}`)).arrayBuffer());
}

/**
 * Plays the group part. @returns quick bets placed and digests posted.
 * @throws when the bot does not do what the step expects (the demo then fails).
 */
export async function playGroupDemo(ctx: GroupDemoContext): Promise<{ trades: number; digests: number }> {
  const { sim, log, users } = ctx;
  const config = loadConfig({ ...process.env, ...(ctx.redisUrl ? { REDIS_URL: ctx.redisUrl } : {}), ...(ctx.queuePrefix ? { QUEUE_PREFIX: ctx.queuePrefix } : {}) });
  const title = 'Forecast Friends';
  const tag = `[group "${title}"]`;
  log('\n== Groups, inline mode and the channel digest ==');

  log(`\n${tag} ${users.ru.name} creates the group and adds ${users.en.name} and @${ctx.botUsername}`);
  const group = await sim.createGroup({ title, creatorId: users.ru.id, memberIds: [users.en.id] });
  printMessage(log, `${tag} 🤖 bot:`, await sim.waitForBotMessage(group.id, { textIncludes: '/predict' }, WAIT_MS, { since: 0 }));

  log(`\n${tag} ${users.ru.name}: @${ctx.botUsername} `);
  const query = await sim.inlineQuery({ userId: users.ru.id, query: '', chatId: group.id });
  const answer: InlineAnswer = await sim.waitForInlineAnswer(query.inlineQueryId, WAIT_MS);
  log(indent(`(inline answer: ${answer.results.length} market(s), trending first: ${answer.results.slice(0, 3).map((r) => ('title' in r ? r.title : r.id)).join(' · ')} …)`));
  if (!answer.results.some((r) => r.id === `m${ctx.marketId}`)) throw new Error(`market ${ctx.marketId} is not among the inline results`);

  // A prediction of the group's own: the creator's ante (100 ₽ by default) funds its house maker.
  const predict = `/predict ${PREDICTION} | ${PREDICTION_DEADLINE}`;
  log(`\n${tag} ${users.ru.name}: ${predict}`);
  const sent = await sim.sendText({ userId: users.ru.id, chatId: group.id, text: predict });
  const card = await sim.waitForBotMessage(group.id, { textIncludes: PREDICTION }, WAIT_MS, { since: sent.seq });
  printMessage(log, `${tag} 🤖 bot:`, card);

  const yes = buttonsOf(card)[0]!;
  const tap = async (): Promise<string> => {
    log(`\n${tag} ${users.en.name} taps [${yes}]`);
    const pressed = await sim.pressButton({ userId: users.en.id, chatId: group.id, messageId: card.messageId, text: yes });
    const notice = await sim.waitForCallbackAnswer(pressed.callbackQueryId, WAIT_MS);
    log(indent(`🔔 ${notice.showAlert ? '(alert) ' : ''}${notice.text ?? ''}`));
    return notice.text ?? '';
  };
  await tap();
  const placed = await tap();
  if (!placed.startsWith('✅')) throw new Error(`the quick bet was not placed: ${placed}`);
  const edited = await sim.waitForBotMessage(group.id, { messageId: card.messageId, edited: true }, WAIT_MS, { since: card.seq });
  printMessage(log, `\n${tag} 🤖 bot (edits the card in place):`, edited);

  const channelId = ctx.channelId ?? (await sim.createChannel({ title: 'Pravda Market Digest', creatorId: users.ru.id })).id;
  log(`\n[channel] the digest job runs now instead of waiting for its cron (${config.digestCron}, Moscow time)`);
  const outcome = await runDigestNow(config.redisUrl, config.queuePrefix, { channelId, cron: config.digestCron, lang: config.digestLang }, WAIT_MS);
  if (outcome !== 'posted') throw new Error(`the digest was not posted: ${outcome}`);
  const post = await sim.waitForBotMessage(channelId, { hasPhoto: true }, WAIT_MS, { since: 0 });
  const apiRoot = ctx.apiRoot ?? config.apiRoot;
  const token = ctx.botToken ?? config.botToken;
  await ctx.saveImage('digest.png', await download(apiRoot, token, post.photoFileId!));
  printMessage(log, '[channel] 🤖 bot: 📷 digest.png', post);
  // A second run in the same period posts nothing more.
  log(indent(`(the job run again: ${await runDigestNow(config.redisUrl, config.queuePrefix, { channelId, cron: config.digestCron, lang: config.digestLang }, WAIT_MS)})`));
  return { trades: 1, digests: 1 };
}
