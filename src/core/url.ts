// URL helpers shared by the engine and the fetchers.

/** The URL without user name and password: to keep (saved state, M1 keys) or to send on. */
export function withoutUserInfo(url: URL): URL {
  if (!url.username && !url.password) return url;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}
