/**
 * The bot's context: Telegraf's Context plus the user, the language and the scene session.
 * Installed with Telegraf's `contextType` option, so every update gets one.
 */
import { Context, type Scenes } from 'telegraf';
import type { User } from '../domain/entities';
import { DEFAULT_LANGUAGE, t, th, type Language, type Vars } from '../infra/i18n';

/** Scene bookkeeping kept in the session (scene id, expiry, the scene's own UI state). */
export type BotSceneSession = Scenes.SceneSessionData;

/**
 * The Redis session (STYLE §8, thin): only UI state, i.e. which scene the chat is in and that
 * scene's draft. Never balances or anything the database owns.
 */
export type BotSession = Scenes.SceneSession<BotSceneSession>;

export class BotContext extends Context {
  declare session: BotSession;
  declare scene: Scenes.SceneContextScene<BotContext, BotSceneSession>;
  /** The sender's account; set by the user middleware for every update that reaches features. */
  declare user: User;
  /**
   * The sender's account wherever the update comes from: in private chats the same as `user`;
   * in groups and inline mode, null for someone who never started the bot (no account is made
   * for them there).
   */
  account: User | null = null;
  /** True when this update created the sender's account (their first contact: a /start). */
  isNewUser = false;
  /** Interface language of the sender (their stored choice; ru until known). */
  lang: Language = DEFAULT_LANGUAGE;
  /** Whether the callback query of this update got its answer (the error boundary answers otherwise). */
  callbackAnswered = false;
  /** This update's shared reads, by key (see `once`). */
  readonly reads = new Map<string, Promise<unknown>>();

  /**
   * `load()` at most once per update under `key`: several steps of one handler that need the same
   * row (a market, say) share one read. Only for reads the handler does not change afterwards.
   */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.reads.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.reads.set(key, p);
    }
    return p;
  }

  /** A text for a message sent with `parse_mode: 'HTML'` (variables escaped). */
  t(key: string, vars?: Vars): string {
    return th(this.lang, key, vars);
  }

  /** A plain text: buttons, callback answers, invoices. */
  tp(key: string, vars?: Vars): string {
    return t(this.lang, key, vars);
  }

  override answerCbQuery(...args: Parameters<Context['answerCbQuery']>): Promise<true> {
    this.callbackAnswered = true;
    return super.answerCbQuery(...args);
  }
}
