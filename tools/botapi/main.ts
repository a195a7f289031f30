/**
 * CLI: run the local Bot API as its own process.
 *
 * Env: BOTAPI_PORT (default 8081), BOTAPI_HOST (default 127.0.0.1), BOT_TOKEN (register a bot with
 * this known token so the bot process can use it), BOT_USERNAME (default pravda_market_bot),
 * BOT_NAME (default "Pravda Market"), BOTAPI_LIMITS=off (disable flood control),
 * BOTAPI_PRECHECKOUT_TIMEOUT_MS (default 10000).
 * Prints one JSON line `{"botapi":"listening","url":...,"bot":{...}}` once ready.
 */
import { createBotApiServer } from './server';

async function main(): Promise<void> {
  const env = process.env;
  const server = createBotApiServer({
    host: env.BOTAPI_HOST ?? '127.0.0.1',
    ...(env.BOTAPI_LIMITS === 'off' ? { limits: false as const } : {}),
    ...(env.BOTAPI_PRECHECKOUT_TIMEOUT_MS ? { preCheckoutTimeoutMs: Number(env.BOTAPI_PRECHECKOUT_TIMEOUT_MS) } : {}),
  });
  const bot = env.BOT_TOKEN
    ? server.sim.createBot({ token: env.BOT_TOKEN, username: env.BOT_USERNAME ?? 'pravda_market_bot', first_name: env.BOT_NAME ?? 'Pravda Market' })
    : undefined;
  const url = await server.listen(Number(env.BOTAPI_PORT ?? 8081));
  process.stdout.write(`${JSON.stringify({ botapi: 'listening', url, ...(bot ? { bot: { id: bot.id, username: bot.username } } : {}) })}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${JSON.stringify({ botapi: 'failed', error: (e as Error).message })}\n`);
  process.exit(1);
});
