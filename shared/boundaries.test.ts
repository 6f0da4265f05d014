import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// A service never imports another service's folder: what they share (the
// operations contract, messages, queue) lives in shared/, which imports
// none of them. Read from the import lines, so a new file is checked too.
const ROOT = resolve(import.meta.dir, '..');
const SERVICES = ['api', 'processor', 'saver'] as const;

/** Every .ts file under `folder`, as a path from the repository root. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(folder, f));
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The top folders `file` imports from, by its relative import specifiers. */
export function importedFolders(file: string, source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => relative(ROOT, resolve(ROOT, dirname(file), m[1]!)).split('/')[0]!);
}

/** `file: folder` for each import of a folder in `forbidden`. */
function crossings(folder: string, forbidden: readonly string[]): string[] {
  return sourcesUnder(folder).flatMap((file) =>
    importedFolders(file, readFileSync(join(ROOT, file), 'utf8'))
      .filter((to) => forbidden.includes(to))
      .map((to) => `${file}: ${to}/`),
  );
}

describe('the services import only shared/, never each other', () => {
  for (const service of SERVICES) {
    test(`${service}/ imports nothing from the other services`, () => {
      expect(crossings(service, SERVICES.filter((s) => s !== service))).toEqual([]);
    });
  }

  test('shared/ imports from no service', () => {
    expect(crossings('shared', SERVICES)).toEqual([]);
  });

  test('the import reader sees static, type-only, side-effect and dynamic imports', () => {
    // Specifiers built at run time, so that this file's own imports stay what the checks above read.
    const up = '..';
    const source = [
      `import { a } from '${up}/${up}/processor/x.ts';`,
      `import type { B } from '${up}/${up}/saver/y.ts';`,
      `import '${up}/${up}/processor/z.ts';`,
      `const c = await import('${up}/${up}/saver/w.ts');`,
      `import {\n  d,\n} from '${up}/f.ts';`,
      "import { e } from 'elysia';",
    ].join('\n');
    expect(importedFolders('api/uploads/f.ts', source)).toEqual(['processor', 'saver', 'processor', 'saver', 'api']);
  });
});
