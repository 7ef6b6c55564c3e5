// The provisioning server URL: wildcards (S4), bare hosts as TFTP (S5), directory or file (S6), and
// include targets relative to the boot file (B3).
import { maskUserInfo } from '../core/url.js';

export type ServerTarget =
  | { readonly kind: 'directory'; readonly url: URL }
  | { readonly kind: 'boot-file'; readonly url: URL }
  | { readonly kind: 'cfg-file'; readonly url: URL };

export type ServerParse = { ok: true; target: ServerTarget } | { ok: false; message: string };

/** S4: `$PN` and `$MAC` in a URL (case as the guide writes them). */
export function expandWildcards(url: string, values: { pn: string; mac: string }): string {
  return url.replace(/\$PN/g, values.pn).replace(/\$MAC/g, values.mac);
}

/** Parses a server address after wildcard expansion: a URL, or a bare host meaning TFTP (S5). */
export function parseServerUrl(text: string): ServerParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'the server address is empty' };
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? new URL(trimmed) : new URL(`tftp://${trimmed}`);
  } catch {
    return { ok: false, message: `"${maskUserInfo(trimmed)}" is not a URL or a host name` };
  }
  const supported = ['tftp:', 'ftp:', 'http:', 'https:', 'file:'];
  if (!supported.includes(url.protocol)) {
    return {
      ok: false,
      message: `${url.protocol}// is not a provisioning protocol; use tftp, ftp, http, https or file`,
    };
  }
  const last = url.pathname.split('/').pop() ?? '';
  if (/\.boot$/i.test(last)) return { ok: true, target: { kind: 'boot-file', url } };
  if (/\.cfg$/i.test(last)) return { ok: true, target: { kind: 'cfg-file', url } };
  // S6: anything else is a directory; the phone adds the slash.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { ok: true, target: { kind: 'directory', url } };
}

/** B3: an include target relative to the boot file's URL, or absolute in any supported scheme. */
export function resolveIncludeUrl(target: string, bootUrl: URL): URL | undefined {
  try {
    return new URL(target, bootUrl);
  } catch {
    return undefined;
  }
}

/**
 * The server's folder (S6), defined once for every spelling of the address (#13.9): the folder a
 * directory URL names (`file:///srv/site` and `file:///srv/site/` alike, S6 adds the slash), or the
 * folder of the boot or CFG file a URL names. Reports name files by their path below it, and a
 * `file:` server's tree is this folder: nothing outside it is read.
 */
export function serverRoot(target: ServerTarget): URL {
  return target.kind === 'directory' ? target.url : directoryOf(target.url);
}

/** The directory a file URL is in. */
export function directoryOf(url: URL): URL {
  return new URL('./', url);
}

/** The last path segment, decoded: `00156574b150.cfg`. */
export function fileName(url: URL): string {
  const path = url.pathname;
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (!last.includes('%')) return last;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** How reports name a file: its path below the server's root when it is there, else the URL. */
export function labelFor(url: URL, root: URL): string {
  const path = url.pathname;
  const rootPath = root.pathname;
  if (url.protocol === root.protocol && url.host === root.host && path.startsWith(rootPath)) {
    const rest = path.slice(rootPath.length);
    if (!rest.includes('%')) return rest;
    try {
      return decodeURIComponent(rest);
    } catch {
      return rest;
    }
  }
  return redactUrl(url);
}

/** A URL fit to print: the password in its user info is replaced. */
export function redactUrl(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}
