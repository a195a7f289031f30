import sharp from 'sharp';
import {
  CARD_HEIGHT,
  CARD_WIDTH,
  DIGEST_WIDTH,
  renderDigest,
  renderJob,
  renderMarketCard,
  renderPriceChart,
  renderSparkline,
  type DigestTile,
  type MarketCardInput,
  type PricePoint,
} from '../../render';

const T0 = Date.UTC(2025, 10, 1);
const HOUR = 3_600_000;

/** Deterministic random walk of `n` hourly YES prices in 1..99. */
function walk(n: number, seed = 7, start = 50): PricePoint[] {
  let s = seed;
  let price = start;
  return Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    price = Math.min(99, Math.max(1, price + ((s >> 8) % 5) - 2));
    return { t: T0 + i * HOUR, price };
  });
}

function card(over: Partial<MarketCardInput> = {}): MarketCardInput {
  const chartPoints = walk(120);
  return {
    title: 'Will the key rate be cut at the next meeting?',
    yesLabel: 'YES',
    noLabel: 'NO',
    yesPrice: 65,
    noPrice: 35,
    volumeText: 'Volume: 1 234 560 RUB',
    deadlineText: 'Closes 31 Dec 2025, 23:59',
    chartPoints,
    xTicks: [0, 40, 80, 119].map((i) => ({ t: chartPoints[i].t, label: `day ${i}` })),
    ...over,
  };
}

async function pixels(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Asserts `png` is a PNG of the given size that Telegram accepts as a photo. */
async function expectTelegramPng(png: Buffer, width: number, height: number): Promise<void> {
  const m = await sharp(png).metadata();
  expect(m).toMatchObject({ format: 'png', width, height });
  expect(png.length).toBeLessThan(1_000_000);
  expect(width + height).toBeLessThanOrEqual(10_000);
  expect(Math.max(width / height, height / width)).toBeLessThanOrEqual(20);
}

/** Pixels in the card's first title line (dark theme text colour #e8edf3) that carry glyph ink. */
async function titleInk(png: Buffer): Promise<number> {
  const { data, width } = await pixels(png);
  let ink = 0;
  for (let y = 44; y < 80; y++) {
    for (let x = 40; x < CARD_WIDTH - 40; x++) {
      const i = (y * width + x) * 3;
      if (data[i] > 200 && data[i + 1] > 200 && data[i + 2] > 200) ink++;
    }
  }
  return ink;
}

describe('renderMarketCard', () => {
  it('returns a landscape PNG Telegram accepts', async () => {
    await expectTelegramPng(await renderMarketCard(card()), CARD_WIDTH, CARD_HEIGHT);
  });

  it('draws the prices: different prices give different images', async () => {
    const a = await renderMarketCard(card({ yesPrice: 65, noPrice: 35 }));
    const b = await renderMarketCard(card({ yesPrice: 20, noPrice: 80 }));
    expect((await pixels(a)).data.equals((await pixels(b)).data)).toBe(false);
  });

  it.each([
    ['no history', 0],
    ['one point', 1],
    ['500 points', 500],
  ])('renders with %s', async (_name, n) => {
    const png = await renderMarketCard(card({ chartPoints: walk(n), xTicks: [] }));
    await expectTelegramPng(png, CARD_WIDTH, CARD_HEIGHT);
  });

  it('renders a Cyrillic title', async () => {
    const cyrillic = await renderMarketCard(card({ title: 'Снизит ли ЦБ ключевую ставку на ближайшем заседании?' }));
    const empty = await renderMarketCard(card({ title: '' }));
    expect((await pixels(cyrillic)).data.equals((await pixels(empty)).data)).toBe(false);
    expect(await titleInk(cyrillic)).toBeGreaterThan(1000);
  });

  it('survives XML-special and control characters in every string', async () => {
    const nasty = `<b>&"'</b> ]]> \u0001 <!--`;
    const png = await renderMarketCard(
      card({ title: nasty, yesLabel: nasty, noLabel: nasty, volumeText: nasty, deadlineText: nasty, statusText: nasty }),
    );
    await expectTelegramPng(png, CARD_WIDTH, CARD_HEIGHT);
  });

  it('draws the escaped title text rather than dropping it', async () => {
    const png = await renderMarketCard(card({ title: `<b>&"' Tom & Jerry's "show"` }));
    expect(await titleInk(png)).toBeGreaterThan(500);
  });

  it('renders the status ribbon and the light theme', async () => {
    const plain = await renderMarketCard(card({ theme: 'light' }));
    const closed = await renderMarketCard(card({ theme: 'light', statusText: 'Resolved: YES', statusTone: 'yes' }));
    await expectTelegramPng(closed, CARD_WIDTH, CARD_HEIGHT);
    const top = await pixels(closed);
    // The ribbon is a solid green band across the top edge.
    expect([top.data[0], top.data[1], top.data[2]]).toEqual([0x16, 0xa3, 0x4a]);
    expect((await pixels(plain)).data.equals(top.data)).toBe(false);
  });
});

describe('renderPriceChart', () => {
  it('renders exactly the requested size for 1 and 500 points', async () => {
    for (const n of [1, 500]) {
      await expectTelegramPng(await renderPriceChart(walk(n), { width: 640, height: 320 }), 640, 320);
    }
  });

  it('draws an empty history as one flat line at the placeholder level', async () => {
    const { data, width, height } = await pixels(await renderPriceChart([], { width: 600, height: 300, placeholderPrice: 50 }));
    // Rows where most pixels are the dashed line's colour (muted #8b95a3); axis labels never fill a row.
    const lineRows: number[] = [];
    for (let y = 0; y < height; y++) {
      let hits = 0;
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        if (Math.abs(data[i] - 0x8b) < 12 && Math.abs(data[i + 1] - 0x95) < 12 && Math.abs(data[i + 2] - 0xa3) < 12) hits++;
      }
      if (hits > width * 0.3) lineRows.push(y);
    }
    expect(lineRows.length).toBeGreaterThan(0);
    expect(lineRows[lineRows.length - 1] - lineRows[0]).toBeLessThanOrEqual(4);
    expect(Math.abs(lineRows[0] - height / 2)).toBeLessThan(height * 0.1);
  });

  it('rejects a non-integer size', async () => {
    await expect(renderPriceChart([], { width: 10.5, height: 100 })).rejects.toThrow(RangeError);
  });
});

