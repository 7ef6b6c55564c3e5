// Receives a phone's upload (K2 MAC-local file, contact backup) into a folder of the served tree:
// size-limited, and written atomically (core/atomicWrite), so a reader never sees half a file.
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { writeFileAtomic } from '../core/atomicWrite.js';

/** The largest upload accepted: a MAC-local file is a few KiB. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

export type Upload =
  | { readonly kind: 'created' | 'replaced'; readonly bytes: number }
  | { readonly kind: 'too-large'; readonly bytes: number }
  | { readonly kind: 'not-a-file' }
  | { readonly kind: 'aborted'; readonly bytes: number };

/** Streams `body` into `dir/name`; `dir` must already be known to lie inside the root. */
export async function saveUpload(
  body: Readable,
  dir: string,
  name: string,
  limit = MAX_UPLOAD_BYTES,
): Promise<Upload> {
  const target = join(dir, name);
  // At most `limit` bytes are held: the body is read into memory, then written in one atomic step.
  const read = await readLimited(body, limit);
  if (read.kind !== 'ok') return read;
  const bytes = read.data.byteLength;
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isDirectory()) return { kind: 'not-a-file' };
  // rename replaces a link at the target rather than writing through it: nothing outside is touched.
  await writeFileAtomic(target, read.data);
  return { kind: existing ? 'replaced' : 'created', bytes };
}

/** The body, or why not: past `limit` the rest is discarded unread (the caller answers 413 and closes). */
function readLimited(
  body: Readable,
  limit: number,
): Promise<{ kind: 'ok'; data: Buffer } | { kind: 'too-large' | 'aborted'; bytes: number }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = (result: Parameters<typeof resolve>[0]): void => {
      body.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= limit) return void chunks.push(chunk);
      body.resume(); // drained, not kept
      done({ kind: 'too-large', bytes });
    };
    const onEnd = (): void => done({ kind: 'ok', data: Buffer.concat(chunks, bytes) });
    const onAbort = (): void => done({ kind: 'aborted', bytes });
    body.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });
}
