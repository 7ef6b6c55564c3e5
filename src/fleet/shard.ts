// `--shard I/N` (issue #8): a disjoint, deterministic slice of the fleet by MAC, so that N processes
// (or machines) each run one slice and `autop fleet merge` adds their reports up to the whole.
import type { Mac } from '../core/mac.js';
import { UsageError } from '../core/usageError.js';

export interface Shard {
  /** 0-based: 0 <= index < count. */
  readonly index: number;
  readonly count: number;
}

/** `2/8`: the third of eight shards (indexes count from 0). */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) {
    throw new UsageError(
      `--shard ${text}: write INDEX/COUNT with INDEX from 0, e.g. --shard 0/4 … --shard 3/4`,
    );
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`--shard ${text}: the shard count must be at least 1`);
  }
  if (index >= count) {
    throw new UsageError(
      `--shard ${text}: the index counts from 0, so with ${count} shard${count === 1 ? '' : 's'} it is 0 to ${count - 1}`,
    );
  }
  return { index, count };
}

/**
 * The shard a MAC belongs to: FNV-1a (32 bits) of its 12 hex digits, modulo the count. It depends on
 * the MAC alone, so a phone lands in the same shard whatever the inventory's order or size.
 */
export function shardOfMac(mac: Mac, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < mac.length; i++) {
    hash ^= mac.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}

export function takeShard<T extends { mac: Mac }>(phones: readonly T[], shard: Shard): T[] {
  return phones.filter((phone) => shardOfMac(phone.mac, shard.count) === shard.index);
}
