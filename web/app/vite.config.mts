import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The Mini App build (`npm run build:app`): served by fastify under /app/ (web/api), written to
 * dist/app. JSX goes through Vite's built-in oxc transform (React's automatic runtime).
 */
const here = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig({
  root: here,
  base: '/app/',
  build: { outDir: fileURLToPath(new URL('../../dist/app', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 800 },
  oxc: { jsx: { runtime: 'automatic' } },
});
