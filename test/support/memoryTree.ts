// A provisioning tree held in memory for tests of the pure engine: file contents as inline strings,
// served at http://prov.test/ through the engine's Fetcher interface, with every request recorded.
import {
  failed,
  notFound,
  type Fetcher,
  type FetchOutcome,
  type FetchRequest,
} from '../../src/fetch/fetcher.js';

export const ROOT = 'http://prov.test/';
const FAIL = 'fail';

export class MemoryTree implements Fetcher {
  readonly requests: FetchRequest[] = [];
  private readonly files = new Map<string, Uint8Array | typeof FAIL>();

  constructor(files: Record<string, string | Uint8Array> = {}) {
    this.set(files);
  }

  /** Paths relative to the root; absolute URLs as they are. The string 'fail' makes the transfer fail. */
  set(files: Record<string, string | Uint8Array>): this {
    for (const [path, content] of Object.entries(files)) {
      const url = new URL(path, ROOT).href;
      this.files.set(
        url,
        content === FAIL ? FAIL : typeof content === 'string' ? new TextEncoder().encode(content) : content,
      );
    }
    return this;
  }

  delete(path: string): this {
    this.files.delete(new URL(path, ROOT).href);
    return this;
  }

  /** The paths requested, relative to the root, in order. */
  get requested(): string[] {
    return this.requests.map((r) =>
      r.url.href.startsWith(ROOT) ? decodeURIComponent(r.url.href.slice(ROOT.length)) : r.url.href,
    );
  }

  fetch(request: FetchRequest): Promise<FetchOutcome> {
    this.requests.push(request);
    // A server sees the path, not the user info (that is for authentication).
    const plain = new URL(request.url.href);
    plain.username = '';
    plain.password = '';
    const content = this.files.get(plain.href);
    if (content === undefined) return Promise.resolve(notFound('HTTP 404'));
    if (content === FAIL) return Promise.resolve(failed('timeout', 'no answer'));
    return Promise.resolve({ kind: 'ok', bytes: content });
  }
}

/** A file body with the header every boot and CFG file starts with. */
export function file(...lines: string[]): string {
  return ['#!version:1.0.0.1', ...lines].join('\n') + '\n';
}
