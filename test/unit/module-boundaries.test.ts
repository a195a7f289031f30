/**
 * Issue 14: which folders may import which. The local Bot API server (tools/botapi/) is a test and
 * demo tool, so the product never imports it; infra/ sits below domain/; the Bot API server has no
 * import loop. Reads the source tree (relative imports, `import type` included).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const PRODUCT = ['bot', 'domain', 'workers', 'render', 'web', 'infra', 'bin'];

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of `from '…'`, `import '…'`, `import('…')` and `require('…')`. */
function specifiers(source: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;
  return [...source.matchAll(re)].map((m) => m[1] as string);
}

/** Root-relative path of the file an import resolves to (`x.ts` or `x/index.ts`), null when neither exists. */
function resolveImport(from: string, spec: string): string | null {
  const base = resolve(ROOT, dirname(from), spec);
  for (const cand of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(cand) && statSync(cand).isFile()) return relative(ROOT, cand);
  }
  return null;
}

function importsOf(file: string): string[] {
  return specifiers(readFileSync(join(ROOT, file), 'utf8'))
    .map((s) => resolveImport(file, s) ?? relative(ROOT, resolve(ROOT, dirname(file), s)));
}

function offenders(folders: string[], forbidden: string): string[] {
  return folders.flatMap(tsFiles).flatMap((f) => importsOf(f).filter((t) => t.startsWith(forbidden)).map((t) => `${f} -> ${t}`));
}

describe('issue 14: module boundaries', () => {
  it('sees the source tree it checks', () => {
    expect(tsFiles('bot').length).toBeGreaterThan(10);
    expect(tsFiles('tools/botapi').length).toBeGreaterThan(10);
    expect(specifiers("import { a } from '../../tools/botapi/server';\nimport type { B } from './b';")).toEqual(['../../tools/botapi/server', './b']);
  });

  it('no product folder imports the local Bot API server (tools/)', () => {
    expect(offenders(PRODUCT, 'tools/')).toEqual([]);
  });

  it('infra/ imports nothing from domain/', () => {
    expect(offenders(['infra'], 'domain/')).toEqual([]);
  });

  it('tools/botapi has no import loop', () => {
    const files = tsFiles('tools/botapi');
    const edges = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith('tools/botapi/'))]));
    const state = new Map<string, 'open' | 'done'>();
    const loops: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        loops.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const t of edges.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(loops).toEqual([]);
  });
});
