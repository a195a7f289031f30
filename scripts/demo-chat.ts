import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimClient } from '../tools/botapi/client';
import type { MessageMatch, SimMessage } from '../tools/botapi/sim-types';
import en from '../locales/en.json';
import ru from '../locales/ru.json';

type Lang = 'ru' | 'en';
const LOCALES: Record<Lang, unknown> = { ru, en };

/** The raw text of a locale key (a template), for finding buttons whose labels carry numbers. */
export function template(lang: Lang, key: string): string {
  const v = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], LOCALES[lang]);
  if (typeof v !== 'string') throw new Error(`no locale text ${lang}:${key}`);
  return v;
}

/** The fixed part of a label before its first variable: "✅ Купить ДА · {{price}}" → "✅ Купить ДА · ". */
export function labelPrefix(lang: Lang, key: string): string {
  return template(lang, key).split('{{')[0]!;
}

export interface Person {
  id: number;
  name: string;
  /** ASCII name for image files. */
  slug: string;
  lang: Lang;
}

function buttonsOf(m: SimMessage): string[] {
  const kb = (m.replyMarkup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? [];
  return kb.flat().map((b) => b.text);
}

const WAIT_MS = 30_000;

/**
 * Plays people in private chats through the simulator over HTTP and prints the conversation as
 * a readable chat log: who said what, which button was pressed, which photo was sent.
 */
export class ChatDriver {
  private readonly printed = new Map<string, number>();
  images = 0;

  constructor(
    private readonly sim: SimClient,
    private readonly apiRoot: string,
    private readonly token: string,
    private readonly outDir: string,
    private readonly out: (line: string) => void,
  ) {}

  /** The person types a message (or a command). */
  async say(p: Person, text: string): Promise<number> {
    this.out(`\n💬 ${p.name}: ${text}`);
    return (await this.sim.sendText({ userId: p.id, text })).seq;
  }

  /** The person taps a button on a message (exact label, or the first label starting with `prefix`). */
  async tap(p: Person, label: { exact?: string; prefix?: string }, messageId?: number): Promise<number> {
    const msgs = await this.sim.messages(p.id);
    const target = [...msgs].reverse().find((m) => m.fromBot && !m.deleted && (messageId === undefined || m.messageId === messageId)
      && buttonsOf(m).some((b) => (label.exact !== undefined ? b === label.exact : b.startsWith(label.prefix!))));
    if (!target) throw new Error(`${p.name}: no button ${JSON.stringify(label)} in the chat`);
    const text = buttonsOf(target).find((b) => (label.exact !== undefined ? b === label.exact : b.startsWith(label.prefix!)))!;
    this.out(`\n👆 ${p.name} taps [${text}]`);
    const r = await this.sim.pressButton({ userId: p.id, messageId: target.messageId, text });
    const answer = await this.sim.waitForCallbackAnswer(r.callbackQueryId, WAIT_MS).catch(() => null);
    const notice = (answer as { text?: string } | null)?.text;
    if (notice) this.out(`   🔔 ${notice}`);
    return r.seq;
  }

  /** Waits for the bot to send or edit a message that matches, then prints every new bot message. */
  async expect(p: Person, match: MessageMatch, since?: number): Promise<SimMessage> {
    const m = await this.sim.waitForBotMessage(p.id, match, WAIT_MS, since === undefined ? undefined : { since });
    await this.printNew(p);
    return m;
  }

  /** Prints bot messages (and edits) in the person's chat not printed yet; saves photos. */
  async printNew(p: Person): Promise<void> {
    for (const m of await this.sim.messages(p.id)) {
      if (!m.fromBot || m.deleted) continue;
      const key = `${p.id}:${m.messageId}`;
      if ((this.printed.get(key) ?? -1) >= m.seq) continue;
      const edited = this.printed.has(key);
      this.printed.set(key, m.seq);
      const head = edited ? `🤖 bot → ${p.name} (edits message ${m.messageId}):` : `🤖 bot → ${p.name}:`;
      if (m.photoFileId) {
        const file = await this.savePhoto(m.photoFileId, `${p.slug}-msg${m.messageId}`);
        this.out(`${head} 📷 photo ${file}`);
        if (m.caption) this.out(indent(m.caption));
      } else if (m.invoice) {
        this.out(`${head} 🧾 invoice "${m.invoice.title}" — ${m.invoice.total_amount / 100} ${m.invoice.currency}`);
      } else {
        this.out(head);
        this.out(indent(m.text ?? ''));
      }
      const kb = buttonsOf(m);
      if (kb.length > 0) this.out(indent(kb.map((b) => `[${b}]`).join(' ')));
    }
  }

  /** Pays the latest invoice in the chat (pre-checkout, then the payment). */
  async pay(p: Person): Promise<void> {
    const msgs = await this.sim.messages(p.id);
    const inv = [...msgs].reverse().find((m) => m.invoice);
    if (!inv) throw new Error(`${p.name}: no invoice`);
    this.out(`\n💳 ${p.name} pays the invoice`);
    const r = await this.sim.payInvoice({ userId: p.id, messageId: inv.messageId });
    if (r.status !== 'paid') throw new Error(`${p.name}: payment ${r.status}`);
  }

  private async savePhoto(fileId: string, name: string): Promise<string> {
    const meta = await (await fetch(`${this.apiRoot}/bot${this.token}/getFile?file_id=${encodeURIComponent(fileId)}`)).json() as { result: { file_path: string } };
    const png = Buffer.from(await (await fetch(`${this.apiRoot}/file/bot${this.token}/${meta.result.file_path}`)).arrayBuffer());
    await mkdir(this.outDir, { recursive: true });
    const file = join(this.outDir, `${String(++this.images).padStart(2, '0')}-${name}.png`.replace(/[^\w.-]/g, '_'));
    await writeFile(file, png);
    return file;
  }
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}

/** Strips the HTML tags of a locale text (messages are matched on their visible text). */
function visible(lang: Lang, key: string): string {
  return labelPrefix(lang, key).replace(/<\/?b>/g, '').trim();
}

/**
 * The winner withdraws (issue 9): /withdraw, a typed amount, SBP by phone, the preview, Confirm;
 * the admin approves and marks it paid with a payout reference; the winner hears each step and
 * sees the request on the Balance screen.
 */
export async function playWithdrawal(chat: ChatDriver, winner: Person, admin: Person, amountRub: number): Promise<void> {
  const w = winner.lang;
  await chat.say(winner, '/withdraw');
  await chat.expect(winner, { buttonText: template(w, 'order.cancel') });
  await chat.say(winner, String(amountRub));
  await chat.expect(winner, { buttonText: template(w, 'withdraw.method_sbp') });
  await chat.tap(winner, { exact: template(w, 'withdraw.method_sbp') });
  await chat.expect(winner, { textIncludes: visible(w, 'withdraw.ask_phone').slice(0, 12) });
  await chat.say(winner, '+7 900 123-45-67');
  await chat.expect(winner, { textIncludes: visible(w, 'withdraw.ask_bank').slice(0, 12) });
  await chat.say(winner, 'Sber');
  await chat.expect(winner, { buttonText: template(w, 'withdraw.confirm') });
  await chat.tap(winner, { exact: template(w, 'withdraw.confirm') });
  await chat.expect(winner, { textIncludes: visible(w, 'withdraw.placed').slice(2, 14) });
  await chat.expect(admin, { textIncludes: visible(admin.lang, 'withdraw.admin_new').slice(2) }, 0);
  await chat.tap(admin, { exact: template(admin.lang, 'withdraw.approve') });
  await chat.expect(admin, { buttonText: template(admin.lang, 'withdraw.mark_paid') });
  await chat.tap(admin, { exact: template(admin.lang, 'withdraw.mark_paid') });
  await chat.expect(admin, { textIncludes: visible(admin.lang, 'withdraw.ask_reference').slice(0, 10) });
  await chat.say(admin, 'SBP-20261202-0001');
  await chat.expect(admin, { textIncludes: visible(admin.lang, 'withdraw.admin_paid').slice(2) }, 0);
  await chat.expect(winner, { textIncludes: 'SBP-20261202-0001' }, 0);
  await chat.say(winner, '/balance');
  await chat.expect(winner, { textIncludes: visible(w, 'withdraw.history') });
}
