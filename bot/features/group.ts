/**
 * The bot in group chats: `/predict` creates a market of the group (question, deadline, optional
 * description) and posts its card there; /start, /help and the bot being added explain what it
 * does here; /settings points to the private chat.
 *
 * `/predict Question? | 31.12.2026 18:00 | description` does it in one message; a fourth part that
 * is an amount sets the ante (`| 250`; GROUP_ANTE by default), which funds the market's house maker
 * and is taken from the creator's balance (not enough: nothing is created). `/predict` alone
 * (or with only the question) asks for the rest, one reply at a time: the bot's questions use
 * ForceReply, so the answer is a reply to the bot, which groups deliver to it even in privacy mode
 * (https://core.telegram.org/bots/features#privacy-mode). The wizard's state is kept in Redis per
 * (chat, user), not in the session: groups have no scenes.
 */
import { Composer } from 'telegraf';
import { message } from 'telegraf/filters';
import type { ForceReply, InlineKeyboardMarkup } from 'telegraf/types';
import { z } from 'zod';
import { kop, parseRubToKop } from '../../domain/money';
import { cardFactsOf } from '../../domain/read/card-facts';
import { trackCard } from '../../domain/services/cards';
import { createGroupMarket, GROUP_MARKET_CATEGORY } from '../../domain/services/group-markets';
import { checkFunding, DEFAULT_OPENING_PRICE } from '../../domain/services/liquidity';
import { checkNewMarket } from '../../domain/services/markets';
import type { BotContext } from '../context';
import { awardAchievements } from '../../domain/services/achievements';
import { announceAchievements } from './profile';
import { SETTINGS_PAYLOAD, startLink } from '../../messages/links';
import { parseDeadline } from '../parse';
import type { BotRuntime } from '../runtime';
import { failureText } from '../ui';
import { sharedCardMarkup, sharedCardModel, sharedCardText } from '../../messages/shared-card';

/** An unfinished /predict waits this long for its next reply. */
const WIZARD_TTL_SEC = 15 * 60;
/** Separator of the one-line syntax. */
const FIELD_SEPARATOR = '|';
/** The description step's "skip" answer. */
const NO_DESCRIPTION = '-';
/** Start payload of links that only need the bot started (plain welcome). */
const GROUP_START_PAYLOAD = 'group';

const draftSchema = z.object({
  title: z.string().optional(),
  /** ISO instant. */
  deadline: z.string().datetime().optional(),
  /** '' when skipped. */
  description: z.string().optional(),
  /** The ante funding the house maker, kop (default GROUP_ANTE). */
  anteKop: z.number().int().positive().optional(),
  /** Whether to ask for a description (a step-by-step /predict) or go without one ("question | deadline"). */
  askDescription: z.boolean(),
  /** The bot's question the next reply must answer. */
  promptId: z.number().int().optional(),
});
type Draft = z.infer<typeof draftSchema>;

/** The question and the input field hint (Bot API ForceReply: 1-64 characters) of each step. */
const STEP_KEYS = {
  title: { ask: 'group.ask_title', placeholder: 'group.placeholder_title' },
  deadline: { ask: 'group.ask_deadline', placeholder: 'group.placeholder_deadline' },
  description: { ask: 'ante.ask_description', placeholder: 'group.placeholder_description' },
} as const;

function wizardKey(rt: BotRuntime, ctx: BotContext): string {
  return rt.key('predict', ctx.chat!.id, ctx.from!.id);
}

function openBotMarkup(ctx: BotContext, payload: string): InlineKeyboardMarkup {
  return { inline_keyboard: [[{ text: ctx.tp('inline.open_bot'), url: startLink(ctx.botInfo.username, payload) }]] };
}

/** Replies to the message being answered, in HTML. */
async function reply(ctx: BotContext, html: string, markup?: InlineKeyboardMarkup | ForceReply): Promise<number> {
  const to = ctx.message?.message_id;
  const sent = await ctx.reply(html, {
    parse_mode: 'HTML', link_preview_options: { is_disabled: true },
    ...(to ? { reply_parameters: { message_id: to, allow_sending_without_reply: true } } : {}),
    ...(markup ? { reply_markup: markup } : {}),
  });
  return sent.message_id;
}

