// S5 in a round: a CA named by `static.trusted_certificates.url` is downloaded after the
// configuration and trusted for HTTPS from then on, as the phone adds it to its trusted list.
import { X509Certificate } from 'node:crypto';
import { error } from '../config/diagnostic.js';
import { fetchFile, textOf, type Context, type Location } from './roundContext.js';
import { redactUrl, resolveIncludeUrl } from './serverUrl.js';
import type { ConfigView } from './settings.js';

/** The phone keeps at most 10 custom CAs (reference §5). */
const MAX_CUSTOM_CAS = 10;
const KEY = 'static.trusted_certificates.url';

/**
 * The certificates the phone trusts after the round: unchanged when there is nothing new.
 * @param setAt where the merged configuration got a key from: diagnostics point at that line.
 */
export async function considerCertificates(
  ctx: Context,
  get: ConfigView,
  setAt: (key: string) => Location | undefined,
  held: Readonly<Record<string, string>>,
): Promise<Readonly<Record<string, string>>> {
  const raw = get(KEY).trim();
  if (raw === '') return held;
  const at = setAt(KEY);
  const url = resolveIncludeUrl(raw, ctx.root);
  if (!url) {
    ctx.log.add(error('S5', `${KEY} "${raw}" is not a URL`, at?.file, at?.line));
    return held;
  }
  if (held[url.href] !== undefined) return held;
  const got = await fetchFile(ctx, url, 'certificate', at ? { setting: at } : {});
  if (got.kind === 'not-found') {
    ctx.log.add(error('S5', `${KEY}: ${redactUrl(url)} is not on the server`, at?.file, at?.line));
    return held;
  }
  // Failed or outside the tree: the log says so; the phone trusts what it trusted before.
  if (got.kind !== 'ok') return held;
  const pems =
    textOf(ctx, got.file).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const valid = pems.filter((pem) => {
    try {
      return new X509Certificate(pem).ca;
    } catch {
      return false;
    }
  });
  if (valid.length === 0) {
    ctx.log.add(
      error(
        'S5',
        `${got.file.file} holds no CA certificate in PEM form; the phone does not trust it`,
        got.file.file,
        1,
      ),
    );
    return held;
  }
  const next = { ...held, [url.href]: valid.join('\n') };
  const urls = Object.keys(next);
  return Object.fromEntries(urls.slice(Math.max(0, urls.length - MAX_CUSTOM_CAS)).map((u) => [u, next[u]!]));
}
