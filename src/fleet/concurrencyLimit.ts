// `--concurrency N` (issue #8 §3): at most N transfers of the whole fleet at once, the others wait
// their turn in arrival order. A permit is held for one file, not a whole round, as a phone holds a
// connection per file.
import type { Fetcher, FetchOutcome, FetchRequest, PutOutcome, Uploader } from '../fetch/fetcher.js';

export class ConcurrencyLimit {
  private active = 0;
  /** Waiters in arrival order; `head` instead of shift() keeps a 100,000-long queue O(1). */
  private waiters: ((() => void) | undefined)[] = [];
  private head = 0;

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new Error(`a concurrency limit is at least 1, not ${limit}`);
  }

  /** Transfers waiting for a permit. */
  get waiting(): number {
    return this.waiters.length - this.head;
  }

  get running(): number {
    return this.active;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.waiters[this.head];
    if (next === undefined) {
      this.active--;
      return;
    }
    // The permit passes straight to the next waiter: `active` stays as it is.
    this.waiters[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    }
    next();
  }
}

/** A fetcher and uploader whose transfers go through a ConcurrencyLimit. */
export class LimitedFetcher implements Fetcher, Uploader {
  constructor(
    private readonly inner: Fetcher & Uploader,
    private readonly limit: ConcurrencyLimit,
  ) {}

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    return this.limit.run(() => this.inner.fetch(request));
  }

  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    return this.limit.run(() => this.inner.put(request, bytes));
  }
}
