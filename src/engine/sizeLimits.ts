// The largest file a round accepts, per kind of download (issue #13.3): a phone keeps what it
// downloads in a few megabytes of flash and RAM, so an endless or huge answer is a failed transfer
// (cause `too-large`), never a process that buffers without end. `RoundInput.sizeLimits` overrides
// any of these (a test, a tree known to hold larger files).
import type { DownloadKind } from './report.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Bytes per file. The guide gives no maximum CFG size (reference "Encoding, line endings and size"):
 * these are generous bounds, well above any real tree (a CFG with 125,000 settings is 1.7 MB) and
 * well below what would hurt a fleet of thousands of phones transferring at once.
 */
export const DEFAULT_SIZE_LIMITS: Readonly<Record<DownloadKind, number>> = {
  /** A boot file lists includes and two keys: a few kilobytes in practice. */
  boot: 1 * MiB,
  /** A CFG: generous for the largest templates (every account of a 250-account DECT manager). */
  config: 8 * MiB,
  /** The MAC-local file holds the UI changes of one phone. */
  'mac-local': 8 * MiB,
  /** A ROM: the largest Yealink ROMs (colour-screen and video models) are around 100 MB. */
  firmware: 256 * MiB,
  /** A custom CA: the phone refuses certificates over 5 MB (reference §5, [T48G-AG]). */
  certificate: 5 * MiB,
  /** `<name>_Security.enc` is 16 bytes (E3). */
  key: 4 * KiB,
};

/** The limit for one download: the round's override, else the default. */
export function maxBytesFor(
  kind: DownloadKind,
  overrides: Partial<Record<DownloadKind, number>> | undefined,
): number {
  return overrides?.[kind] ?? DEFAULT_SIZE_LIMITS[kind];
}
