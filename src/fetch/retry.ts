// Per-file retries (issue #3 §2): a failed transfer is tried again `attempts` times in all, with a
// pause between; "not found" is an answer, not a failure, and is never retried.
import type { Fetcher, FetchOutcome, FetchRequest } from './fetcher.js';

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
function retryable(cause: string): boolean {
  return cause !== 'outside-root' && cause !== 'unsupported' && cause !== 'auth' && cause !== 'tls';
}
