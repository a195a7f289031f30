import { Composer } from 'telegraf';
import { MAKER_REBATE_BPS, MIN_NOTIONAL_KOP, TAKER_FEE_SCHEDULE } from '../../domain/exchange';
import { MIN_DEPOSIT } from '../../domain/services/payments';
import { setLanguage } from '../../domain/services/users';
import { formatBps } from '../../infra/format';
import { LANGUAGES } from '../../infra/i18n';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, htmlExtra, show } from '../ui';
import { LANGUAGE_NAME_KEY } from '../../messages/labels';
import { homeRow, mainMenu } from '../views/menu';
import { sendMarketCard } from '../views/market-card';
import { marketOfPayload, refCodeOfPayload, SETTINGS_PAYLOAD } from '../../messages/links';
import { attributeReferral } from '../../domain/services/referrals';
import { showSettings } from './settings';

/** /start (with deep links), /help, /language and the main menu. */
export function startFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();

  // Deep links (messages/links.ts): `m<id>` opens a market, `settings` the settings. Someone arriving
  // for the first time (from a group card, say) is welcomed first, then taken where the link points.
  // `ref_<code>` (issue 12) attributes the newcomer to the inviter: only on the /start that created
  // their account, so someone who already used the bot is never attributed (domain/services/referrals.ts).
  c.start(async (ctx) => {
    const marketId = marketOfPayload(ctx.payload);
    const target = marketId !== null || ctx.payload === SETTINGS_PAYLOAD;
    if (!target || ctx.isNewUser) await ctx.reply(ctx.t('start.welcome', { name: ctx.from.first_name }), htmlExtra(target ? [] : mainMenu(ctx)));
    const refCode = refCodeOfPayload(ctx.payload);
    if (refCode !== null && ctx.isNewUser) {
      const r = await attributeReferral(rt.ds, ctx.user.id, refCode);
      const reward = rt.config.referral.rewardKop;
      if (r.outcome === 'attributed') await ctx.reply(ctx.t(reward > 0 ? 'invite.welcome_reward' : 'invite.welcome', { reward }), htmlExtra());
    }
    if (marketId !== null) await sendMarketCard(rt, ctx, marketId);
    else if (ctx.payload === SETTINGS_PAYLOAD) await showSettings(ctx);
  });
  c.command('menu', (ctx) => ctx.reply(ctx.t('menu.title'), htmlExtra(mainMenu(ctx))));
  // The stage has already ended any scene when a command arrives; this only confirms it.
  c.command('cancel', (ctx) => ctx.reply(ctx.t('menu.cancelled'), htmlExtra(mainMenu(ctx))));
  onButton(c, cb.home, (ctx) => show(ctx, ctx.t('menu.title'), mainMenu(ctx)));

  // The numbers come from the domain's schedules, so the help text cannot drift from the rules.
  const help = (ctx: BotContext) => show(ctx, ctx.t('help.text', {
    fees: TAKER_FEE_SCHEDULE.map((step) => formatBps(step.bps, ctx.lang)).join(' \u2192 '),
    rebate: MAKER_REBATE_BPS, minOrder: MIN_NOTIONAL_KOP, minDeposit: MIN_DEPOSIT, bot: ctx.botInfo.username,
  }), [homeRow(ctx)]);
  c.help(help);
  onButton(c, cb.help, help);

  const languages = (ctx: BotContext) =>
    show(ctx, ctx.t('language.choose'), [
      LANGUAGES.map((lang) => button(ctx.tp(LANGUAGE_NAME_KEY[lang]), cb.language.encode({ lang }))),
      homeRow(ctx),
    ]);
  c.command('language', languages);
  onButton(c, cb.languages, languages);
  onButton(c, cb.language, async (ctx, { lang }) => {
    await setLanguage(rt.ds.manager, ctx.user.id, lang);
    ctx.lang = lang;
    await show(ctx, ctx.t('language.changed'), mainMenu(ctx));
  });

  return c;
}
