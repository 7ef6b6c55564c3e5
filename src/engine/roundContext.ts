// What a round carries while it runs: its inputs, its log, and the one way it downloads a file
// (boot, CFG, MAC-local, key, certificate and ROM alike: size limit, logging and diagnostics here).
import { createHash } from 'node:crypto';
import { error, warning, type Diagnostic } from '../config/diagnostic.js';
import type { Credentials, FailureCause, FetchRequest, TransferSettings } from '../fetch/fetcher.js';
import { ParseCache } from './parseCache.js';
import type { Download, DownloadKind, SkippedInclude } from './report.js';
import { fileName, labelFor, redactUrl } from './serverUrl.js';
import type { ConfigView } from './settings.js';
import { maxBytesFor } from './sizeLimits.js';
import type { Catalogues, RoundInput } from './types.js';

/** Everything one round reports as it runs, in order. */
export class RoundLog {
  readonly diagnostics: Diagnostic[] = [];
  readonly downloads: Download[] = [];
  readonly skipped: SkippedInclude[] = [];

  add(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  /** A file's diagnostics, one by one: a list can be longer than a call's arguments may be (#13.2). */
  addAll(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) this.diagnostics.push(d);
  }
}

/** A line of a file: where a download was asked for, or where the setting that named it is. */
export interface Location {
  readonly file: string;
  readonly line: number;
}

export interface Fetched {
  readonly url: URL;
  /** As reports name it: the path below the server's root. */
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly md5: string;
}

export interface Context {
  readonly input: RoundInput;
  readonly catalogues: Catalogues;
  readonly cache: ParseCache;
  readonly log: RoundLog;
  /** The phone's configuration as the round started (values, else factory defaults). */
  readonly before: ConfigView;
  /** The server's folder (S6): files below it are named by their path from it. */
  readonly root: URL;
  readonly userAgent: string;
  readonly credentials?: Credentials;
  readonly transfer: TransferSettings;
  /** B5, C3: the firmware understands `[$MODEL]` prefixes. */
  readonly modelFilter: boolean;
}

/** One download's outcome, as the steps act on it; the log already holds its record and diagnostics. */
export type FetchResult =
  | { readonly kind: 'ok'; readonly file: Fetched }
  | { readonly kind: 'not-found' }
  /** Outside the tree of a `--tree` round (#12): the phone would fetch it; not a failure. */
  | { readonly kind: 'not-fetched'; readonly file: string }
  | { readonly kind: 'failed'; readonly cause: FailureCause };

export interface FetchWhere {
  /** The boot file line whose include asks for the file (B3): recorded in the download. */
  readonly requestedBy?: Location;
  /** The line of the setting that names the file (R3 firmware URL, S5 CA URL): where diagnostics point. */
  readonly setting?: Location;
}

/** The rule a finding about a download of this kind rests on. */
const RULE_OF: Record<DownloadKind, string> = {
  boot: 'D',
  config: 'D',
  'mac-local': 'D',
  key: 'D',
  firmware: 'R3',
  certificate: 'S5',
};

