// The package as users get it (issue #12 "Install", issue #17): `npm pack` of a copy of the project,
// so that `prepack`'s clean build stays away from the dist/ the other tests run. The copy holds what
// the build and the tarball need, with the project's node_modules (typescript) linked in.
import { execFile } from 'node:child_process';
import { cp, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';

const exec = promisify(execFile);

/** Packs a copy of the project in `work/project`; the tarball's path (in `work`). */
export async function packCopy(work: string): Promise<string> {
  const copy = join(work, 'project');
  await mkdir(copy);
  for (const entry of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'README.md',
    'LICENSE',
    'src',
    'models',
    'schemas',
  ])
    await cp(join(packageRoot, entry), join(copy, entry), { recursive: true });
  await cp(join(fixturesDir, 'site'), join(copy, 'fixtures', 'site'), { recursive: true });
  await symlink(join(packageRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const { stdout } = await exec('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: copy,
    maxBuffer: 16 << 20,
  });
  return join(work, stdout.trim().split('\n').pop()!);
}

/** The files of a tarball, as `tar -t` lists them (`package/…`). */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await exec('tar', ['-tzf', tarball], { maxBuffer: 16 << 20 });
  return stdout.split('\n').filter((f) => f !== '');
}
