// A rollout (issue #8 §2): the phones keep their server address, and what it serves changes at a
// given time, from tree A to tree B. Before the time requests go to A; from then on a request below
// A's address is answered from the same place below B's. The phone's MD5s (M1) stay keyed by A's
// URLs, so a changed file is seen as changed, as on a real server whose tree was replaced.
import type { Fetcher, FetchOutcome, FetchRequest, PutOutcome, Uploader } from '../fetch/fetcher.js';
import type { Clock } from '../time/clock.js';

export interface ServedTree {
  /** The server's root URL, ending in `/` (user info, if any, is kept for B's requests). */
  readonly url: string;
  readonly fetcher: Fetcher & Uploader;
}

/** `scheme://host/path` without user info, query or fragment: what "below a URL" compares. */
function place(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export class RolloutFetcher implements Fetcher, Uploader {
  private readonly fromPlace: string;
  private readonly to: URL;

  constructor(
    private readonly before: ServedTree,
    private readonly after: ServedTree,
    /** Epoch ms (on `clock`) from which B is served. */
    readonly at: number,
    private readonly clock: Clock,
  ) {
    this.fromPlace = place(new URL(before.url));
    const to = new URL(after.url);
    to.search = '';
    to.hash = '';
    if (!to.pathname.endsWith('/')) to.pathname += '/';
    this.to = to;
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    const routed = this.route(request);
    return routed.fetcher.fetch(routed.request);
  }

  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    const routed = this.route(request);
    return routed.fetcher.put(routed.request, bytes);
  }

  /** Has the switch to B happened? */
  get switched(): boolean {
    return this.clock.now() >= this.at;
  }

  private route(request: FetchRequest): { fetcher: Fetcher & Uploader; request: FetchRequest } {
    const where = place(request.url);
    if (!this.switched || !where.startsWith(this.fromPlace)) return { fetcher: this.before.fetcher, request };
    const rest = where.slice(this.fromPlace.length) + request.url.search;
    // Concatenated, not resolved: a file name such as `a:b.cfg` must not read as a scheme.
    const url = new URL(this.to.href + rest);
    return { fetcher: this.after.fetcher, request: { ...request, url } };
  }
}
