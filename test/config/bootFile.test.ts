import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBootFile, printBootFile } from '../../src/config/bootFile.js';

const tokens = new Set(['T46U', 'T23G', 'T46S']);
const parse = (text: string) =>
  parseBootFile(text, { file: 'y000000000000.boot', isToken: (t) => tokens.has(t.toUpperCase()) });
const rules = (text: string) => parse(text).diagnostics.map((d) => `${d.rule}:${d.severity}:${d.line ?? ''}`);

describe('B2 boot file header and comments', () => {
  it('accepts the exact header and skips # comment lines', () => {
    const boot = parse('#!version:1.0.0.1\n## comment\n#include:config "x.cfg"\ninclude:config "a.cfg"\n');
    expect(boot.hasHeader).toBe(true);
    expect(boot.diagnostics).toEqual([]);
    expect(boot.includes.map((i) => i.target)).toEqual(['a.cfg']);
  });

  it('reports a missing header as an error on line 1', () => {
    const boot = parse('include:config "a.cfg"\n');
    expect(boot.hasHeader).toBe(false);
    expect(rules('include:config "a.cfg"\n')).toEqual(['B2:error:1']);
  });

  it('warns about a header with another version', () => {
    expect(rules('#!version:1.0.0.2\n')).toEqual(['B2:warning:1']);
  });

  it('reports a line that is no comment, include or key with its line number', () => {
    expect(rules('#!version:1.0.0.1\n\nsomething odd\n')).toEqual(['B2:error:3']);
  });
});

describe('B3 include:config lines', () => {
  it('takes <URL> and "URL", relative and absolute, with spaces inside the delimiters', () => {
    const boot = parse(
      [
        '#!version:1.0.0.1',
        'include:config <sip.cfg>',
        'include:config "HTTP Directory/sip.cfg"',
        'include:config "http://10.2.5.25/HTTP Directory/sip.cfg"',
        'include:config <../common.cfg>',
      ].join('\n'),
    );
    expect(boot.includes.map((i) => [i.target, i.line])).toEqual([
      ['sip.cfg', 2],
      ['HTTP Directory/sip.cfg', 3],
      ['http://10.2.5.25/HTTP Directory/sip.cfg', 4],
      ['../common.cfg', 5],
    ]);
    expect(boot.diagnostics).toEqual([]);
  });

  it('refuses a target that is not a .cfg file, naming the line', () => {
    const boot = parse('#!version:1.0.0.1\ninclude:config "firmware.rom"\n');
    expect(boot.includes).toEqual([]);
    expect(boot.diagnostics).toMatchObject([
      { rule: 'B3', severity: 'error', line: 2, file: 'y000000000000.boot' },
    ]);
  });

  it('reports an unclosed quote and an empty target', () => {
    expect(rules('#!version:1.0.0.1\ninclude:config "a.cfg\ninclude:config ""\n')).toEqual([
      'B3:error:2',
      'B3:error:3',
    ]);
  });

  it('keeps repeated includes (B3: includes may repeat)', () => {
    const boot = parse('#!version:1.0.0.1\ninclude:config "a.cfg"\ninclude:config "a.cfg"\n');
    expect(boot.includes).toHaveLength(2);
  });

  it('warns but accepts a target written without delimiters', () => {
    const boot = parse('#!version:1.0.0.1\ninclude:config a.cfg\n');
    expect(boot.includes.map((i) => i.target)).toEqual(['a.cfg']);
    expect(rules('#!version:1.0.0.1\ninclude:config a.cfg\n')).toEqual(['B3:warning:2']);
  });
});

describe('B5 [$MODEL] prefixes on includes', () => {
  it('reads the guide form with spaces and the template form with none', () => {
    const boot = parse(
      '#!version:1.0.0.1\n[T46S, T23G] include:config "x.cfg"\n[T46U]include:config "y000000000108.cfg"\n',
    );
    expect(boot.includes.map((i) => i.models)).toEqual([['T46S', 'T23G'], ['T46U']]);
    expect(boot.diagnostics).toEqual([]);
  });

  it('reports a token that is not a model', () => {
    expect(rules('#!version:1.0.0.1\n[T46X]include:config "x.cfg"\n')).toEqual(['B5:error:2']);
  });

  it('reports an unclosed bracket, an empty entry and a prefix without include', () => {
    expect(
      rules(
        '#!version:1.0.0.1\n[T46U include:config "x.cfg"\n[T46U,]include:config "x.cfg"\n[T46U] overwrite_mode = 1\n',
      ),
    ).toEqual(['B5:error:2', 'B5:error:3', 'B5:error:4']);
  });
});

describe('B6 and B7 boot keys', () => {
  it('reads overwrite_mode and specific_model.excluded_mode with or without spaces', () => {
    const boot = parse('#!version:1.0.0.1\noverwrite_mode = 0\nspecific_model.excluded_mode=1\n');
    expect(boot.overwriteMode).toEqual({ value: 0, line: 2 });
    expect(boot.excludedMode).toEqual({ value: 1, line: 3 });
  });

  it('leaves both undefined when absent (the engine applies 1 and 0)', () => {
    const boot = parse('#!version:1.0.0.1\n');
    expect(boot.overwriteMode).toBeUndefined();
    expect(boot.excludedMode).toBeUndefined();
  });

  it('reports a value other than 0 or 1, a key set twice, and a CFG parameter in a boot file', () => {
    expect(
      rules(
        '#!version:1.0.0.1\noverwrite_mode = yes\noverwrite_mode = 1\noverwrite_mode = 0\nfeatures.dnd.enable = 1\n',
      ),
    ).toEqual(['B6:error:2', 'B6:warning:4', 'B6:warning:5']);
  });
});

describe('boot parser robustness', () => {
  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        parse(text);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on lines made of boot syntax fragments', () => {
    const fragment = fc.constantFrom(
      '[',
      ']',
      'T46U',
      ',',
      ' ',
      'include:config',
      '"',
      '<',
      '>',
      '=',
      'overwrite_mode',
      '.cfg',
      '#',
      '\r',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }), (parts) => {
        parse('#!version:1.0.0.1\n' + parts.join(''));
      }),
      { numRuns: 500 },
    );
  });

  it('parse, print, parse gives the same includes and keys', () => {
    const target = fc.stringMatching(/^[A-Za-z0-9 _./-]{1,20}$/).map((s) => `${s.trim() || 'x'}.cfg`);
    const include = fc.record({
      target,
      models: fc.option(fc.subarray(['T46U', 'T23G', 'T46S'], { minLength: 1 }), { nil: null }),
      line: fc.constant(0),
    });
    const bit = fc.option(
      fc.record({ value: fc.constantFrom(0 as const, 1 as const), line: fc.constant(0) }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(fc.array(include, { maxLength: 8 }), bit, bit, (includes, overwriteMode, excludedMode) => {
        const first = parse(printBootFile({ includes, overwriteMode, excludedMode }));
        const second = parse(printBootFile(first));
        const strip = (b: ReturnType<typeof parse>) => ({
          includes: b.includes.map(({ target, models }) => ({ target, models })),
          overwrite: b.overwriteMode?.value,
          excluded: b.excludedMode?.value,
        });
        expect(first.diagnostics).toEqual([]);
        expect(strip(first)).toEqual({
          includes: includes.map(({ target, models }) => ({ target: target.trim(), models })),
          overwrite: overwriteMode?.value,
          excluded: excludedMode?.value,
        });
        expect(strip(second)).toEqual(strip(first));
      }),
    );
  });
});