/** Asks for the draft's next missing piece (ForceReply, for this user only), or creates the market. */
async function continueDraft(rt: BotRuntime, ctx: BotContext, draft: Draft): Promise<void> {
  const step = draft.title === undefined ? 'title' : draft.deadline === undefined ? 'deadline'
    : draft.description === undefined && draft.askDescription ? 'description' : null;
  if (step === null) {
    await rt.redis.del(wizardKey(rt, ctx));
    return create(rt, ctx, draft);
  }
  const promptId = await reply(ctx, ctx.t(STEP_KEYS[step].ask, { skip: NO_DESCRIPTION, ante: draft.anteKop ?? rt.config.liquidity.groupAnteKop }), {
    force_reply: true, selective: true, input_field_placeholder: ctx.tp(STEP_KEYS[step].placeholder),
  });
  await rt.redis.set(wizardKey(rt, ctx), JSON.stringify({ ...draft, promptId } satisfies Draft), { EX: WIZARD_TTL_SEC });
}

/**
 * The draft with `value` as its next missing field (question, deadline, then description: "-"
 * skips it), or null, after saying why, when the value is refused.
 */
async function parseInto(ctx: BotContext, draft: Draft, value: string): Promise<Draft | null> {
  if (draft.title === undefined) {
    const check = checkNewMarket({ title: value, category: GROUP_MARKET_CATEGORY, deadline: new Date(Date.now() + 86_400_000), createdBy: null });
    if (check.ok) return { ...draft, title: value };
    await reply(ctx, failureText(ctx, check));
    return null;
  }
  if (draft.deadline === undefined) {
    const deadline = parseDeadline(value);
    if (!deadline) {
      await reply(ctx, ctx.t('errors.deadline_format'));
      return null;
    }
    const check = checkNewMarket({ title: draft.title, category: GROUP_MARKET_CATEGORY, deadline, createdBy: null });
    if (check.ok) return { ...draft, deadline: deadline.toISOString() };
    await reply(ctx, failureText(ctx, check));
    return null;
  }
  // Step by step, the description's reply may end with "| ante" (the one-line form has its own part).
  const { rest, anteKop } = draft.askDescription ? splitAnte(value) : { rest: value, anteKop: undefined };
  if (anteKop !== undefined && !(await anteAccepted(ctx, anteKop))) return null;
  return { ...draft, description: rest === NO_DESCRIPTION ? '' : rest, ...(anteKop !== undefined ? { anteKop } : {}) };
}

/** "text | amount": the text and the ante (kop) when the last part is an amount; else the text as it is. */
function splitAnte(value: string): { rest: string; anteKop?: number } {
  const at = value.lastIndexOf(FIELD_SEPARATOR);
  if (at < 0) return { rest: value };
  const amount = parseRubToKop(value.slice(at + 1));
  return amount === null ? { rest: value } : { rest: value.slice(0, at).trim(), anteKop: amount };
}

/** Whether the ante is within its limits (the balance is checked when it is taken); else says why. */
async function anteAccepted(ctx: BotContext, anteKop: number): Promise<boolean> {
  const check = checkFunding(anteKop, DEFAULT_OPENING_PRICE);
  if (!check.ok) await reply(ctx, failureText(ctx, check));
  return check.ok;
}

/** Creates the group's market and posts its card; the card is then kept up to date like inline ones. */
async function create(rt: BotRuntime, ctx: BotContext, draft: Draft): Promise<void> {
  const r = await createGroupMarket(rt.ds, {
    title: draft.title ?? '', description: draft.description ?? '', category: GROUP_MARKET_CATEGORY,
    deadline: new Date(draft.deadline ?? 0), createdBy: ctx.account!.id, chatId: ctx.chat!.id,
    liquidityKop: kop(draft.anteKop ?? rt.config.liquidity.groupAnteKop),
  });
  if (!r.ok) {
    // The ante is taken in the same transaction as the market is made: not enough, nothing made.
    await reply(ctx, r.code === 'insufficient_funds'
      ? ctx.t('ante.insufficient', { ...r.vars, bot: ctx.botInfo.username })
      : failureText(ctx, r));
    return;
  }
  const facts = (await cardFactsOf(rt.ds.manager, [r.market.id])).get(r.market.id)!;
  const card = sharedCardModel(facts);
  const sent = await ctx.reply(sharedCardText(ctx.lang, card), {
    parse_mode: 'HTML', link_preview_options: { is_disabled: true }, reply_markup: sharedCardMarkup(ctx.lang, card, ctx.botInfo.username),
  });
  await trackCard(rt.ds.manager, { chatId: sent.chat.id, messageId: sent.message_id }, {
    marketId: r.market.id, language: ctx.lang, postedByTelegramId: ctx.from!.id,
  });
  await announceAchievements(rt, ctx, await awardAchievements(rt.ds, [ctx.account!.id], { groupChatId: ctx.chat!.id, only: ['group_market'] }));
}

