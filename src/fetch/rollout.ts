// A rollout as a layer (issue #8 §2): the phones keep their server address, and what it serves changes
// at a given time from tree A (the transport below) to tree B. Before the time every request goes to
// A; from then on a request below A's address is answered from the same place below B's. The
// phone's MD5s (M1) stay keyed by A's URLs, so a changed file is seen as changed, as on a real
// server whose tree was replaced.
import type { FetchRequest } from './fetcher.js';
import { type Layer, type Transport } from './compose.js';

export interface RolloutPlan {
  /** A's root URL: the address the phones provision from. */
  readonly from: string;
  /** B's root URL (user info, if any, is kept for B's requests) and the transport that reaches it. */
  readonly to: string;
  readonly toTransport: Transport;
  /** From this instant on (epoch ms on `now`) B is served. */
  readonly at: number;
  readonly now: () => number;
}

/** `scheme://host/path` without user info, query or fragment: what "below a URL" compares. */
function place(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function rollout(plan: RolloutPlan): Layer {
  const fromPlace = place(new URL(plan.from));
  const to = new URL(plan.to);
  to.search = '';
  to.hash = '';
  if (!to.pathname.endsWith('/')) to.pathname += '/';
  return (before) => {
    const route = (request: FetchRequest): { transport: Transport; request: FetchRequest } => {
      const where = place(request.url);
      if (plan.now() < plan.at || !where.startsWith(fromPlace)) return { transport: before, request };
      // Concatenated, not resolved: a file name such as `a:b.cfg` must not read as a scheme.
      const url = new URL(to.href + where.slice(fromPlace.length) + request.url.search);
      return { transport: plan.toTransport, request: { ...request, url } };
    };
    return {
      fetch: (request) => {
        const routed = route(request);
        return routed.transport.fetch(routed.request);
      },
      put: (request, bytes) => {
        const routed = route(request);
        return routed.transport.put(routed.request, bytes);
      },
    };
  };
}
