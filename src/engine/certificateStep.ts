// S5 in a round: a CA named by `static.trusted_certificates.url` is downloaded after the
// configuration and trusted for HTTPS from then on, as the phone adds it to its trusted list.
import { X509Certificate } from 'node:crypto';
import { error } from '../config/diagnostic.js';
import { fetchFile, type Context } from './roundContext.js';
import { resolveIncludeUrl } from './serverUrl.js';
import type { ConfigView } from './settings.js';

/** The phone keeps at most 10 custom CAs (reference §5). */
const MAX_CUSTOM_CAS = 10;

/** The certificates the phone trusts after the round: unchanged when there is nothing new. */
export async function considerCertificates(
  ctx: Context,
  get: ConfigView,
  held: Readonly<Record<string, string>>,
): Promise<Readonly<Record<string, string>>> {
  const raw = get('static.trusted_certificates.url').trim();
  if (raw === '') return held;
  const url = resolveIncludeUrl(raw, ctx.root);
  if (!url) {
    ctx.log.diagnostics.push(error('S5', `static.trusted_certificates.url "${raw}" is not a URL`));
    return held;
  }
  if (held[url.href] !== undefined) return held;
  const fetched = await fetchFile(ctx, url, 'certificate');
  if (fetched === undefined) {
    ctx.log.diagnostics.push(
      error('S5', `static.trusted_certificates.url: ${url.href} is not on the server`),
    );
    return held;
  }
  if (fetched === 'failed') return held;
  const pems = fetched.text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const valid = pems.filter((pem) => {
    try {
      return new X509Certificate(pem).ca;
    } catch {
      return false;
    }
  });
  if (valid.length === 0) {
    ctx.log.diagnostics.push(
      error('S5', `${fetched.file} holds no CA certificate in PEM form; the phone does not trust it`),
    );
    return held;
  }
  const next = { ...held, [url.href]: valid.join('\n') };
  const urls = Object.keys(next);
  return Object.fromEntries(urls.slice(Math.max(0, urls.length - MAX_CUSTOM_CAS)).map((u) => [u, next[u]!]));
}