/** `/predict [question [| deadline [| description]]]`: takes what was typed, asks for what is missing. */
async function predict(rt: BotRuntime, ctx: BotContext, payload: string): Promise<void> {
  if (!ctx.account || ctx.account.blockedAt) {
    await reply(ctx, ctx.t('group.start_first', { bot: ctx.botInfo.username }), openBotMarkup(ctx, GROUP_START_PAYLOAD));
    return;
  }
  let fields = payload.trim() === '' ? [] : payload.split(FIELD_SEPARATOR).map((f) => f.trim());
  // "Question | deadline | description | ante": a fourth part that is an amount is the ante.
  let anteKop: number | undefined;
  const last = fields.length >= 4 ? parseRubToKop(fields[fields.length - 1]) : null;
  if (last !== null) {
    if (!(await anteAccepted(ctx, last))) return;
    anteKop = last;
    fields = fields.slice(0, -1);
  }
  // A description may itself contain the separator: everything after the second one is the description.
  const values = fields.length > 3 ? [...fields.slice(0, 2), fields.slice(2).join(` ${FIELD_SEPARATOR} `)] : fields;
  // "Question | deadline" is complete; only a step-by-step /predict asks for a description.
  let draft: Draft = { askDescription: fields.length < 2, ...(anteKop !== undefined ? { anteKop } : {}) };
  for (const value of values) {
    const next = await parseInto(ctx, draft, value);
    if (!next) break;
    draft = next;
  }
  await continueDraft(rt, ctx, draft);
}

/** What the bot does in groups, with a button into the private chat. */
async function groupHelp(ctx: BotContext): Promise<void> {
  await reply(ctx, ctx.t('group.help', { bot: ctx.botInfo.username }), openBotMarkup(ctx, GROUP_START_PAYLOAD));
}

export function groupFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('predict', (ctx) => predict(rt, ctx, ctx.payload));
  c.command(['start', 'help'], groupHelp);
  c.command('settings', (ctx) => reply(ctx, ctx.t('group.settings_private'), openBotMarkup(ctx, SETTINGS_PAYLOAD)));
  c.command('cancel', async (ctx) => {
    const had = await rt.redis.del(wizardKey(rt, ctx));
    if (had > 0) await reply(ctx, ctx.t('group.cancelled'));
  });
  // Answers to the wizard's questions: replies to the bot's prompt by the user it asked.
  c.on(message('text'), async (ctx, next) => {
    const to = ctx.message.reply_to_message;
    if (!to || to.from?.id !== ctx.botInfo.id) return next();
    const raw = await rt.redis.get(wizardKey(rt, ctx));
    const parsed = raw ? draftSchema.safeParse(JSON.parse(raw)) : null;
    if (!parsed?.success || parsed.data.promptId !== to.message_id || !ctx.account) return next();
    const draft = parsed.data;
    await continueDraft(rt, ctx, (await parseInto(ctx, draft, ctx.message.text.trim())) ?? draft);
  });
  // Added to a group: say what the bot does there (Bot API my_chat_member, the bot's own status).
  c.on('my_chat_member', async (ctx) => {
    const { old_chat_member: before, new_chat_member: after } = ctx.myChatMember;
    const joined = (before.status === 'left' || before.status === 'kicked') && (after.status === 'member' || after.status === 'administrator');
    if (joined && ctx.chat?.type !== 'channel') await groupHelp(ctx);
  });
  return c;
}
