// Fetchers assembled as undici assembles dispatchers (`Dispatcher.compose(...interceptors)`,
// nodejs/undici lib/dispatcher/dispatcher.js): a transport at the bottom (the schemes on the wire,
// or a tree on disk) and layers around it, each a function from the fetcher below to the one above
// (issue #16.6). Every command, and the fleet, builds its fetcher this one way (openWire.ts).
import { maskUserInfo } from '../core/url.js';
import type {
  Credentials,
  FailureCause,
  Fetcher,
  FetchOutcome,
  FetchRequest,
  PutOutcome,
  Uploader,
} from './fetcher.js';
import { RetryingFetcher, realSleep, type Sleep } from './retry.js';

/** What a layer wraps and what it gives: downloads and the phone's uploads (K2). */
export interface Transport extends Fetcher, Uploader {}

/** undici's interceptor, for fetchers: the fetcher below in, the fetcher above out. */
export type Layer = (inner: Transport) => Transport;

/**
 * `base` wrapped by each layer in turn: the first layer listed is the nearest the wire, the last
 * the one the round calls (the order undici's `compose` applies interceptors in). An absent layer
 * (`undefined`, `false`) is skipped, so that optional layers read inline.
 */
export function compose(base: Transport, ...layers: readonly (Layer | undefined | false)[]): Transport {
  let transport = base;
  for (const wrap of layers) if (wrap) transport = wrap(transport);
  return transport;
}

/** What a layer does to a download and to an upload; what it leaves out passes through unchanged. */
export interface LayerHooks {
  fetch?(request: FetchRequest, next: Fetcher['fetch']): Promise<FetchOutcome>;
  put?(request: FetchRequest, bytes: Uint8Array, next: Uploader['put']): Promise<PutOutcome>;
}

/** A layer from hooks: the common case, where a layer changes the request or the outcome. */
export function layer(hooks: LayerHooks): Layer {
  return (inner) => {
    const fetch = inner.fetch.bind(inner);
    const put = inner.put.bind(inner);
    return {
      fetch: hooks.fetch ? (request) => hooks.fetch!(request, fetch) : fetch,
      put: hooks.put ? (request, bytes) => hooks.put!(request, bytes, put) : put,
    };
  };
}

/**
 * Per-file retries (issue #3 §2), as the phone's transfer settings say: a failed download is tried
 * again `attempts` times in all; an upload (K2) is tried once, as before.
 */
export function retrying(sleep: Sleep = realSleep): Layer {
  return (inner) => {
    const retry = new RetryingFetcher(inner, sleep);
    return { fetch: (request) => retry.fetch(request), put: (request, bytes) => inner.put(request, bytes) };
  };
}

/**
 * spec S5, its last rung: credentials given from outside (`--user`, `--password`) for a request that
 * has none, after those in the URL and those the phone is configured with (the round puts those on
 * the request itself).
 */
export function fallbackCredentials(credentials: Credentials): Layer {
  const withCredentials = (request: FetchRequest): FetchRequest =>
    request.credentials ? request : { ...request, credentials };
  return layer({
    fetch: (request, next) => next(withCredentials(request)),
    put: (request, bytes, next) => next(withCredentials(request), bytes),
  });
}

/** `--timeout`: every attempt bounded by this, whatever `attempt_expired_time` the phone has. */
export function transferTimeout(timeoutMs: number): Layer {
  const timed = (request: FetchRequest): FetchRequest => ({
    ...request,
    transfer: { ...request.transfer, timeoutMs },
  });
  return layer({
    fetch: (request, next) => next(timed(request)),
    put: (request, bytes, next) => next(timed(request), bytes),
  });
}

/** Last line of defence (issue #13 §4): no detail shows a URL's user info, whatever wrote it. */
export const masking: Layer = layer({
  fetch: async (request, next) => masked(await next(request)),
  put: async (request, bytes, next) => masked(await next(request, bytes)),
});

function masked<T extends FetchOutcome | PutOutcome>(outcome: T): T {
  if (outcome.kind === 'ok' || !('detail' in outcome)) return outcome;
  const detail = maskUserInfo(outcome.detail);
  return detail === outcome.detail ? outcome : { ...outcome, detail };
}

/** Something that runs work when a permit is free (the fleet's ConcurrencyLimit). */
export interface Gate {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** At most as many transfers at once as the gate lets through (the fleet's `--concurrency`). */
export function limited(gate: Gate): Layer {
  return layer({
    fetch: (request, next) => gate.run(() => next(request)),
    put: (request, bytes, next) => gate.run(() => next(request, bytes)),
  });
}

/** How a request ended, as metrics count it: `failed:exception` is a fetcher that threw (a bug). */
export type RequestStatus = 'ok' | 'not-found' | `failed:${FailureCause}` | 'failed:exception';

export function statusOf(outcome: FetchOutcome | PutOutcome): RequestStatus {
  return outcome.kind === 'failed' ? `failed:${outcome.cause}` : outcome.kind;
}

/** What metering reports to (the fleet's FleetMetrics has this shape). */
export interface RequestMeter {
  requestStarted(): void;
  recordRequest(request: {
    readonly url: URL;
    readonly status: RequestStatus;
    readonly latencyMs: number;
    readonly at: number;
  }): void;
}

/**
 * Counts every download and upload with its status, latency and start (issue #8 §4); the phone sees
 * no change. `at` is read on the scenario clock; latency on `elapsed` (real milliseconds by
 * default; in virtual time the scenario clock, so that latencies are virtual too).
 */
export function metering(
  meter: RequestMeter,
  at: () => number,
  elapsed: () => number = () => performance.now(),
): Layer {
  async function metered<T extends FetchOutcome | PutOutcome>(
    request: FetchRequest,
    transfer: () => Promise<T>,
  ): Promise<T> {
    const started = { at: at(), time: elapsed() };
    meter.requestStarted();
    let status: RequestStatus = 'failed:exception';
    try {
      const outcome = await transfer();
      status = statusOf(outcome);
      return outcome;
    } finally {
      // A throwing fetcher is a bug, but the count of requests in flight must still come down.
      meter.recordRequest({ url: request.url, status, latencyMs: elapsed() - started.time, at: started.at });
    }
  }
  return layer({
    fetch: (request, next) => metered(request, () => next(request)),
    put: (request, bytes, next) => metered(request, () => next(request, bytes)),
  });
}
