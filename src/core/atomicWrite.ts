// Writing a file so that a reader sees the old content or the new, never half of it: a temporary
// file in the same folder, flushed, renamed over the target, and the folder flushed so the rename
// survives a crash. (The agreed interface of CONTRACTS.md; the engine package owns this module.)
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options?: { mode?: number },
): Promise<void> {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', options?.mode ?? 0o666);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (e) {
    await file.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw e;
  }
  await file.close();
  try {
    await rename(temporary, path);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    throw e;
  }
  // A folder cannot be opened for fsync everywhere (Windows): the rename is then as durable as the OS makes it.
  const dir = await open(folder, 'r').catch(() => undefined);
  if (dir) {
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}
