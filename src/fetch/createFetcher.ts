// The fetcher a phone uses on the wire, as a class: `openWire` (openWire.ts) behind the interface
// the fleet's runner, the interop tests and the benches construct.
import type { FetchOutcome, FetchRequest, PutOutcome } from './fetcher.js';
import { openWire, type Wire, type WireOptions } from './openWire.js';

export type { WireOptions } from './openWire.js';

/**
 * A fetcher and uploader over every supported scheme, or over a tree on disk only (`treeRoot`);
 * `close()` ends pooled connections. No detail it returns holds a URL's password.
 */
export class WireFetcher implements Wire {
  private readonly wire: Wire;

  constructor(options: WireOptions = {}) {
    this.wire = openWire(options);
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    return this.wire.fetch(request);
  }

  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    return this.wire.put(request, bytes);
  }

  close(): Promise<void> {
    return this.wire.close();
  }
}