/** Downloads one file within its kind's size limit and logs it, with a diagnostic where one is due. */
export async function fetchFile(
  ctx: Context,
  url: URL,
  kind: DownloadKind,
  where: FetchWhere = {},
): Promise<FetchResult> {
  const maxBytes = maxBytesFor(kind, ctx.input.sizeLimits);
  // Built field by field: a spread per request costs more than the rest of the bookkeeping.
  const request: FetchRequest = ctx.credentials
    ? { url, userAgent: ctx.userAgent, transfer: ctx.transfer, maxBytes, credentials: ctx.credentials }
    : { url, userAgent: ctx.userAgent, transfer: ctx.transfer, maxBytes };
  let outcome = await ctx.input.fetcher.fetch(request);
  // A fetcher that read more than asked does not make the round keep it (#13.3).
  if (outcome.kind === 'ok' && outcome.bytes.byteLength > maxBytes) {
    outcome = { kind: 'failed', cause: 'too-large', detail: `larger than ${maxBytes} bytes` };
  }
  const file = labelFor(url, ctx.root);
  const at = where.requestedBy ?? where.setting;
  const record = new DownloadRecord(url, file, kind, where.requestedBy);
  switch (outcome.kind) {
    case 'not-found':
      ctx.log.downloads.push(record.notFound(outcome.detail));
      if (where.requestedBy) {
        ctx.log.add(
          warning(
            'D',
            `${file} is not on the server (HTTP 404 or equivalent): wrong URL or missing file`,
            where.requestedBy.file,
            where.requestedBy.line,
          ),
        );
      }
      return NOT_FOUND;
    case 'failed': {
      const { cause, detail } = outcome;
      if (cause === 'offline' || cause === 'outside-root') {
        // #12: a --tree round reads nothing outside its tree; the phone, on a real server, would.
        ctx.log.downloads.push(record.failed('not-fetched', cause, detail));
        ctx.log.add(
          warning(
            RULE_OF[kind],
            `not fetched: outside the tree; the phone would fetch ${redactUrl(url)}`,
            at?.file,
            at?.line,
          ),
        );
        return { kind: 'not-fetched', file };
      }
      ctx.log.downloads.push(record.failed('failed', cause, detail));
      ctx.log.add(error(RULE_OF[kind], `${file}: ${failureMessage(cause, detail)}`, at?.file, at?.line));
      return { kind: 'failed', cause };
    }
    case 'ok': {
      const md5 = outcome.md5 ?? createHash('md5').update(outcome.bytes).digest('hex');
      ctx.log.downloads.push(record.found(md5, outcome.bytes.byteLength));
      return { kind: 'ok', file: { url, file, bytes: outcome.bytes, md5 } };
    }
  }
}

const NOT_FOUND: FetchResult = { kind: 'not-found' };

/**
 * A download's record, its fields in the order reports have always printed them; the two outcomes
 * of nearly every request (found, not found) as literals of one shape each.
 */
class DownloadRecord {
  constructor(
    private readonly url: URL,
    private readonly file: string,
    private readonly kind: DownloadKind,
    private readonly requestedBy: Location | undefined,
  ) {}

  found(md5: string, size: number): Download {
    const { url, file, kind, requestedBy } = this;
    const name = fileName(url);
    return requestedBy
      ? { url: redactUrl(url), name, file, kind, requestedBy, outcome: 'ok', md5, size }
      : { url: redactUrl(url), name, file, kind, outcome: 'ok', md5, size };
  }

  notFound(detail: string): Download {
    const { url, file, kind, requestedBy } = this;
    const name = fileName(url);
    return requestedBy
      ? { url: redactUrl(url), name, file, kind, requestedBy, outcome: 'not-found', md5: null, detail }
      : { url: redactUrl(url), name, file, kind, outcome: 'not-found', md5: null, detail };
  }

  failed(outcome: 'failed' | 'not-fetched', cause: FailureCause, detail: string): Download {
    const { url, file, kind, requestedBy } = this;
    return {
      url: redactUrl(url),
      name: fileName(url),
      file,
      kind,
      ...(requestedBy && { requestedBy }),
      outcome,
      md5: null,
      cause,
      detail,
    };
  }
}

/** A fetched file's text (UTF-8), decoded once per content however many phones read it. */
export function textOf(ctx: Context, fetched: Fetched): string {
  return ctx.cache.text(fetched.md5, fetched.bytes);
}

/** Spec D's words for a failed transfer, then the fetcher's detail, said once (#13.10). */
export function failureMessage(cause: FailureCause, detail: string): string {
  const text = failureText(cause);
  return detail.toLowerCase().startsWith(text.toLowerCase()) ? detail : `${text}: ${detail}`;
}

export function failureText(cause: FailureCause): string {
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
    case 'too-large':
      return 'too large for the phone';
    case 'offline':
      return 'not fetched: outside the tree';
    default:
      return 'download failed';
  }
}
