// Downloads (GET) and uploads (PUT, K2) over http: and https: as the phone does (spec S5, S7, D):
// plain requests with the phone's User-Agent, Basic or Digest answered as the server asks,
// certificates checked unless the phone is told not to; every network condition is an outcome.
import { createHash } from 'node:crypto';
import { maskUserInfo, withoutUserInfo } from '../core/url.js';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import {
  notFound,
  tooLarge,
  type Credentials,
  type FailureCause,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
  type Uploader,
} from './fetcher.js';
import {
  basicAuthorization,
  chooseAuth,
  digestAuthorization,
  newCnonce,
  parseAuthHeader,
} from './httpAuth.js';

export interface HttpFetcherOptions {
  /** Extra trusted CA certificates (PEM), added to Node's built-in roots (the phone's custom CAs, S5). */
  readonly ca?: readonly string[];
  /** At most this many connections per origin (a fleet: its --concurrency); default unlimited. */
  readonly connections?: number;
}

/** Redirects followed before the transfer is failed. */
export const MAX_REDIRECTS = 5;

const NO_CREDENTIALS =
  'the server asks for credentials and none are configured (static.auto_provision.server.username/password)';

/** Node's codes for a certificate that cannot be trusted (spec D: "can't authenticate the server"). */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

type Failure = { readonly kind: 'failed'; readonly cause: FailureCause; readonly detail: string };
const fail = (cause: FailureCause, detail: string): Failure => ({ kind: 'failed', cause, detail });

/** A response whose body has not been read yet. */
interface Answer {
  readonly kind: 'answer';
  readonly response: Dispatcher.ResponseData;
}

export class HttpFetcher implements Fetcher, Uploader {
  /** One pool per trust setting: verification on or off, and the CAs the phone was provisioned with. */
  private readonly agents = new Map<string, Agent>();
  private readonly ca: readonly string[];
  private readonly connections: number | undefined;

  constructor(options: HttpFetcherOptions = {}) {
    this.ca = options.ca ?? [];
    this.connections = options.connections;
  }

