// Random hex strings for SIP tags, branches and Call-IDs (RFC 3261 §19.3: cryptographically random,
// at least 32 bits), drawn from a pool filled 4 KB at a time: `randomBytes` per value cost more than
// parsing the message on a NOTIFY storm's hot path.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` random bytes as 2 × `bytes` hex digits. */
export function randomHex(bytes: number): string {
  if (bytes > POOL_BYTES) throw new Error(`randomHex: at most ${POOL_BYTES} bytes, not ${bytes}`);
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString('hex', used, used + bytes);
  used += bytes;
  return text;
}
