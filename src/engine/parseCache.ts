// Files shared by many phones are decoded and parsed once (issue #4 §6), and filtered once per model
// (#16 item 3): found by the file's MD5, then its name in reports (and the model), bounded so that a
// fleet's per-phone files cannot grow it without end. A lookup builds no key string: the MD5 is the
// same string object for every phone that read the file from the same fetcher answer, so its hash is
// computed once (issue #14 §2).
import type { BootFile } from '../config/bootFile.js';
import type { CfgFile } from '../config/cfgFile.js';
import type { FileLayers } from './fileLayers.js';

const decoder = new TextDecoder('utf-8');

/** What was made of one content (one MD5). */
class Content {
  /** Entries held, for the cache's bound. */
  size = 0;
  constructor(readonly md5: string) {}
  text: string | undefined;
  boot: Map<string, BootFile> | undefined;
  cfg: Map<string, CfgFile> | undefined;
  /** By prefix support (C3), then file name, then model token. */
  layers: [Map<string, Map<string, FileLayers>>?, Map<string, Map<string, FileLayers>>?] = [];
}

export class ParseCache {
  /**
   * Two generations instead of a least-recently-used list: what was used since the last turn is in
   * `recent`; a turn (when it holds half the limit) drops what was not. Nothing is moved per hit.
   */
  private recent = new Map<string, Content>();
  private older = new Map<string, Content>();
  private recentSize = 0;

  constructor(private readonly limit: number) {}

  text(md5: string, bytes: Uint8Array): string {
    const content = this.content(md5);
    if (content.text === undefined) {
      content.text = decoder.decode(bytes);
      this.added(content);
    }
    return content.text;
  }

  boot(file: string, md5: string, text: string, parse: (text: string) => BootFile): BootFile {
    const content = this.content(md5);
    const byFile = (content.boot ??= new Map<string, BootFile>());
    let found = byFile.get(file);
    if (found === undefined) {
      byFile.set(file, (found = parse(text)));
      this.added(content);
    }
    return found;
  }

  cfg(file: string, md5: string, text: string, parse: (text: string) => CfgFile): CfgFile {
    const content = this.content(md5);
    const byFile = (content.cfg ??= new Map<string, CfgFile>());
    let found = byFile.get(file);
    if (found === undefined) {
      byFile.set(file, (found = parse(text)));
      this.added(content);
    }
    return found;
  }

  /** The lines of a CFG that apply to one model token, with or without `[$MODEL]` support (C3). */
  layers(
    file: string,
    md5: string,
    token: string | undefined,
    modelFilter: boolean,
    make: () => FileLayers,
  ): FileLayers {
    const content = this.content(md5);
    const slot = modelFilter ? 1 : 0;
    const byFile = (content.layers[slot] ??= new Map<string, Map<string, FileLayers>>());
    let byToken = byFile.get(file);
    if (!byToken) byFile.set(file, (byToken = new Map<string, FileLayers>()));
    let found = byToken.get(token ?? '');
    if (found === undefined) {
      byToken.set(token ?? '', (found = make()));
      this.added(content);
    }
    return found;
  }

  private content(md5: string): Content {
    let content = this.recent.get(md5);
    if (content) return content;
    content = this.older.get(md5);
    if (content) {
      this.older.delete(md5);
      this.recentSize += content.size;
    } else {
      content = new Content(md5);
    }
    this.recent.set(md5, content);
    this.turnIfFull();
    return content;
  }

  private added(content: Content): void {
    content.size++;
    // A content moved to `older` by a turn since it was looked up still counts where it is.
    if (this.recent.get(content.md5) === content) this.recentSize++;
    this.turnIfFull();
  }

  private turnIfFull(): void {
    if (this.recentSize <= this.limit / 2) return;
    this.older = this.recent;
    this.recent = new Map();
    this.recentSize = 0;
  }
}
