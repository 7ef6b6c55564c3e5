// Chooses the fetcher for a URL by its scheme (spec S5), for downloads and for the phone's uploads
// (K2: HTTP PUT, FTP STOR; a scheme whose fetcher does not upload is refused).
import {
  failed,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
  type Uploader,
} from './fetcher.js';

export class SchemeRouter implements Fetcher, Uploader {
  constructor(private readonly bySchemes: Readonly<Record<string, Fetcher & Partial<Uploader>>>) {}

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

  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    const uploader = this.bySchemes[request.url.protocol.replace(/:$/, '')];
    if (uploader?.put) return uploader.put(request, bytes);
    const outcome = failed('unsupported', `the phone does not upload over ${request.url.protocol}`);
    return Promise.resolve(outcome as PutOutcome);
  }
}
