// The MAC-local file (`<mac>-local.cfg`, spec K1-K2): what the phone writes and uploads.
import { HEADER } from '../config/lines.js';
import type { Mac } from '../core/mac.js';
import { directoryOf, parseServerUrl } from '../engine/serverUrl.js';

export function macLocalName(mac: Mac): string {
  return `${mac}-local.cfg`;
}

/** The file's text: the header, then one `key = value` line per setting, sorted for stable MD5s. */
export function renderMacLocal(local: Readonly<Record<string, string>>): string {
  const lines = Object.keys(local)
    .sort()
    .map((key) => `${key} = ${local[key] === '' ? '%NULL%' : local[key]}`);
  return [HEADER, ...lines].join('\n') + '\n';
}

/**
 * K2: where the phone uploads its MAC-local file: `custom.sync.path` when set, else the directory
 * of the server it provisions from. undefined when neither is known.
 */
export function macLocalUploadUrl(mac: Mac, syncPath: string, server: string | undefined): URL | undefined {
  const base = syncPath.trim() !== '' ? syncPath : server;
  if (!base) return undefined;
  const parsed = parseServerUrl(base);
  if (!parsed.ok) return undefined;
  const dir = parsed.target.kind === 'directory' ? parsed.target.url : directoryOf(parsed.target.url);
  return new URL(macLocalName(mac), dir);
}
