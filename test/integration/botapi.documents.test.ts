/**
 * issue 11: the local Bot API's sendDocument (multipart upload like sendPhoto, stored whole so
 * tests can read it back, 50 MB and caption limits) and disable_notification on every send.
 * Driven by telegraf's own client, as in botapi.test.ts.
 */
import { TelegramError } from 'telegraf';
import { DOCUMENT_MAX_BYTES, FileStore } from '../../tools/botapi/files';
import { makePng, startHarness, type Harness } from '../helpers/botapiHarness';

async function apiError(p: Promise<unknown>): Promise<TelegramError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TelegramError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ limits: false });
  h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
});
afterEach(async () => h.close());

test('sendDocument uploads a file: Document in the answer, bytes readable back, file_id reusable, download by getFile', async () => {
  const csv = Buffer.from('a,b\r\n"x, y",2\r\n', 'utf8');
  const sent = await h.tg.sendDocument(h.alice.id, { source: csv, filename: 'history.csv' }, { caption: '<b>Export</b>', parse_mode: 'HTML' });
  expect(sent.document).toMatchObject({ file_name: 'history.csv', mime_type: 'text/csv', file_size: csv.length });
  expect(sent.caption).toBe('Export');
  const [msg] = h.server.sim.messages(h.alice.id).filter((m) => m.fromBot);
  expect(msg?.document?.file_id).toBe(sent.document.file_id);
  expect(h.server.sim.files.get(h.bot.id, sent.document.file_id).bytes.equals(csv)).toBe(true);
  const again = await h.tg.sendDocument(h.alice.id, sent.document.file_id);
  expect(again.document.file_unique_id).toBe(sent.document.file_unique_id);
  const link = await h.tg.getFileLink(sent.document.file_id);
  const res = await fetch(link.toString());
  expect(res.headers.get('content-type')).toContain('text/csv');
  expect(Buffer.from(await res.arrayBuffer()).equals(csv)).toBe(true);
});

test('sendDocument refuses what Telegram refuses: no document, a photo file_id, an empty file, a caption over 1024', async () => {
  expect((await apiError(h.tg.callApi('sendDocument', { chat_id: h.alice.id } as never))).description).toBe('Bad Request: there is no document in the request');
  const photo = await h.tg.sendPhoto(h.alice.id, { source: makePng(10, 10) });
  const photoId = photo.photo[0]!.file_id;
  expect((await apiError(h.tg.sendDocument(h.alice.id, photoId))).description).toBe('Bad Request: type of file mismatch');
  expect((await apiError(h.tg.sendDocument(h.alice.id, { source: Buffer.alloc(0), filename: 'e.csv' }))).description).toBe('Bad Request: file must be non-empty');
  const ok = await h.tg.sendDocument(h.alice.id, { source: Buffer.from('x'), filename: 'x.txt' }, { caption: 'c'.repeat(1024) });
  expect(ok.caption).toHaveLength(1024);
  expect((await apiError(h.tg.sendDocument(h.alice.id, { source: Buffer.from('x'), filename: 'x.txt' }, { caption: 'c'.repeat(1025) }))).description)
    .toBe('Bad Request: message caption is too long');
});

test('documents over 50 MB are refused with 413; exactly 50 MB is stored', () => {
  const files = new FileStore();
  expect(files.putDocument(1, Buffer.alloc(DOCUMENT_MAX_BYTES, 1), 'big.bin').bytes.length).toBe(DOCUMENT_MAX_BYTES);
  expect(() => files.putDocument(1, Buffer.alloc(DOCUMENT_MAX_BYTES + 1, 1), 'big.bin')).toThrow(expect.objectContaining({ code: 413 }));
});

test('disable_notification is recorded on the message (sendMessage, sendPhoto, sendDocument); a non-boolean is refused', async () => {
  await h.tg.sendMessage(h.alice.id, 'quiet', { disable_notification: true });
  await h.tg.sendMessage(h.alice.id, 'loud');
  await h.tg.sendPhoto(h.alice.id, { source: makePng(10, 10) }, { disable_notification: true });
  await h.tg.sendDocument(h.alice.id, { source: Buffer.from('x'), filename: 'x.txt' }, { disable_notification: true });
  expect(h.server.sim.messages(h.alice.id).filter((m) => m.fromBot).map((m) => m.silent ?? false)).toEqual([true, false, true, true]);
  const bad = await apiError(h.tg.callApi('sendMessage', { chat_id: h.alice.id, text: 'x', disable_notification: 'maybe' } as never));
  expect(bad.code).toBe(400);
});
