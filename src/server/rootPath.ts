// Maps a request-target to a path below the served root, and refuses, before anything is read,
// whatever leaves it: `..` plain or percent-encoded, encoded slashes, links that lead out of the
// root. The server side of the tree fetcher's confinement (fileFetcher.ts, issue #2 §6).
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

export type RequestPath =
  | { readonly kind: 'path'; readonly segments: readonly string[] }
  | { readonly kind: 'outside'; readonly reason: string }
  | { readonly kind: 'bad'; readonly reason: string };

/**
 * The decoded path segments of a request-target (origin-form `/a/b?q`, or absolute-form
 * `http://host/a/b`). Node's http server hands the target over as received, `..` included:
 * each segment is decoded once and checked after decoding, so `%2e%2e` and `..%2f` are caught too.
 */
export function requestPath(target: string): RequestPath {
  let path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  path = path.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/')) return { kind: 'bad', reason: `"${target}" is not a path` };
  const segments: string[] = [];
  for (const raw of path.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { kind: 'bad', reason: `"${raw}" is not valid percent-encoding` };
    }
    if (segment.includes('\0')) return { kind: 'bad', reason: 'a NUL byte in the path' };
    if (segment === '..') return { kind: 'outside', reason: 'the path climbs out of the root with ..' };
    if (segment.includes('/') || segment.includes('\\')) {
      return { kind: 'outside', reason: 'an encoded slash in a path segment' };
    }
    if (segment === '' || segment === '.') continue;
    segments.push(segment);
  }
  return { kind: 'path', segments };
}

export type Located =
  | { readonly kind: 'found'; readonly path: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'outside'; readonly reason: string }
  /** A folder on the way the server may not search (EACCES, EPERM). */
  | { readonly kind: 'denied' };

/**
 * Resolves links; a path whose real location is not below the root is refused, not read. A name
 * too long for the file system (ENAMETOOLONG) names nothing there: missing, not a server error
 * whose message would show the root's absolute path (issue #13 §6). Other errors are thrown.
 */
export async function locateBelowRoot(rootReal: string, segments: readonly string[]): Promise<Located> {
  let real: string;
  try {
    real = await realpath(join(rootReal, ...segments));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG') {
      return { kind: 'missing' };
    }
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
    throw e;
  }
  if (!isInside(real, rootReal)) return { kind: 'outside', reason: 'a link that leads out of the root' };
  return { kind: 'found', path: real };
}

export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
