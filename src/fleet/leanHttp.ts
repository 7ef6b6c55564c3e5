// The fleet's plain HTTP downloads, as light as a load generator's (issue #14 §2): a GET with the
// phone's User-Agent (S7) on a kept-alive connection, through undici's dispatch API with a bare
// handler (no response stream, no AbortSignal and timer of its own per request: undici's header and
// body timeouts), and each body's MD5 taken once per content (a body equal to the last one of its
// URL is that one, MD5 included: a boot storm downloads the same few files thousands of times).
// It answers what a provisioning server answers nearly every time (2xx, 404, 410) as HttpFetcher
// does, a body over the request's size limit included (issue #13 §3); everything else (a challenge, a redirect, another status, a network error, a timeout) is
// HttpFetcher's to handle: that attempt is made again by it, and an origin that challenged,
// redirected or failed is left to it from then on. So the outcomes are HttpFetcher's; a failing
// server sees the first failed request twice.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import { compose, masking, retrying, type Transport } from '../fetch/compose.js';
import {
  notFound,
  tooLarge,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
} from '../fetch/fetcher.js';
import { HttpFetcher } from '../fetch/httpFetcher.js';
import { openWire, type Wire } from '../fetch/openWire.js';
import type { Sleep } from '../fetch/retry.js';

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
        new AnswerHandler(resolve, request.maxBytes),
      );
    }).then((answer) => this.outcome(request, answer));
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private outcome(request: FetchRequest, answer: Answer): FetchOutcome | Promise<FetchOutcome> {
    const { status } = answer;
    // HttpFetcher's refusal, word for word (the transfer was cut off: its connection is not reused).
    if (answer.tooLarge) return tooLarge(request.maxBytes!);
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

/**
 * What came back: a status and the body's chunks (a 2xx's only); status 0 when the exchange failed;
 * `tooLarge` when a 2xx body was over the size limit (announced or received).
 */
interface Answer {
  readonly status: number;
  readonly chunks: Buffer[];
  readonly tooLarge?: true;
}

/** undici's dispatch handler: collects the answer, resolves once. */
class AnswerHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private received = 0;
  private settled = false;
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly resolve: (answer: Answer) => void,
    private readonly maxBytes: number | undefined,
  ) {}

  onRequestStart(): void {
    // Nothing to do before it is sent (undici knows this handler by this method).
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = status;
    if (!this.ok() || this.maxBytes === undefined) return;
    // A size announced over the limit is refused before a byte is read, as HttpFetcher does.
    const declared = headers['content-length'];
    const length = Number(Array.isArray(declared) ? declared[0] : declared);
    if (length > this.maxBytes) this.refuse(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // Only a file's body is kept; a 404's page is read past (the connection stays usable).
    if (this.settled || !this.ok()) return;
    this.received += chunk.length;
    if (this.maxBytes !== undefined && this.received > this.maxBytes) return this.refuse(controller);
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.settle({ status: this.status, chunks: this.chunks });
  }

  onResponseError(): void {
    this.settle({ status: 0, chunks: [] });
  }

  private ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** Over the size limit: answered so, and the transfer ended (undici closes that connection). */
  private refuse(controller: Dispatcher.DispatchController): void {
    this.settle({ status: this.status, chunks: [], tooLarge: true });
    controller.abort(new Error('over the size limit'));
  }

  private settle(answer: Answer): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(answer);
  }
}

/** What the fleet's wire is opened with: openWire's options that the fleet uses. */
export interface FleetWireOptions {
  readonly caFiles: readonly string[];
  readonly connections: number;
  readonly sleep: Sleep;
}

/**
 * The fleet's transport for servers: openWire's (issue #16.6) for every scheme, but for plain HTTP
 * downloads, which go through LeanHttp (HttpFetcher behind it) with openWire's layers: the same
 * retries (issue #3 §2) and the same masking of user info in details (issue #13 §4).
 */
export class FleetWire implements Wire {
  private readonly fallback: HttpFetcher;
  private readonly lean: LeanHttp;
  private readonly wire: Wire;
  private readonly http: Transport;

  constructor(options: FleetWireOptions) {
    const { caFiles, connections, sleep } = options;
    this.wire = openWire({ caFiles, connections, sleep });
    this.fallback = new HttpFetcher({ ca: caFiles.map((path) => readFileSync(path, 'utf8')), connections });
    this.lean = new LeanHttp(this.fallback, connections);
    const lean: Transport = {
      fetch: (request) => this.lean.fetch(request),
      put: (request, bytes) => this.wire.put(request, bytes),
    };
    this.http = compose(lean, retrying(sleep), masking);
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
