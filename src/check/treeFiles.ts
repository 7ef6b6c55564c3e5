// The files of a provisioning tree on disk, by the names the firmware asks for (spec "Names", B1,
// C4, K1): boot files, MAC files, configuration files, and everything else.
import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';

export type TreeFileKind = 'mac-boot' | 'common-boot' | 'boot' | 'mac-cfg' | 'mac-local' | 'cfg' | 'other';

export interface TreeFile {
  /** The path below the tree's root with `/` separators: the name reports use. */
  readonly path: string;
  readonly kind: TreeFileKind;
  /** For MAC files: the MAC as the name writes it (case kept, so that upper case can be reported). */
  readonly mac?: string;
}

const MAC_NAME = /^([0-9a-fA-F]{12})(\.boot|\.cfg|-local\.cfg)$/;
export const COMMON_BOOT = 'y000000000000.boot';

export function classify(path: string): TreeFile {
  const name = posix.basename(path);
  if (name === COMMON_BOOT) return { path, kind: 'common-boot' };
  const mac = MAC_NAME.exec(name);
  if (mac) {
    const kind = mac[2] === '.boot' ? 'mac-boot' : mac[2] === '.cfg' ? 'mac-cfg' : 'mac-local';
    return { path, kind, mac: mac[1]! };
  }
  if (/\.boot$/i.test(name)) return { path, kind: 'boot' };
  if (/\.cfg$/i.test(name)) return { path, kind: 'cfg' };
  return { path, kind: 'other' };
}

/** Every file below `root`, sorted; hidden folders (`.git`) are not part of what a server serves. */
export async function listTree(root: string): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      const full = join(dir, entry.name);
      // A link to a file is served like the file; a link to a folder is not followed (no loops).
      const isDir = entry.isDirectory();
      const isFile =
        entry.isFile() ||
        (entry.isSymbolicLink() && ((await stat(full).catch(() => undefined))?.isFile() ?? false));
      if (isDir) await walk(full, rel);
      else if (isFile) out.push(classify(rel));
    }
  };
  await walk(root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
