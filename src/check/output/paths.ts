// Where the tree is in its repository, so that SARIF results and GitHub annotations name files
// from the repository's root (`autop check provisioning` points at `provisioning/site.cfg`, which
// is what code scanning and pull-request annotations resolve): `--path-prefix`, else git's top
// level when the tree is in a git work tree, else the current folder.
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PathBase {
  /** What stands before a tree-relative path to make it repository-relative: '' or 'provisioning/'. */
  readonly prefix: string;
  /** The absolute folder repository-relative paths start from, when it is known. */
  readonly root?: string;
  readonly how: 'path-prefix' | 'git' | 'current-folder' | 'tree';
}

function slashes(path: string): string {
  return path.split(sep).join('/');
}

function asPrefix(path: string): string {
  const clean = posix
    .normalize(slashes(path))
    .replace(/^\.\/?$/, '')
    .replace(/\/+$/, '');
  return clean === '' ? '' : `${clean}/`;
}

/** The top of the git work tree that holds `dir`, or undefined (no git, or not a work tree). */
async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { timeout: 10_000 });
    const top = stdout.trim();
    return top === '' ? undefined : top;
  } catch {
    return undefined;
  }
}

/**
 * @param tree the tree's folder as given
 * @param pathPrefix `--path-prefix`: the tree's path from the repository's root
 */
export async function pathBase(
  tree: string,
  pathPrefix?: string,
  cwd: string = process.cwd(),
): Promise<PathBase> {
  const dir = await realpath(resolve(cwd, tree)).catch(() => resolve(cwd, tree));
  if (pathPrefix !== undefined) {
    const prefix = asPrefix(pathPrefix);
    // The root is the folder the prefix leads from, when the tree's path ends with it.
    const rest =
      prefix === ''
        ? dir
        : dir.endsWith(`${sep}${prefix.slice(0, -1).split('/').join(sep)}`)
          ? dir.slice(0, dir.length - prefix.length)
          : undefined;
    return { prefix, ...(rest !== undefined && { root: rest }), how: 'path-prefix' };
  }
  const top = await gitTopLevel(dir);
  if (top !== undefined) {
    const topReal = await realpath(top).catch(() => top);
    const inside = relative(topReal, dir);
    if (!inside.startsWith('..') && !isAbsolute(inside))
      return { prefix: asPrefix(inside), root: topReal, how: 'git' };
  }
  const cwdReal = await realpath(cwd).catch(() => cwd);
  const fromCwd = relative(cwdReal, dir);
  if (!fromCwd.startsWith('..') && !isAbsolute(fromCwd))
    return { prefix: asPrefix(fromCwd), root: cwdReal, how: 'current-folder' };
  return { prefix: '', root: dir, how: 'tree' };
}

/** A tree-relative path (or an inventory path relative to the tree) made repository-relative. */
export function repositoryPath(base: PathBase, file: string): string {
  return posix.normalize(`${base.prefix}${file}`);
}
