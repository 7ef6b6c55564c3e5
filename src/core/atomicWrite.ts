// Writing a file so that a crash leaves the old content or the new, never a torn file (issue #16
// item 7): a temporary file in the same folder, fsync, rename over the target, fsync of the folder
// so that the rename itself survives a power cut.
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permissions of a new file (default 0o666 less the umask); the temporary file has them from the start. */
  readonly mode?: number;
}

let sequence = 0;

/** A name in the target's folder (rename is atomic only within one file system) that no one else uses. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${sequence++}.tmp`);
}

async function writeAndSync(
  path: string,
  data: string | Uint8Array,
  mode: number | undefined,
): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw e;
  }
  await handle.close();
}

/** The folder's entry for the renamed file reaches the disk (a no-op where folders cannot be opened). */
async function syncFolder(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(dirname(path), 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL, EISDIR): the rename is still atomic.
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to a temporary file beside `path`, synced, then puts it in place with `place` (a
 * rename, or a link that refuses an existing file); the temporary name never outlives the call
 * unless `place` succeeded with a rename.
 */
async function writeThen(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
  place: (temporary: string) => Promise<void>,
): Promise<void> {
  const temporary = temporaryName(path);
  await writeAndSync(temporary, data, options.mode);
  try {
    await place(temporary);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    throw e;
  }
  await syncFolder(path);
}

/** Replaces (or creates) `path` with `data` atomically. */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  return writeThen(path, data, options, (temporary) => rename(temporary, path));
}

/**
 * Creates `path` with `data` atomically, and only if it does not exist: the complete file is linked
 * into place, so a reader never sees it half written, and an existing file is never replaced
 * (EEXIST is thrown instead).
 */
export function createFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  return writeThen(path, data, options, async (temporary) => {
    // The temporary name goes once linked: the file lives on under `path` alone.
    await link(temporary, path);
    await unlink(temporary).catch(() => undefined);
  });
}
