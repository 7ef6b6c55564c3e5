// Issue #4 §6, #14 §2: a file's content is decoded, parsed and filtered once per name and model,
// however many phones read it, and the cache stays within its bound however many contents go by.
import { describe, expect, it } from 'vitest';
import { parseCfgFile, type CfgFile } from '../../src/config/cfgFile.js';
import { ParseCache } from '../../src/engine/parseCache.js';

const isToken = () => true;

function counted(): { parse: (text: string) => CfgFile; readonly calls: number } {
  let calls = 0;
  return {
    parse: (text) => {
      calls++;
      return parseCfgFile(text, { file: 'x.cfg', isToken });
    },
    get calls() {
      return calls;
    },
  };
}

describe('ParseCache', () => {
  it('parses a content once per file name, and again under another name', () => {
    const cache = new ParseCache(64);
    const p = counted();
    const text = '#!version:1.0.0.1\nlang.gui = French\n';
    const a = cache.cfg('x.cfg', 'md5-1', text, p.parse);
    expect(cache.cfg('x.cfg', 'md5-1', text, p.parse)).toBe(a);
    expect(p.calls).toBe(1);
    expect(cache.cfg('y.cfg', 'md5-1', text, p.parse)).not.toBe(a);
    expect(p.calls).toBe(2);
  });

  it('filters once per model token and prefix support (C3)', () => {
    const cache = new ParseCache(64);
    let made = 0;
    const make = () => ({ file: 'x.cfg', settings: [], keys: new Map(), ignoredPrefixes: null, n: made++ });
    const a = cache.layers('x.cfg', 'm', 'T46U', true, make);
    expect(cache.layers('x.cfg', 'm', 'T46U', true, make)).toBe(a);
    expect(cache.layers('x.cfg', 'm', 'T23G', true, make)).not.toBe(a);
    expect(cache.layers('x.cfg', 'm', 'T46U', false, make)).not.toBe(a);
    expect(made).toBe(3);
  });

  it('keeps what is used and drops what was not used for a while, within its bound', () => {
    const cache = new ParseCache(8);
    const p = counted();
    const text = '#!version:1.0.0.1\n';
    const shared = cache.cfg('common.cfg', 'common', text, p.parse);
    // 1,000 phones' own files go by; the common file is read by each phone too.
    for (let i = 0; i < 1000; i++) {
      cache.cfg(`${i}.cfg`, `own-${i}`, text, p.parse);
      expect(cache.cfg('common.cfg', 'common', text, p.parse)).toBe(shared);
    }
    expect(p.calls).toBe(1001);
    // The first phone's file is long gone: parsed again.
    cache.cfg('0.cfg', 'own-0', text, p.parse);
    expect(p.calls).toBe(1002);
  });
});
