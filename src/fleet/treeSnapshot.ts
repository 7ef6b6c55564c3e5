// A tree on disk as a fleet reads it in virtual time (issue #14 §2): FileFetcher's answers, read
// once each (its cache), and the names in the tree's root folder listed once, so that the file every
// phone asks for first and most trees do not have (`<mac>.boot`, B1) is "not found" at once, with no
// file system call and nothing kept per phone. The tree is taken as it is when first read: the
// fleet's rounds stand for a server whose tree does not change under them (an upload, K2, is the one
// change it sees, and starts the listing afresh).
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  notFound,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
  type PutOutcome,
  type Uploader,
} from '../fetch/fetcher.js';
import { FileFetcher } from '../fetch/fileFetcher.js';

/** FileFetcher's answer for a file that is not there (realpath: ENOENT). */
const NOT_THERE = Promise.resolve(notFound('no such file in the tree'));

/** A file name directly in the root that needs no decoding and is no dot segment. */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export class TreeSnapshot implements Fetcher, Uploader {
  private readonly files: FileFetcher;
  private readonly rootHref: string;
  private names: ReadonlySet<string> | undefined;
  private listing: Promise<ReadonlySet<string> | undefined> | undefined;

  constructor(private readonly root: string) {
    this.files = new FileFetcher(root, { cache: true });
    this.rootHref = pathToFileURL(resolve(root) + '/').href;
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    const href = request.url.href;
    if (request.url.protocol === 'file:' && href.startsWith(this.rootHref)) {
      const name = href.slice(this.rootHref.length);
      if (PLAIN_NAME.test(name)) {
        if (this.names) return this.names.has(name) ? this.files.fetch(request) : NOT_THERE;
        return this.listed().then((names) =>
          names === undefined || names.has(name) ? this.files.fetch(request) : NOT_THERE,
        );
      }
    }
    return this.files.fetch(request);
  }

  async put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome> {
    const outcome = await this.files.put(request, bytes);
    this.names = undefined;
    this.listing = undefined;
    return outcome;
  }

  /** The root folder's names; undefined when it cannot be listed (FileFetcher then says why). */
  private listed(): Promise<ReadonlySet<string> | undefined> {
    this.listing ??= readdir(this.root).then(
      (names) => (this.names = new Set(names)),
      () => undefined,
    );
    return this.listing;
  }
}
