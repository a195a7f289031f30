/**
 * The render thread (render/thread.ts) as the bot runs it: the compiled module (dist/, built by
 * `npm test`), so jobs really go to the worker thread and back.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import type { RenderJob } from '../../render';
import { CARD_HEIGHT, CARD_WIDTH, renderMarketCard, type MarketCardInput } from '../../render';

const compiled = require(join(__dirname, '..', '..', 'dist', 'render', 'thread.js')) as { renderOffThread(job: RenderJob): Promise<Buffer> };

const input: MarketCardInput = {
  title: 'Will it rain in Moscow tomorrow?', yesLabel: 'ДА', noLabel: 'НЕТ', yesPrice: 62, noPrice: 38,
  volumeText: 'Оборот 1 200 ₽', deadlineText: 'До 31.12.2030', chartPoints: [{ t: 1_700_000_000_000, price: 50 }, { t: 1_700_003_600_000, price: 62 }],
};

test('cards rendered on the thread are the same picture as in-thread, several at once', async () => {
  const [a, b] = await Promise.all([compiled.renderOffThread({ kind: 'card', input }), compiled.renderOffThread({ kind: 'card', input: { ...input, yesPrice: 30, noPrice: 70 } })]);
  const meta = await sharp(a).metadata();
  expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'png', width: CARD_WIDTH, height: CARD_HEIGHT });
  const inline = await renderMarketCard(input);
  expect(await sharp(a).raw().toBuffer()).toEqual(await sharp(inline).raw().toBuffer());
  expect(await sharp(b).raw().toBuffer()).not.toEqual(await sharp(a).raw().toBuffer());
});

test("a job the thread cannot render fails with the render's error, and the thread keeps working", async () => {
  await expect(compiled.renderOffThread({ kind: 'nope' } as unknown as RenderJob)).rejects.toThrow('unknown render job kind: nope');
  const png = await compiled.renderOffThread({ kind: 'card', input });
  expect(png.subarray(1, 4).toString()).toBe('PNG');
});
