/**
 * issue 14: the bot and the workers share code only through the layers below them (messages/,
 * jobs/, domain/, infra/, render/), and neither issues SQL: reads go through domain/read/, writes
 * through domain/services/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Top-level folder of every relative module a file imports (static, dynamic, require). */
function importedFolders(file: string): { spec: string; folder: string }[] {
  const src = readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((spec) => ({ spec, folder: relative(ROOT, resolve(dirname(file), spec)).split(sep)[0] }));
}

function violations(folders: string[], forbidden: string[]): string[] {
  return folders.flatMap((f) => tsFiles(join(ROOT, f))).flatMap((file) =>
    importedFolders(file).filter((i) => forbidden.includes(i.folder)).map((i) => `${relative(ROOT, file)} imports ${i.spec}`));
}

/** Calls that issue SQL: raw queries and the query builder. */
const SQL_CALL = /\.query\s*\(|createQueryBuilder\s*\(|getRepository\s*\(/;

describe('issue 14: layers', () => {
  it('bot/ imports nothing from workers/', () => {
    expect(violations(['bot'], ['workers'])).toEqual([]);
  });

  it('workers/ imports nothing from bot/', () => {
    expect(violations(['workers'], ['bot'])).toEqual([]);
  });

  it('the shared layers (messages/, jobs/) import neither bot/ nor workers/', () => {
    expect(violations(['messages', 'jobs'], ['bot', 'workers'])).toEqual([]);
  });

  it('domain/ imports nothing from bot/, workers/, messages/ or jobs/', () => {
    expect(violations(['domain'], ['bot', 'workers', 'messages', 'jobs'])).toEqual([]);
  });

  it('bot/, workers/ and messages/ issue no SQL (reads are in domain/read/)', () => {
    const found = ['bot', 'workers', 'messages'].flatMap((f) => tsFiles(join(ROOT, f)))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').map((line, i) => ({ file, line, i })))
      .filter(({ line }) => SQL_CALL.test(line))
      .map(({ file, i }) => `${relative(ROOT, file)}:${i + 1}`);
    expect(found).toEqual([]);
  });

  it('the import scan sees imports across folders (the checks above can fail)', () => {
    const found = importedFolders(join(ROOT, 'workers', 'cards.ts')).map((i) => i.folder);
    expect(found).toEqual(expect.arrayContaining(['messages', 'domain', 'jobs']));
  });
});