  /** One attempt (RetryingFetcher retries): GET, with the phone's UA and nothing conditional (S7). */
  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const signal = AbortSignal.timeout(request.transfer.timeoutMs);
    const exchanged = await this.exchange(request, 'GET', undefined, signal);
    if (exchanged.kind === 'failed') return exchanged;
    const { response } = exchanged;
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      return this.readBody(response, signal, request.transfer.timeoutMs, request.maxBytes);
    }
    await discard(response);
    if (status === 404 || status === 410) return notFound(`HTTP ${status}`);
    return statusFailure(response, 'download');
  }

  /** K2: uploads the MAC-local file (or a contact backup) with HTTP PUT; 2xx is success. */
  async put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    const signal = AbortSignal.timeout(request.transfer.timeoutMs);
    const exchanged = await this.exchange(request, 'PUT', bytes, signal);
    if (exchanged.kind === 'failed') return exchanged;
    const { response } = exchanged;
    await discard(response);
    if (response.statusCode >= 200 && response.statusCode < 300) return { kind: 'ok' };
    return statusFailure(response, 'upload');
  }

  /** Ends the pooled connections. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }

  private agent(verifyTls: boolean, provisioned: readonly string[] = []): Agent {
    const extra = [...this.ca, ...provisioned];
    const key = verifyTls ? `verify|${createHash('sha1').update(extra.join('\n')).digest('hex')}` : 'any';
    let agent = this.agents.get(key);
    if (!agent) {
      // S5: with trust_certificates = 0 the phone takes any certificate; else Node's roots plus the
      // CAs given to autop (--ca) and those provisioned into the phone (static.trusted_certificates.url).
      agent = new Agent({
        ...(this.connections !== undefined && { connections: this.connections }),
        connect: verifyTls
          ? { rejectUnauthorized: true, ...(extra.length > 0 && { ca: [...rootCertificates, ...extra] }) }
          : { rejectUnauthorized: false },
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * Sends the request, answers one authentication challenge per hop (S5), and follows redirects;
   * returns the final response with its body unread. The signal bounds the whole attempt.
   */
  private async exchange(
    request: FetchRequest,
    method: 'GET' | 'PUT',
    body: Uint8Array | undefined,
    signal: AbortSignal,
  ): Promise<Answer | Failure> {
    if (request.url.protocol !== 'http:' && request.url.protocol !== 'https:') {
      return fail('unsupported', `the HTTP fetcher reads http: and https: URLs, not ${request.url.protocol}`);
    }
    // S5: user info in the URL wins over the configured credentials; it is never sent in the URL.
    const credentials = credentialsOf(request.url) ?? request.credentials;
    const origin = request.url.origin;
    let url = withoutUserInfo(request.url);
    for (let redirects = 0; ; redirects++) {
      // Credentials belong to the provisioning server: a redirect elsewhere does not get them.
      const hopCredentials = url.origin === origin ? credentials : undefined;
      const answered = await this.authenticated(request, url, method, body, hopCredentials, signal);
      if (answered.kind === 'failed') return answered;
      const { response } = answered;
      if (![301, 302, 303, 307, 308].includes(response.statusCode)) return answered;
      await discard(response);
      const location = header(response, 'location');
      if (location === undefined) {
        return fail('protocol', `HTTP ${response.statusCode} redirect without a Location header`);
      }
      if (method === 'PUT' && response.statusCode !== 307 && response.statusCode !== 308) {
        return fail(
          'protocol',
          `HTTP ${response.statusCode}: the server redirects the upload to ${redact(location, url)}`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return fail(
          'protocol',
          `HTTP ${response.statusCode} redirect to "${maskUserInfo(location)}", which is not a URL`,
        );
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        return fail(
          'unsupported',
          `the server redirects to ${redact(next.href, url)}; the phone follows http: and https: only`,
        );
      }
      if (redirects + 1 > MAX_REDIRECTS) {
        return fail(
          'protocol',
          `more than ${MAX_REDIRECTS} redirects (the last to ${redact(next.href, url)})`,
        );
      }
      url = withoutUserInfo(next);
    }
  }

  /** One hop: the plain request, then the answer to a 401 challenge (once; twice when the nonce was stale). */
  private async authenticated(
    request: FetchRequest,
    url: URL,
    method: 'GET' | 'PUT',
    body: Uint8Array | undefined,
    credentials: Credentials | undefined,
    signal: AbortSignal,
  ): Promise<Answer | Failure> {
    let answer = await this.send(request, url, method, body, undefined, signal);
    let staleRetried = false;
    for (let tries = 0; answer.kind === 'answer' && answer.response.statusCode === 401; tries++) {
      const challenges = parseAuthHeader(answer.response.headers['www-authenticate']);
      await discard(answer.response);
      if (!credentials) {
        const elsewhere = url.origin !== request.url.origin;
        return fail(
          'auth',
          elsewhere
            ? `redirected to ${url.origin}, which asks for credentials; the configured ones are sent only to ${request.url.origin}`
            : NO_CREDENTIALS,
        );
      }
      const chosen = chooseAuth(challenges);
      // A second 401 is a refusal (spec D "wrong credentials"), unless it only says that our Digest
      // nonce went stale (RFC 7616 §3.3): then one more answer, with the new nonce.
      const stale = chosen.kind === 'digest' && chosen.challenge.stale && !staleRetried;
      if (tries > 0 && !stale) {
        return fail(
          'auth',
          `wrong credentials: the server refused the password for user "${credentials.user}" (HTTP 401)`,
        );
      }
      if (chosen.kind === 'unsupported') return fail('auth', chosen.detail);
      if (tries > 0) staleRetried = true;
      const authorization =
        chosen.kind === 'basic'
          ? basicAuthorization(credentials)
          : digestAuthorization(chosen.challenge, credentials, {
              method,
              uri: requestTarget(url),
              nc: 1,
              cnonce: newCnonce(),
            });
      answer = await this.send(request, url, method, body, authorization, signal);
    }
    return answer;
  }

  private async send(
    request: FetchRequest,
    url: URL,
    method: 'GET' | 'PUT',
    body: Uint8Array | undefined,
    authorization: string | undefined,
    signal: AbortSignal,
  ): Promise<Answer | Failure> {
    const headers: Record<string, string> = { 'user-agent': request.userAgent }; // spec S7
    if (authorization !== undefined) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/octet-stream';
    try {
      const response = await this.agent(request.transfer.verifyTls, request.transfer.trustedCa).request({
        origin: url.origin,
        path: requestTarget(url),
        method,
        headers,
        ...(body !== undefined && { body }),
        signal,
      });
      return { kind: 'answer', response };
    } catch (e) {
      return networkFailure(e, signal, request.transfer.timeoutMs, url);
    }
  }

  /**
   * The body, never more than `maxBytes` of it (issue #13 §3): a Content-Length over the limit is
   * refused before a byte is read; a chunked or endless body is cut off once past it. Either way the
   * body is destroyed, which closes the connection (undici does not reuse one with a body unread).
   */
  private async readBody(
    response: Dispatcher.ResponseData,
    signal: AbortSignal,
    timeoutMs: number,
    maxBytes: number | undefined,
  ): Promise<FetchOutcome> {
    const declared = header(response, 'content-length');
    if (maxBytes !== undefined && declared !== undefined && Number(declared) > maxBytes) {
      abandon(response);
      return tooLarge(maxBytes);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (maxBytes !== undefined && received > maxBytes) {
          abandon(response);
          return tooLarge(maxBytes);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (signal.aborted) {
        return fail(
          'timeout',
          `the transfer did not finish within ${timeoutMs} ms (${received} bytes received)`,
        );
      }
      const of = declared !== undefined ? ` of the ${declared} announced (Content-Length)` : '';
      return fail(
        'protocol',
        `the server closed the connection mid-transfer after ${received} bytes${of}${codeSuffix(e)}`,
      );
    }
    const bytes = Buffer.concat(chunks, received);
    return { kind: 'ok', bytes, md5: createHash('md5').update(bytes).digest('hex') };
  }
}

/** Path and query as sent on the request line (and as Digest's `uri`). */
function requestTarget(url: URL): string {
  return `${url.pathname}${url.search}`;
}

function credentialsOf(url: URL): Credentials | undefined {
  if (url.username === '') return undefined;
  return { user: safeDecode(url.username), password: safeDecode(url.password) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A URL fit for a detail string: never its password. */
function redact(location: string, base: URL): string {
  try {
    return withoutUserInfo(new URL(location, base)).href;
  } catch {
    return maskUserInfo(location);
  }
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Stops reading a body for good: undici then closes the connection rather than reuse it. */
function abandon(response: Dispatcher.ResponseData): void {
  // undici's body reports its own destruction as an AbortError: expected here, not a fault.
  response.body.on('error', () => undefined);
  response.body.destroy();
}

async function discard(response: Dispatcher.ResponseData): Promise<void> {
  try {
    await response.body.dump({ limit: 64 * 1024 });
  } catch {
    // A body we do not want that fails to arrive changes nothing.
  }
}

function statusText(response: Dispatcher.ResponseData): string {
  return `HTTP ${response.statusCode}${response.statusText ? ` ${response.statusText}` : ''}`;
}

/** What a non-2xx status means for the phone (spec D). */
function statusFailure(response: Dispatcher.ResponseData, what: 'download' | 'upload'): Failure {
  const status = response.statusCode;
  const text = statusText(response);
  if (status === 403) return fail('auth', `${text}: the server refuses the ${what} (permissions)`);
  if (status >= 500) return fail('server-error', `${text}: the server failed`);
  if (what === 'upload' && (status === 404 || status === 409)) {
    return fail('protocol', `${text}: the upload folder does not exist on the server`);
  }
  if (what === 'upload' && status === 405) {
    return fail('protocol', `${text}: the server does not accept uploads (PUT) of this file`);
  }
  if (status >= 400) return fail('protocol', `${text}: the server rejected the request`);
  return fail('protocol', `${text}: not an answer the phone expects`);
}

function errorCode(e: unknown): string | undefined {
  for (let cause: unknown = e, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

function codeSuffix(e: unknown): string {
  const code = errorCode(e);
  return code !== undefined ? ` (${code})` : '';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Maps a connection-level error to the guide's diagnostics (spec D). */
function networkFailure(e: unknown, signal: AbortSignal, timeoutMs: number, url: URL): Failure {
  const where = url.host;
  if (signal.aborted) return fail('timeout', `no complete answer from ${where} within ${timeoutMs} ms`);
  const code = errorCode(e);
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return fail('tls', `can't authenticate the server: its certificate is not trusted (${code})`);
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return fail('timeout', `no answer from ${where} in time (${code})`);
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    const what =
      code === 'UND_ERR_SOCKET'
        ? 'the server closed the connection without answering'
        : 'server or network unreachable';
    return fail('unreachable', `${what}: ${where} (${code})`);
  }
  if (code?.startsWith('ERR_SSL') || code === 'EPROTO' || code?.startsWith('ERR_TLS')) {
    return fail('protocol', `the TLS handshake with ${where} failed (${code}): is it an HTTPS server?`);
  }
  if (code?.startsWith('HPE_')) {
    return fail('protocol', `${where} did not answer in HTTP (${code})`);
  }
  return fail('protocol', `the request to ${where} failed: ${messageOf(e)}${codeSuffix(e)}`);
}
