// Receives a phone's upload (K2 MAC-local file, contact backup) into a folder of the served tree:
// size-limited, written to a temporary file and renamed, so a reader never sees half a file.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/** The largest upload accepted: a MAC-local file is a few KiB. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

export type Upload =
  | { readonly kind: 'created' | 'replaced'; readonly bytes: number }
  | { readonly kind: 'too-large'; readonly bytes: number }
  | { readonly kind: 'not-a-file' }
  | { readonly kind: 'aborted'; readonly bytes: number };

class TooLarge extends Error {}

/** Streams `body` into `dir/name`; `dir` must already be known to lie inside the root. */
export async function saveUpload(
  body: Readable,
  dir: string,
  name: string,
  limit = MAX_UPLOAD_BYTES,
): Promise<Upload> {
  const target = join(dir, name);
  const temporary = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > limit) done(new TooLarge());
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(temporary, { flags: 'wx' }));
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    if (e instanceof TooLarge) return { kind: 'too-large', bytes };
    if (
      (e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      (e as NodeJS.ErrnoException).code === 'ECONNRESET'
    ) {
      return { kind: 'aborted', bytes };
    }
    throw e;
  }
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isDirectory()) {
    await unlink(temporary).catch(() => undefined);
    return { kind: 'not-a-file' };
  }
  // rename replaces a link at the target rather than writing through it: nothing outside is touched.
  await rename(temporary, target);
  return { kind: existing ? 'replaced' : 'created', bytes };
}
