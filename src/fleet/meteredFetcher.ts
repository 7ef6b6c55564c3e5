// A fetcher wrapper that counts (issue #8 §4): every fetch and upload a phone of the fleet makes
// goes into FleetMetrics with its file, status, latency and start time; the phone sees no change.
import { performance } from 'node:perf_hooks';
import type { Fetcher, FetchOutcome, FetchRequest, PutOutcome, Uploader } from '../fetch/fetcher.js';
import type { Clock } from '../time/clock.js';
import type { FleetMetrics } from './metrics.js';
import type { RequestStatus } from './report.js';

export class MeteredFetcher implements Fetcher, Uploader {
  /**
   * @param clock the scenario clock: when a request started, for the load over time
   * @param wallClock what latency is measured on: real ms by default; in virtual time pass
   *   `() => clock.now()` so that latencies are in virtual ms like everything else
   */
  constructor(
    private readonly inner: Fetcher & Partial<Uploader>,
    private readonly metrics: FleetMetrics,
    private readonly clock: Clock,
    private readonly wallClock: () => number = () => performance.now(),
  ) {}

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    return this.metered(request, () => this.inner.fetch(request));
  }

  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    const inner = this.inner;
    if (!inner.put) {
      return this.metered(request, () =>
        Promise.resolve<PutOutcome>({
          kind: 'failed',
          cause: 'unsupported',
          detail: `this fetcher does not upload; ${request.url.protocol} uploads are not available here`,
        }),
      );
    }
    return this.metered(request, () => inner.put!(request, bytes));
  }

  private async metered<T extends FetchOutcome | PutOutcome>(
    request: FetchRequest,
    transfer: () => Promise<T>,
  ): Promise<T> {
    const at = this.clock.now();
    const started = this.wallClock();
    this.metrics.requestStarted();
    let status: RequestStatus = 'failed:exception';
    try {
      const outcome = await transfer();
      status = statusOf(outcome);
      return outcome;
    } finally {
      // A throwing fetcher is a bug, but the count of requests in flight must still come down.
      this.metrics.recordRequest({ url: request.url, status, latencyMs: this.wallClock() - started, at });
    }
  }
}

export function statusOf(outcome: FetchOutcome | PutOutcome): RequestStatus {
  switch (outcome.kind) {
    case 'ok':
      return 'ok';
    case 'not-found':
      return 'not-found';
    case 'failed':
      return `failed:${outcome.cause}`;
  }
}
