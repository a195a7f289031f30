/** issue 11: the account-value chart of /portfolio → History (render/chart.ts renderValueChart). */
import sharp from 'sharp';
import { evenValueTicks, renderValueChart } from '../../render';

const DAY = 86_400_000;

test('renders exactly the requested size for 0, 1 and 60 daily points, with caller labels', async () => {
  for (const n of [0, 1, 60]) {
    const points = Array.from({ length: n }, (_, i) => ({ t: i * DAY, value: 100_000 + ((i * 7919) % 13) * 1_000 - i * 100 }));
    const png = await renderValueChart(points, {
      width: 800, height: 400,
      xTicks: n > 1 ? [{ t: 0, label: '01.03' }, { t: (n - 1) * DAY, label: 'today' }] : [],
      yTicks: evenValueTicks(points.map((p) => p.value), 4).map((v) => ({ v, label: `${v / 100} ₽` })),
    });
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 800, height: 400 });
  }
});

test('a falling series draws its line lower on the right than on the left', async () => {
  const points = Array.from({ length: 10 }, (_, i) => ({ t: i * DAY, value: 10_000 - i * 1_000 }));
  const { data, info } = await sharp(await renderValueChart(points, { width: 400, height: 200 })).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  /** Topmost row where column x has the line colour (the fill below it is fainter). */
  const top = (x: number): number => {
    let best = -1;
    let bestSum = -1;
    for (let y = 0; y < info.height; y++) {
      const i = (y * info.width + x) * 3;
      const sum = (data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0);
      if (sum > bestSum) [best, bestSum] = [y, sum];
    }
    return best;
  };
  expect(top(Math.floor(info.width * 0.85))).toBeGreaterThan(top(Math.floor(info.width * 0.1)));
});

test('evenValueTicks spans the low to the high; a flat series gets ±1', () => {
  expect(evenValueTicks([300, 100, 200], 3)).toEqual([100, 200, 300]);
  expect(evenValueTicks([500], 3)).toEqual([499, 500, 501]);
  expect(evenValueTicks([], 3)).toEqual([]);
});
