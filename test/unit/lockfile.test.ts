/**
 * Issue 15: `npm ci` refused package-lock.json under npm 11 ("Missing: @swc/core-darwin-arm64 … from
 * lock file") because a lock written from this machine's node_modules left out other platforms'
 * optional packages. The lock must name every package any locked package depends on, optional ones
 * included, and agree with package.json, so `npm ci` works on any machine (scripts/setup.sh runs it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
type Entry = { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, Entry> };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Entry;

/** Where Node would find `name` from the package at `from` (its own node_modules, then each parent's). */
function resolveLocked(from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const cand = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[cand]) return cand;
    if (!base) return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

describe('issue 15: package-lock.json is complete for npm ci', () => {
  it('is a v3 lock whose root matches package.json', () => {
    expect(lock.lockfileVersion).toBe(3);
    const root = lock.packages[''] as Entry;
    expect(root.dependencies).toEqual(pkg.dependencies);
    expect(root.devDependencies).toEqual(pkg.devDependencies);
  });

  it('locks every dependency and optional dependency of every locked package', () => {
    const missing: string[] = [];
    for (const [at, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...(at === '' ? entry.devDependencies : {}) })) {
        if (!resolveLocked(at, name)) missing.push(`${at || '(root)'} -> ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('keeps other platforms\' native packages (the ones npm 11 dropped)', () => {
    for (const name of ['@swc/core-darwin-arm64', '@swc/core-win32-x64-msvc', '@img/sharp-darwin-arm64', '@msgpackr-extract/msgpackr-extract-darwin-arm64']) {
      expect(lock.packages[`node_modules/${name}`]).toBeDefined();
    }
  });
});
