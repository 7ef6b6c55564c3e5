import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCfgFile, printCfgFile, settingValue } from '../../src/config/cfgFile.js';

const tokens = new Set(['T46U', 'T23G', 'T46S', 'T48G']);
const parse = (text: string) =>
  parseCfgFile(text, { file: 'site.cfg', isToken: (t) => tokens.has(t.toUpperCase()) });
const values = (text: string) => parse(text).settings.map((s) => [s.key, settingValue(s.value) ?? '<blank>']);

describe('C1 CFG header and comments', () => {
  it('reports a missing header as an error naming the file and line 1', () => {
    expect(parse('a = 1\n').diagnostics).toEqual([
      expect.objectContaining({ rule: 'C1', severity: 'error', file: 'site.cfg', line: 1 }),
    ]);
  });

  it('treats only a # at the start of a line as a comment; values may contain #', () => {
    expect(
      values('#!version:1.0.0.1\n# a comment\n  # indented comment\nstatic.autoprovision.1.code = *12#\n'),
    ).toEqual([['static.autoprovision.1.code', '*12#']]);
  });

  it('calls a binary file out instead of parsing garbage', () => {
    const cfg = parse('\u0001\u0002\u00ff\u0000garbage=1');
    expect(cfg.diagnostics.map((d) => d.rule)).toEqual(['C1']);
    expect(cfg.settings).toEqual([]);
  });
});

describe('C2 parameter = value lines', () => {
  it('splits at the first = and trims both sides', () => {
    expect(
      values('#!version:1.0.0.1\nremote_phonebook.data.1.url =  https://x/?file=dir.xml&a=b  \nkey=value\n'),
    ).toEqual([
      ['remote_phonebook.data.1.url', 'https://x/?file=dir.xml&a=b'],
      ['key', 'value'],
    ]);
  });

  it('keeps quotes as part of the value (no quoting)', () => {
    expect(values('#!version:1.0.0.1\naccount.1.label = "Front desk"\n')).toEqual([
      ['account.1.label', '"Front desk"'],
    ]);
  });

  it('accepts CRLF line ends and a UTF-8 BOM', () => {
    const cfg = parse('\ufeff#!version:1.0.0.1\r\nlang.gui = English\r\n');
    expect(cfg.diagnostics).toEqual([]);
    expect(values('\ufeff#!version:1.0.0.1\r\nlang.gui = English\r\n')).toEqual([['lang.gui', 'English']]);
  });

  it('warns when a parameter is set twice in one file (the last wins in the engine)', () => {
    const cfg = parse('#!version:1.0.0.1\na.b = 1\na.b = 2\n');
    expect(cfg.diagnostics).toMatchObject([{ rule: 'C2', severity: 'warning', line: 3 }]);
  });

  it('does not call lines for different models duplicates', () => {
    expect(parse('#!version:1.0.0.1\n[T46U] a.b = 1\n[T23G] a.b = 2\n').diagnostics).toEqual([]);
  });

  it('keeps one static.security.user_password per web user (multi-valued)', () => {
    const cfg = parse(
      '#!version:1.0.0.1\nstatic.security.user_password = user:u1\nstatic.security.user_password = admin:a1\n',
    );
    expect(cfg.diagnostics).toEqual([]);
    expect(cfg.settings.map((s) => s.key)).toEqual([
      'static.security.user_password:user',
      'static.security.user_password:admin',
    ]);
  });

  it('reports a line without = and a malformed name, with their lines', () => {
    const cfg = parse('#!version:1.0.0.1\njust words\n = 3\nbad name = 1\n');
    expect(cfg.diagnostics.map((d) => [d.rule, d.severity, d.line])).toEqual([
      ['C2', 'error', 2],
      ['C2', 'error', 3],
      ['C2', 'error', 4],
    ]);
    expect(cfg.settings).toEqual([]);
  });

  it('never shows the value of a line without = (it may be a password)', () => {
    const cfg = parse('#!version:1.0.0.1\naccount.1.password s3cret-value\n');
    expect(JSON.stringify(cfg.diagnostics)).not.toContain('s3cret');
  });
});

describe('C2a %NULL% and blank values', () => {
  it('reads %NULL% as the empty string and key = as blank', () => {
    const cfg = parse('#!version:1.0.0.1\naccount.1.label = %NULL%\nsyslog.server =\n');
    expect(cfg.settings.map((s) => s.value)).toEqual([{ kind: 'null' }, { kind: 'blank' }]);
    expect(settingValue(cfg.settings[0]!.value)).toBe('');
    expect(settingValue(cfg.settings[1]!.value)).toBeUndefined();
  });
});

describe('C3 [$MODEL] prefixes on parameter lines', () => {
  it('reads the model list and the line after it', () => {
    const cfg = parse(
      '#!version:1.0.0.1\n[T46S] features.dnd_mode = 1\n[T48G, T23G] features.dnd_mode = 0\n',
    );
    expect(cfg.settings.map((s) => [s.models, s.param, settingValue(s.value)])).toEqual([
      [['T46S'], 'features.dnd_mode', '1'],
      [['T48G', 'T23G'], 'features.dnd_mode', '0'],
    ]);
  });

  it('reports a token that is no model', () => {
    expect(parse('#!version:1.0.0.1\n[T99] a = 1\n').diagnostics).toMatchObject([
      { rule: 'C3', severity: 'error', line: 2 },
    ]);
  });
});

describe('CFG parser robustness', () => {
  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        parse(text);
      }),
      { numRuns: 500 },
    );
  });

  it('parse, print, parse gives the same settings', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_.]{0,30}$/);
    const value = fc.oneof(
      fc.stringMatching(/^[^\r\n]{0,30}$/).map((t) => t.trim()),
      fc.constant('%NULL%'),
    );
    const line = fc.tuple(
      fc.option(fc.subarray(['T46U', 'T23G'], { minLength: 1 }), { nil: null }),
      name,
      value,
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const text =
          '#!version:1.0.0.1\n' +
          lines.map(([m, k, v]) => `${m ? `[${m.join(',')}] ` : ''}${k} = ${v}`).join('\n');
        const first = parse(text);
        const second = parse(printCfgFile(first));
        const strip = (c: ReturnType<typeof parse>) =>
          c.settings.map(({ key, value, models }) => ({ key, value, models }));
        expect(strip(second)).toEqual(strip(first));
        expect(second.diagnostics.map((d) => d.rule)).toEqual(first.diagnostics.map((d) => d.rule));
      }),
    );
  });
});
