/** The demo's group part (scripts/demo-groups.ts) plays through against the real bot and workers. */
import { SimClient } from '../../tools/botapi/client';
import { playGroupDemo } from '../../scripts/demo-groups';
import { fund, market, REDIS_URL, startEnv, startedUser, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('demogroups');
});
afterAll(async () => env.close());

test('issue 8: playGroupDemo: inline listing, /predict in a group with no seeded orders, a two-tap bet that fills, the card edited, one digest', async () => {
  const ivan = await startedUser(env, 'Иван');
  const alice = await startedUser(env, 'Alice', 'en');
  await fund(env, ivan, 1_000);
  await fund(env, alice, 1_000);
  const marketId = await market(env, 'Will Bitcoin close the year above $100,000?', 'crypto');
  const lines: string[] = [];
  const images: { name: string; bytes: number }[] = [];
  const { apiRoot } = env.running.bot.telegram.options;
  const result = await playGroupDemo({
    sim: new SimClient(apiRoot), botUsername: env.botInfo.username,
    users: { ru: { id: ivan.id, name: 'Иван' }, en: { id: alice.id, name: 'Alice' } },
    log: (line) => lines.push(line), saveImage: async (name, png) => void images.push({ name, bytes: png.length }),
    marketId, redisUrl: REDIS_URL, queuePrefix: env.prefix, apiRoot, botToken: env.botInfo.token,
  });
  expect(result).toEqual({ trades: 1, digests: 1 });
  const log = lines.join('\n');
  expect(log).toContain('[group "Forecast Friends"] Иван: @pravda_demogroups_bot');
  expect(log).toContain('[group "Forecast Friends"] Иван: /predict Will it snow in Moscow on New Year\'s Eve? | 31.12.2030 18:00');
  expect(log).toContain('💧 Ликвидность биржи до 100,00\u00a0₽');
  expect(log).toContain('[group "Forecast Friends"] Alice taps [✅ ДА 50%]');
  expect(log).toMatch(/\(alert\) ✅ Bet placed: \d+ shares? of YES/);
  expect(log).toContain('(edits the card in place)');
  expect(log).toContain('[channel] 🤖 bot: 📷 digest.png');
  expect(log).toContain('(the job run again: done)');
  expect(images).toEqual([{ name: 'digest.png', bytes: expect.any(Number) }]);
  expect(images[0]!.bytes).toBeGreaterThan(10_000);
  expect(env.errors).toEqual([]);
});
