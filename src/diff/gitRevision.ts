// One revision of a folder of a git repository, written to a temporary folder without touching the
// work tree or the index: `git ls-tree` names the files, one `git cat-file --batch` reads them all.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';

export type GitResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function git(repo: string, args: string[], input?: string): Promise<GitResult<Buffer>> {
  return new Promise((resolve) => {
    // stdin only when there is something to send: git rev-parse and ls-tree never read it, and
    // writing to a pipe they have closed is an EPIPE.
    const child = spawn('git', ['-C', repo, ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => resolve({ ok: false, message: `cannot run git: ${e.message}` }));
    child.on('close', (code) => {
      if (code === 0) resolve({ ok: true, value: Buffer.concat(out) });
      else
        resolve({
          ok: false,
          message: Buffer.concat(err).toString('utf8').trim() || `git ${args[0]} exited ${code}`,
        });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the exit status tells what went wrong
      child.stdin.end(input);
    }
  });
}

interface Blob {
  readonly path: string;
  readonly oid: string;
}

/**
 * Writes the files below `path` (relative to the repository's top folder; '' for all of it) at
 * revision `rev` into a new temporary folder, and returns that folder.
 */
export async function checkoutToTemp(repo: string, rev: string, path: string): Promise<GitResult<string>> {
  const commit = await git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  if (!commit.ok) return { ok: false, message: `${rev} is not a commit of the repository ${repo}` };
  const oid = commit.value.toString('utf8').trim();
  const prefix = path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  const listed = await git(repo, [
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    oid,
    ...(prefix ? ['--', prefix] : []),
  ]);
  if (!listed.ok) return listed;

  const blobs: Blob[] = [];
  for (const entry of listed.value.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, object] = entry.slice(0, tab).split(' ');
    // Regular files only: a link (120000) or a submodule (160000) is not something a server serves here.
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755') || !object) continue;
    const full = entry.slice(tab + 1);
    blobs.push({ path: prefix ? posix.relative(prefix, full) : full, oid: object });
  }
  if (prefix && blobs.length === 0) return { ok: false, message: `${rev} has no files under ${prefix}` };

  const batch = await git(repo, ['cat-file', '--batch'], blobs.map((b) => b.oid).join('\n') + '\n');
  if (!batch.ok) return batch;
  const dir = await mkdtemp(join(tmpdir(), 'autop-rev-'));
  let offset = 0;
  for (const blob of blobs) {
    const newline = batch.value.indexOf(0x0a, offset);
    const header = batch.value.subarray(offset, newline).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[0] !== blob.oid || !Number.isFinite(size))
      return { ok: false, message: `git cat-file answered "${header.join(' ')}" for ${blob.path}` };
    const bytes = batch.value.subarray(newline + 1, newline + 1 + size);
    offset = newline + 1 + size + 1;
    const target = join(dir, ...blob.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  return { ok: true, value: dir };
}
