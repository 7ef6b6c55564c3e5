// Issue #17: the library is below the CLI. Everything src/index.ts reaches, type-only imports
// included, is outside src/cli/: the commands print what the library returns, never the other way
// round, and the library carries none of the command line's habits (exits, stdout).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/packageRoot.js';

/** Every module of src/ that `entry` imports, directly or not (`./x.js` is the source `./x.ts`). */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles)
      if (fileName.startsWith('.')) stack.push(resolve(dirname(file), fileName).replace(/\.js$/, '.ts'));
  }
  return [...seen].map((f) => relative(packageRoot, f)).sort();
}

describe('issue #17: the library', () => {
  const modules = reachable(join(packageRoot, 'src', 'index.ts'));

  it('reaches the engine, the check, the diff, the explain and the fleet, one file per function in src/api', () => {
    expect(modules).toEqual(
      expect.arrayContaining([
        'src/api/provision.ts',
        'src/api/check.ts',
        'src/api/diff.ts',
        'src/api/explain.ts',
        'src/api/encrypt.ts',
        'src/api/decrypt.ts',
        'src/api/simulate.ts',
        'src/engine/round.ts',
        'src/fleet/runner.ts',
      ]),
    );
  });

  it('imports nothing of src/cli/', () => {
    expect(modules.filter((m) => m.startsWith('src/cli/'))).toEqual([]);
  });
});
