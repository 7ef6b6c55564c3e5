// Issue #16 item 8: the merge's rules as properties, checked on generated layers and states (as h11
// tests its state tables directly): lastValue agrees with mergeRound; overwrite mode is idempotent;
// MAC-local wins over every non-static value; a refused file changes nothing it set; overwrite
// mode 0 never deletes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CfgSetting, CfgValue } from '../../src/config/cfgFile.js';
import { macOrThrow } from '../../src/core/mac.js';
import { isStaticKey, lastValue, mergeRound, type Layers, type MergeResult } from '../../src/engine/merge.js';
import { factoryState, type Origin, type PhoneState } from '../../src/phone/state.js';

/** Few keys and values, so that files set, blank and override the same keys often. */
const KEYS = ['lang.gui', 'features.dnd.enable', 'account.1.label', 'static.syslog.server', 'static.x.y'];
const FILES = ['a.cfg', 'b.cfg', 'c.cfg', 'd.cfg'];

const value: fc.Arbitrary<CfgValue> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom('1', '0', 'French', 'x=y', '')
      .map((text) => ({ kind: 'value', text }) as const),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'null' } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: 'blank' } as const) },
);

const fileSettings = fc.array(fc.record({ key: fc.constantFrom(...KEYS), value }), { maxLength: 8 });

/** Layers: distinct files in order, each with numbered lines. */
const layers: fc.Arbitrary<Layers> = fc
  .uniqueArray(fc.record({ file: fc.constantFrom(...FILES), lines: fileSettings }), {
    selector: (f) => f.file,
    maxLength: FILES.length,
  })
  .map((files) =>
    files.map(({ file, lines }) => ({
      file,
      settings: lines.map(({ key, value: v }, i): CfgSetting => ({
        key,
        param: key,
        value: v,
        models: null,
        line: i + 2,
      })),
    })),
  );

const config = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom('1', 'old', 'UI'), {
  maxKeys: KEYS.length,
});
const local = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom('mine', '0'), { maxKeys: KEYS.length });

/** A phone that some earlier round provisioned (keys from a file) and the user changed (the rest). */
const prevState: fc.Arbitrary<PhoneState> = fc
  .record({ config, provisionedFrom: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...FILES)) })
  .map(({ config: c, provisionedFrom }) => {
    const origins: Record<string, Origin> = {};
    const provisioned: Record<string, string> = {};
    for (const key of Object.keys(c)) {
      const file = provisionedFrom[key];
      origins[key] = file ? { kind: 'file', file, line: 2 } : { kind: 'ui' };
      if (file) provisioned[key] = c[key]!;
    }
    return {
      ...factoryState(macOrThrow('00156574b150'), 'T46U', '108.86.0.90'),
      config: c,
      origins,
      provisioned,
    };
  });

function after(prev: PhoneState, merged: MergeResult): PhoneState {
  return { ...prev, config: merged.config, origins: merged.origins, provisioned: merged.provisioned };
}

describe('#16.8 merge properties (B4, B6, C2a, K3, L1)', () => {
  it('lastValue agrees with mergeRound for every key, either overwrite mode', () => {
    fc.assert(
      fc.property(prevState, layers, fc.boolean(), (prev, l, overwrite) => {
        const merged = mergeRound(prev, l, { overwrite, local: null });
        for (const key of KEYS) {
          const last = lastValue(l, key, overwrite);
          if (typeof last === 'string') expect(merged.config[key]).toBe(last);
          else if (last === null) expect(merged.config[key]).toBeUndefined();
          else if (!overwrite) expect(merged.config[key]).toBe(prev.config[key]);
        }
      }),
    );
  });

  it('overwrite mode: merging the same layers onto its own result changes nothing', () => {
    fc.assert(
      fc.property(prevState, layers, fc.option(local, { nil: null }), (prev, l, loc) => {
        const options = { overwrite: true, local: loc };
        const once = mergeRound(prev, l, options);
        const twice = mergeRound(after(prev, once), l, options);
        expect(twice.config).toEqual(once.config);
        expect(twice.origins).toEqual(once.origins);
        expect(twice.provisioned).toEqual(once.provisioned);
      }),
    );
  });

  it('MAC-local wins over every non-static value, and never sets a static one (K1, K3)', () => {
    fc.assert(
      fc.property(prevState, layers, fc.boolean(), local, (prev, l, overwrite, loc) => {
        const merged = mergeRound(prev, l, { overwrite, local: loc });
        for (const [key, v] of Object.entries(loc)) {
          if (isStaticKey(key)) {
            expect(merged.origins[key]).not.toEqual({ kind: 'mac-local' });
          } else {
            expect(merged.config[key]).toBe(v);
            expect(merged.origins[key]).toEqual({ kind: 'mac-local' });
          }
        }
      }),
    );
  });

  it('a refused file changes nothing it set before (B6 Decision)', () => {
    fc.assert(
      fc.property(prevState, layers, fc.boolean(), fc.nat(), (prev, l, overwrite, pick) => {
        fc.pre(l.length > 0);
        const refused = l[pick % l.length]!.file;
        const first = after(prev, mergeRound(prev, l, { overwrite, local: null }));
        const rest = l.filter((f) => f.file !== refused);
        const second = mergeRound(first, rest, { overwrite, local: null, refused: new Set([refused]) });
        for (const key of KEYS) {
          const origin = first.origins[key];
          const fromRefused = origin?.kind === 'file' && origin.file === refused;
          if (fromRefused && lastValue(rest, key, overwrite) === undefined)
            expect(second.config[key]).toBe(first.config[key]);
        }
      }),
    );
  });

  it('overwrite mode 0 never deletes a value (B6, L1)', () => {
    fc.assert(
      fc.property(prevState, layers, fc.option(local, { nil: null }), (prev, l, loc) => {
        const merged = mergeRound(prev, l, { overwrite: false, local: loc });
        for (const key of Object.keys(prev.config)) expect(merged.config).toHaveProperty([key]);
        expect(merged.resets).toEqual([]);
      }),
    );
  });
});
