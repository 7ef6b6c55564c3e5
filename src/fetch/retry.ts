// Per-file retries (issue #3 §2): a failed transfer is tried again `attempts` times in all, with a
// pause between; "not found" is an answer, not a failure, and is never retried.
import type { FailureCause, Fetcher, FetchOutcome, FetchRequest } from './fetcher.js';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class RetryingFetcher implements Fetcher {
  constructor(
    private readonly inner: Fetcher,
    private readonly sleep: Sleep = realSleep,
  ) {}

  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const attempts = Math.max(1, request.transfer.attempts);
    let outcome = await this.inner.fetch(request);
    for (
      let attempt = 2;
      attempt <= attempts && outcome.kind === 'failed' && retryable(outcome.cause);
      attempt++
    ) {
      await this.sleep(request.transfer.retryDelayMs);
      outcome = await this.inner.fetch(request);
    }
    if (outcome.kind === 'failed' && attempts > 1 && retryable(outcome.cause)) {
      return { ...outcome, detail: `${outcome.detail} (after ${attempts} attempts)` };
    }
    return outcome;
  }
}

/** Refusals that a second try cannot change are not retried. */
const FINAL: ReadonlySet<FailureCause> = new Set<FailureCause>([
  'outside-root',
  'unsupported',
  'auth',
  'tls',
  // A file over the size limit is as large the next time (issue #13 §3); an offline round never
  // goes on the network, whatever the attempt (issue #12).
  'too-large',
  'offline',
]);

function retryable(cause: FailureCause): boolean {
  return !FINAL.has(cause);
}
