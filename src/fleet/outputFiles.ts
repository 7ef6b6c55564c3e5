// The files a fleet run writes (--json-out, --html): checked before any phone starts, so that a
// storm is never run only to find that its report cannot be saved, and written atomically, so that
// a crash or a full disk leaves the old file or the new one, never half a report.
import { randomBytes } from 'node:crypto';
import { stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../cli/usage.js';
import { writeFileAtomic } from '../core/atomicWrite.js';

export interface OutputFile {
  /** The option that named it, for messages: `--json-out`. */
  readonly flag: string;
  readonly path: string;
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/**
 * Throws a UsageError unless every file can be written: its folder exists and takes a new file (a
 * probe file is created there and removed: the only test that also catches a read-only mount or a
 * volume owned by another user), and the path is no folder. Two options naming one file are refused.
 */
export async function checkOutputFiles(files: readonly OutputFile[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const { flag, path } of files) {
    if (path.trim() === '') throw new UsageError(`${flag}: give a file name`);
    const full = resolve(path);
    const earlier = seen.get(full);
    if (earlier !== undefined)
      throw new UsageError(`${earlier} and ${flag} both name ${path}; give each report its own file`);
    seen.set(full, flag);
    const existing = await stat(full).catch(() => undefined);
    if (existing?.isDirectory())
      throw new UsageError(
        `${flag} ${path} is a folder; give a file name in it, e.g. ${join(path, 'report')}`,
      );
    const folder = dirname(full);
    const folderStat = await stat(folder).catch((e: unknown) => code(e));
    if (typeof folderStat === 'string' || !folderStat.isDirectory()) {
      throw new UsageError(
        `${flag} ${path}: the folder ${folder} does not exist${typeof folderStat === 'string' ? ` (${folderStat})` : ''}; create it first, or write elsewhere`,
      );
    }
    const probe = join(
      folder,
      `.${basename(full)}.autop-probe-${process.pid}-${randomBytes(3).toString('hex')}`,
    );
    try {
      await writeFile(probe, '', { flag: 'wx' });
    } catch (e) {
      throw new UsageError(
        `${flag} ${path}: cannot write in ${folder} (${code(e)}); check its permissions (in a pod, the volume's owner and the fsGroup), or write elsewhere`,
      );
    }
    await unlink(probe).catch(() => undefined);
  }
}

/** Writes one output file atomically. */
export function writeOutputFile(file: OutputFile, data: string): Promise<void> {
  return writeFileAtomic(resolve(file.path), data);
}
