// Opens and reads regular files only (issue #13 §7): a FIFO, socket or device in a tree must never
// be read, nor block the reader. A FIFO opened for reading waits for a writer inside open(2), on one
// of libuv's four pool threads: four such requests and every later file operation of the process
// waits too. So: lstat first (a special file is never opened), then open without following a link
// and without blocking, then fstat the descriptor and check it is the file lstat saw.
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

export type OpenedFile =
  | { readonly kind: 'file'; readonly handle: FileHandle; readonly size: number }
  /** A folder, FIFO, socket, device or link: never opened, or closed at once. */
  | { readonly kind: 'not-a-file'; readonly what: string }
  | { readonly kind: 'missing' }
  /** EACCES and the like: the code, for the caller to log or map. */
  | { readonly kind: 'error'; readonly code: string };

/**
 * Opens `path` for reading if, and only if, it is a regular file. `path` is expected to be a real
 * path (links resolved by the caller, who checked it against its root): a link found here is a
 * race (swapped in after the check) and refused.
 */
export async function openRegularFile(path: string): Promise<OpenedFile> {
  let before: Stats;
  try {
    before = await lstat(path);
  } catch (e) {
    return failure(e);
  }
  if (!before.isFile()) return { kind: 'not-a-file', what: describe(before) };
  let handle: FileHandle;
  try {
    handle = await open(
      path,
      constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY,
    );
  } catch (e) {
    return failure(e);
  }
  try {
    const after = await handle.stat();
    if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
      await handle.close();
      return { kind: 'not-a-file', what: after.isFile() ? 'a file replaced while opened' : describe(after) };
    }
    return { kind: 'file', handle, size: after.size };
  } catch (e) {
    await handle.close().catch(() => undefined);
    return failure(e);
  }
}

export type ReadFile =
  | { readonly kind: 'ok'; readonly bytes: Buffer }
  /** More than `maxBytes`: its size on disk said so, or more arrived while reading (a growing file). */
  | { readonly kind: 'too-large' }
  | Exclude<OpenedFile, { kind: 'file' }>;

/** Reads a whole regular file, never more than `maxBytes` + 1 bytes of it. */
export async function readRegularFile(path: string, maxBytes?: number): Promise<ReadFile> {
  const opened = await openRegularFile(path);
  if (opened.kind !== 'file') return opened;
  const { handle, size } = opened;
  try {
    if (maxBytes !== undefined && size > maxBytes) return { kind: 'too-large' };
    // The size may change while reading: read until end of file, up to one byte past the limit.
    const cap = maxBytes === undefined ? Number.POSITIVE_INFINITY : maxBytes + 1;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(Math.max(size - total, 64 * 1024), cap - total);
      if (want <= 0) break;
      const buffer = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buffer, 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (maxBytes !== undefined && total > maxBytes) return { kind: 'too-large' };
    return { kind: 'ok', bytes: Buffer.concat(chunks, total) };
  } catch (e) {
    return failure(e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function failure(e: unknown): Exclude<OpenedFile, { kind: 'file' }> {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return { kind: 'missing' };
  // O_NOFOLLOW met a link; ENXIO is a socket (or a device without its driver).
  if (code === 'ELOOP') return { kind: 'not-a-file', what: 'a symbolic link' };
  if (code === 'ENXIO') return { kind: 'not-a-file', what: 'a socket or device' };
  if (code === 'EISDIR') return { kind: 'not-a-file', what: 'a folder' };
  return { kind: 'error', code };
}

/** What a special file is, in words for a log or a detail. */
export function describe(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}
