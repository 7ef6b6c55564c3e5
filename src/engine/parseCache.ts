// Files shared by many phones are decoded and parsed once (issue #4 §6), and filtered once per model
// (#16 item 3): keyed by the file's name in reports and its MD5, bounded so that a fleet's per-phone
// files cannot grow it without end.
import type { BootFile } from '../config/bootFile.js';
import type { CfgFile } from '../config/cfgFile.js';
import type { FileLayers } from './fileLayers.js';

const decoder = new TextDecoder('utf-8');

export class ParseCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly limit: number) {}

  text(md5: string, bytes: Uint8Array): string {
    return this.memo(`t|${md5}`, () => decoder.decode(bytes));
  }

  boot(file: string, md5: string, text: string, parse: (text: string) => BootFile): BootFile {
    return this.memo(`b|${file}|${md5}`, () => parse(text));
  }

  cfg(file: string, md5: string, text: string, parse: (text: string) => CfgFile): CfgFile {
    return this.memo(`c|${file}|${md5}`, () => parse(text));
  }

  /** The lines of a CFG that apply to one model token, with or without `[$MODEL]` support (C3). */
  layers(
    file: string,
    md5: string,
    token: string | undefined,
    modelFilter: boolean,
    make: () => FileLayers,
  ): FileLayers {
    return this.memo(`l|${file}|${md5}|${token ?? ''}|${modelFilter ? 1 : 0}`, make);
  }

  private memo<T>(key: string, make: () => T): T {
    if (this.entries.has(key)) {
      const value = this.entries.get(key) as T;
      // Least recently used goes first: re-inserting moves the key to the end.
      this.entries.delete(key);
      this.entries.set(key, value);
      return value;
    }
    const value = make();
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
