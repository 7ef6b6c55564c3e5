// Where the package's own data folders (models/, fixtures/) are, from the source tree or from dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('autop: cannot find the package root (no models/ folder above the code)');
    dir = parent;
  }
}

export const packageRoot = findRoot();
export const modelsDir = join(packageRoot, 'models');
export const fixturesDir = join(packageRoot, 'fixtures');
