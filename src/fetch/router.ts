// Chooses the fetcher for a URL by its scheme (spec S5).
import { failed, type Fetcher, type FetchOutcome, type FetchRequest } from './fetcher.js';

export class SchemeRouter implements Fetcher {
  constructor(private readonly bySchemes: Readonly<Record<string, Fetcher>>) {}

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    const scheme = request.url.protocol.replace(/:$/, '');
    const fetcher = this.bySchemes[scheme];
    if (!fetcher) {
      const known = Object.keys(this.bySchemes).join(', ');
      return Promise.resolve(
        failed('unsupported', `no fetcher for ${scheme}: URLs here (this run can fetch: ${known})`),
      );
    }
    return fetcher.fetch(request);
  }
}
