// The fleet's plain HTTP downloads, as light as a load generator's (issue #14 §2): a GET with the
// phone's User-Agent (S7) on a kept-alive connection, through undici's dispatch API with a bare
// handler (no response stream, no AbortSignal and timer of its own per request: undici's header and
// body timeouts), and each body's MD5 taken once per content (a body equal to the last one of its
// URL is that one, MD5 included: a boot storm downloads the same few files thousands of times).
// It answers what a provisioning server answers nearly every time (2xx, 404, 410) as HttpFetcher
// does; everything else (a challenge, a redirect, another status, a network error, a timeout) is
// HttpFetcher's to handle: that attempt is made again by it, and an origin that challenged,
// redirected or failed is left to it from then on. So the outcomes are HttpFetcher's; a failing
// server sees the first failed request twice.
import { createHash } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import {
  notFound,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
  type Uploader,
} from '../fetch/fetcher.js';
import { HttpFetcher } from '../fetch/httpFetcher.js';
import { RetryingFetcher, type Sleep } from '../fetch/retry.js';

/** Bodies remembered per URL, to compare the next one with (two generations of this many). */
const REMEMBERED_BODIES = 1024;

interface Body {
  readonly bytes: Buffer;
  readonly md5: string;
}

export class LeanHttp implements Fetcher {
  private readonly agent: Agent;
  /** Origins HttpFetcher handles from now on (they challenged, redirected or failed). */
  private readonly full = new Set<string>();
  private recentBodies = new Map<string, Body>();
  private olderBodies = new Map<string, Body>();

  /**
   * @param fallback HttpFetcher (one attempt, as this is): what is not a plain answer goes to it
   * @param connections at most this many connections per origin, as HttpFetcher's pool
   */
  constructor(
    private readonly fallback: Fetcher,
    connections: number,
  ) {
    this.agent = new Agent({ connections });
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    const url = request.url;
    // Credentials (S5) are answered by HttpFetcher: the plain path never sends any.
    if (url.protocol !== 'http:' || url.username !== '' || this.full.has(url.origin))
      return this.fallback.fetch(request);
    return new Promise<Answer>((resolve) => {
      this.agent.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: 'GET',
          headers: { 'user-agent': request.userAgent },
          headersTimeout: request.transfer.timeoutMs,
          bodyTimeout: request.transfer.timeoutMs,
        },
        new AnswerHandler(resolve),
      );
    }).then((answer) => this.outcome(request, answer));
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private outcome(request: FetchRequest, answer: Answer): FetchOutcome | Promise<FetchOutcome> {
    const { status } = answer;
    if (status >= 200 && status < 300) return { kind: 'ok', ...this.body(request.url.href, answer.chunks) };
    // HttpFetcher's words for these (spec D: wrong URL or missing file).
    if (status === 404 || status === 410) return notFound(`HTTP ${status}`);
    // A challenge, a redirect, another status, or no answer: HttpFetcher's, from now on for this origin.
    this.full.add(request.url.origin);
    return this.fallback.fetch(request);
  }

  /** The body as one buffer and its MD5, the last one of this URL when it is the same. */
  private body(href: string, chunks: readonly Buffer[]): Body {
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const known = this.recentBodies.get(href) ?? this.olderBodies.get(href);
    if (known && known.bytes.equals(bytes)) {
      if (!this.recentBodies.has(href)) this.remember(href, known);
      return known;
    }
    const body = { bytes, md5: createHash('md5').update(bytes).digest('hex') };
    this.remember(href, body);
    return body;
  }

  private remember(href: string, body: Body): void {
    this.recentBodies.set(href, body);
    if (this.recentBodies.size > REMEMBERED_BODIES) {
      this.olderBodies = this.recentBodies;
      this.recentBodies = new Map();
    }
  }
}

/** What came back: a status and the body's chunks; status 0 when the exchange failed. */
interface Answer {
  readonly status: number;
  readonly chunks: Buffer[];
}

/** undici's dispatch handler: collects the answer, resolves once. */
class AnswerHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private readonly chunks: Buffer[] = [];

  constructor(private readonly resolve: (answer: Answer) => void) {}

  onRequestStart(): void {
    // Nothing to do before it is sent (undici knows this handler by this method).
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number): void {
    this.status = status;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.resolve({ status: this.status, chunks: this.chunks });
  }

  onResponseError(): void {
    this.resolve({ status: 0, chunks: [] });
  }
}

/**
 * The fleet's transport for servers: plain HTTP downloads through LeanHttp (HttpFetcher behind it),
 * with the same retries (issue #3 §2) as the wire fetcher, which does everything else (HTTPS, FTP,
 * TFTP, uploads).
 */
export class FleetWire implements Fetcher, Uploader {
  private readonly fallback: HttpFetcher;
  private readonly lean: LeanHttp;
  private readonly http: Fetcher;

  constructor(
    private readonly wire: Fetcher & Uploader & { close(): Promise<void> },
    options: { readonly ca: readonly string[]; readonly connections: number; readonly sleep: Sleep },
  ) {
    this.fallback = new HttpFetcher(options);
    this.lean = new LeanHttp(this.fallback, options.connections);
    this.http = new RetryingFetcher(this.lean, options.sleep);
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    return request.url.protocol === 'http:' ? this.http.fetch(request) : this.wire.fetch(request);
  }

  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    return this.wire.put(request, bytes);
  }

  async close(): Promise<void> {
    await Promise.all([this.lean.close(), this.fallback.close(), this.wire.close()]);
  }
}
