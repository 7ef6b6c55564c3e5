// URL helpers shared by the engine and the fetchers.

/** The URL without user name and password: to keep (saved state, M1 keys) or to send on. */
export function withoutUserInfo(url: URL): URL {
  if (!url.username && !url.password) return url;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}

/**
 * A URL-like text fit to print when it may not parse: everything from `scheme://` to the last `@`
 * (user name and password, even with a `/` in the password) becomes `***@`.
 */
export function maskUserInfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s]*@/gi, '$1***@');
}
