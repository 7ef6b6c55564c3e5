// A tree on disk served at one fixed URL, whatever folder it is in: the two sides of a diff are two
// folders, but the phone must see one server, or every MD5 (M1) would look new.
import { pathToFileURL } from 'node:url';
import { maskUserInfo } from '../core/url.js';
import { FileFetcher } from '../fetch/fileFetcher.js';
import { failed, type Fetcher, type FetchOutcome, type FetchRequest } from '../fetch/fetcher.js';

/** The server URL every mounted tree answers at. */
export const MOUNT_URL = 'file:///tree/';

export class MountedTree implements Fetcher {
  private readonly files: FileFetcher;
  private readonly real: string;

  constructor(readonly dir: string) {
    this.files = new FileFetcher(dir, { cache: true });
    this.real = pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`).href;
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    if (!request.url.href.startsWith(MOUNT_URL)) {
      // #12: a tree on disk reads nothing outside it; the round goes on as the phone's would.
      return Promise.resolve(
        failed(
          'offline',
          `not fetched: a --tree round reads nothing outside the tree (${maskUserInfo(request.url.href)})`,
        ),
      );
    }
    const url = new URL(this.real + request.url.href.slice(MOUNT_URL.length));
    return this.files.fetch({ ...request, url });
  }
}