describe('renderSparkline', () => {
  it('renders a transparent PNG of the requested size, also for a flat history', async () => {
    for (const points of [walk(48), [], [{ t: T0, price: 40 }]]) {
      const png = await renderSparkline(points, { width: 220, height: 90, up: true });
      expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 220, height: 90, hasAlpha: true });
    }
  });

  it('colours up and down moves differently', async () => {
    const up = await renderSparkline(walk(48), { width: 220, height: 90, up: true });
    const down = await renderSparkline(walk(48), { width: 220, height: 90, up: false });
    expect(up.equals(down)).toBe(false);
  });
});

describe('renderDigest', () => {
  const tile = (i: number): DigestTile => ({
    title: `Рынок №${i}: <b>&"' вырастет ли индекс Мосбиржи выше 3000 пунктов?`,
    price: 30 + i * 10,
    changeText: i % 2 ? '+12 pp / 24 h' : '-8 pp / 24 h',
    up: i % 2 === 1,
    points: walk(48, i + 1),
  });

  it.each([
    [0, 142],
    [1, 352],
    [3, 582],
    [6, 812],
  ])('lays out %i tiles in a %i px tall image', async (n, height) => {
    const png = await renderDigest({ header: 'Главные движения за сутки', tiles: Array.from({ length: n }, (_, i) => tile(i)) });
    await expectTelegramPng(png, DIGEST_WIDTH, height);
  });

  it('rejects more than 6 tiles', async () => {
    const tiles = Array.from({ length: 7 }, (_, i) => tile(i));
    await expect(renderDigest({ header: 'x', tiles })).rejects.toThrow(RangeError);
  });
});

describe('renderJob', () => {
  it('renders card and digest jobs from their JSON round trip, identically to direct calls', async () => {
    const cardInput = card({ statusText: 'Trading closed', statusTone: 'warning' });
    const viaJob = await renderJob(JSON.parse(JSON.stringify({ kind: 'card', input: cardInput })));
    expect((await pixels(viaJob)).data.equals((await pixels(await renderMarketCard(cardInput))).data)).toBe(true);

    const digest = await renderJob(JSON.parse(JSON.stringify({ kind: 'digest', input: { header: 'Top movers', tiles: [] } })));
    expect(await sharp(digest).metadata()).toMatchObject({ format: 'png', width: DIGEST_WIDTH });
  });

  it('rejects an unknown kind', async () => {
    await expect(renderJob(JSON.parse('{"kind":"poster","input":{}}'))).rejects.toThrow(/unknown render job kind/);
  });
});
