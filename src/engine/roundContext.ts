// What a round carries while it runs: its inputs, its log, and the one way it downloads a file.
import { createHash } from 'node:crypto';
import { error, warning, type Diagnostic } from '../config/diagnostic.js';
import type { Credentials, FetchOutcome, TransferSettings } from '../fetch/fetcher.js';
import { ParseCache } from './parseCache.js';
import type { Download, DownloadKind, SkippedInclude } from './report.js';
import { fileName, labelFor, redactUrl } from './serverUrl.js';
import { type ConfigView } from './settings.js';
import type { Catalogues, RoundInput } from './round.js';
import type { LayerSetting } from './merge.js';
import { withoutUserInfo } from '../core/url.js';

/** Everything one round accumulates while it runs. */
export class RoundLog {
  readonly diagnostics: Diagnostic[] = [];
  readonly downloads: Download[] = [];
  readonly skipped: SkippedInclude[] = [];
  /** M1: URL → MD5 of every configuration file downloaded this round. */
  readonly md5 = new Map<string, string>();
}

export interface Fetched {
  readonly url: URL;
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly md5: string;
  /** The bytes decoded as UTF-8 (meaningless for an encrypted file). */
  readonly text: string;
}

export interface Context {
  readonly input: RoundInput;
  readonly catalogues: Catalogues;
  readonly cache: ParseCache;
  readonly log: RoundLog;
  readonly root: URL;
  readonly userAgent: string;
  readonly credentials?: Credentials;
  readonly transfer: TransferSettings;
  readonly modelFilter: boolean;
  /** Every setting the round's files have given so far, in order: E1 keys provisioned earlier in the round. */
  readonly seen: LayerSetting[];
}

/** Downloads one file and logs it; undefined when not found, 'failed' when the transfer failed. */
export async function fetchFile(
  ctx: Context,
  url: URL,
  kind: DownloadKind,
  from?: { file: string; line: number },
): Promise<Fetched | undefined | 'failed'> {
  const outcome: FetchOutcome = await ctx.input.fetcher.fetch({
    url,
    userAgent: ctx.userAgent,
    transfer: ctx.transfer,
    ...(ctx.credentials && { credentials: ctx.credentials }),
  });
  const file = labelFor(url, ctx.root);
  const base = { url: redactUrl(url), name: fileName(url), file, kind, ...(from && { requestedBy: from }) };
  if (outcome.kind === 'not-found') {
    ctx.log.downloads.push({ ...base, outcome: 'not-found', md5: null, detail: outcome.detail });
    if (from) {
      ctx.log.diagnostics.push(
        warning(
          'D',
          `${file} is not on the server (HTTP 404 or equivalent): wrong URL or missing file`,
          from.file,
          from.line,
        ),
      );
    }
    return undefined;
  }
  if (outcome.kind === 'failed') {
    ctx.log.downloads.push({
      ...base,
      outcome: 'failed',
      md5: null,
      cause: outcome.cause,
      detail: outcome.detail,
    });
    ctx.log.diagnostics.push(
      error('D', `${file}: ${failureText(outcome.cause)}: ${outcome.detail}`, from?.file, from?.line),
    );
    return 'failed';
  }
  const md5 = outcome.md5 ?? createHash('md5').update(outcome.bytes).digest('hex');
  ctx.log.downloads.push({ ...base, outcome: 'ok', md5, size: outcome.bytes.byteLength });
  // M1 compares configuration files only; a ROM or a certificate is a resource.
  // Keyed without user info: the saved state must not hold a password, and a changed password is
  // not a changed file.
  if (kind !== 'firmware' && kind !== 'certificate' && kind !== 'key')
    ctx.log.md5.set(withoutUserInfo(url).href, md5);
  return { url, file, bytes: outcome.bytes, md5, text: ctx.cache.text(md5, outcome.bytes) };
}

export function failureText(cause: string): string {
  switch (cause) {
    case 'unreachable':
      return 'server or network unreachable';
    case 'timeout':
      return 'no answer within the transfer timeout';
    case 'auth':
      return 'wrong credentials';
    case 'tls':
      return "can't authenticate the server: its certificate is not trusted";
    case 'outside-root':
      return 'refused: outside the tree';
    default:
      return 'download failed';
  }
}

export function credentialsFor(
  url: URL,
  get: ConfigView,
  given?: Credentials,
  withAddress?: Credentials,
  fromConfig = true,
): { credentials?: Credentials } {
  // S5: credentials in the URL first, then those that came with the address (an activation
  // code's, T8), then the configured ones, then what the user gave.
  if (url.username) {
    return {
      credentials: { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
    };
  }
  if (withAddress) return { credentials: withAddress };
  const user = fromConfig ? get('static.auto_provision.server.username') : '';
  if (user !== '') return { credentials: { user, password: get('static.auto_provision.server.password') } };
  return given ? { credentials: given } : {};
}
