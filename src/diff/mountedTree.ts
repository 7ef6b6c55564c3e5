// A tree on disk served at one fixed URL, whatever folder it is in: the two sides of a diff are two
// folders, but the phone must see one server, or every MD5 (M1) would look new.
import { FileFetcher, offline } from '../fetch/fileFetcher.js';
import { folderUrl } from '../fetch/treeReader.js';
import { type Fetcher, type FetchOutcome, type FetchRequest } from '../fetch/fetcher.js';

/** The server URL every mounted tree answers at. */
export const MOUNT_URL = 'file:///tree/';

export class MountedTree implements Fetcher {
  private readonly files: FileFetcher;
  private readonly real: string;

  constructor(readonly dir: string) {
    this.files = new FileFetcher(dir, { cache: true });
    this.real = folderUrl(dir).href;
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    // #12: a tree on disk reads nothing outside it; the round goes on as the phone's would.
    if (!request.url.href.startsWith(MOUNT_URL)) return Promise.resolve(offline(request.url));
    const url = new URL(this.real + request.url.href.slice(MOUNT_URL.length));
    return this.files.fetch({ ...request, url });
  }
}
