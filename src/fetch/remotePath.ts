// The file a `tftp:` or `ftp:` URL names on its server, checked before anything is sent: the path
// percent-decoded without its leading slash (RFC 3617, RFC 1738 §3.2.2), a file and not a folder,
// and never climbing out of the server's root with `..` (as for the tree fetcher, issue #2 §6).

export type RemotePath =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'outside'; readonly reason: string }
  | { readonly kind: 'bad'; readonly reason: string };

export interface RemotePathRules {
  /** What the protocol fetches, for the folder message: "TFTP fetches files only". */
  readonly filesOnly: string;
  /** What separates the path's segments for the `..` check. */
  readonly separators: RegExp;
  /** Taken off the path before decoding (FTP's `;type=`). */
  readonly suffix?: RegExp;
  /** Characters the protocol cannot carry, and why (a NUL always). */
  readonly refused: readonly { readonly pattern: RegExp; readonly reason: (decoded: string) => string }[];
}

export function remotePath(url: URL, rules: RemotePathRules): RemotePath {
  let decoded: string;
  try {
    const raw = url.pathname.replace(/^\//, '');
    decoded = decodeURIComponent(rules.suffix ? raw.replace(rules.suffix, '') : raw);
  } catch {
    return { kind: 'bad', reason: `${url.pathname} is not valid percent-encoding` };
  }
  if (decoded === '' || decoded.endsWith('/'))
    return { kind: 'bad', reason: `${url.pathname} names a folder, not a file: ${rules.filesOnly}` };
  if (decoded.split(rules.separators).includes('..'))
    return {
      kind: 'outside',
      reason: `${url.pathname} climbs out of the server's root with ..; refused, not sent`,
    };
  for (const { pattern, reason } of rules.refused)
    if (pattern.test(decoded)) return { kind: 'bad', reason: reason(decoded) };
  return { kind: 'path', path: decoded };
}
