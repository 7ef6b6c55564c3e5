// The parameter catalogue (models/parameters.json) as data: well formed, every entry sourced, no
// entry shadowing another, lookup by pattern exact, and the bundled fixtures fully known.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkValue } from '../../src/check/valueRange.js';
import { fixturesDir, modelsDir } from '../../src/core/packageRoot.js';
import { measureCoverage, templateFileKind, type TemplateFile } from '../../src/models/coverage.js';
import {
  loadParameterCatalogue,
  type ParameterSpec,
  type ParametersFile,
  type ParameterType,
} from '../../src/models/parameters.js';

const file = JSON.parse(readFileSync(join(modelsDir, 'parameters.json'), 'utf8')) as ParametersFile;
const catalogue = loadParameterCatalogue();
const TYPES: readonly ParameterType[] = ['bool', 'int', 'enum', 'string', 'url', 'time', 'ip', 'password', 'digits'];

interface Entry {
  readonly group: string;
  readonly spec: ParameterSpec;
}
const entries: Entry[] = file.groups.flatMap((g) => g.parameters.map((spec) => ({ group: g.name, spec })));
const patterned = entries.filter((e) => e.spec.name.includes('{'));

function indexesOf(name: string): string[] {
  return [...name.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** The name with each index at the low end of its range. */
function lowestInstance(spec: ParameterSpec, name = spec.name): string {
  return name.replace(/\{(\w+)\}/g, (_m, index: string) => String(spec.index?.[index]?.[0] ?? 1));
}

describe('models/parameters.json is well formed', () => {
  it('every group has a name and a source, and every entry a name and a documented type', () => {
    for (const group of file.groups) {
      expect(group.name, 'group name').not.toBe('');
      expect(group.source.length, `source of ${group.name}`).toBeGreaterThan(10);
    }
    const bad = entries.filter(({ spec }) => !TYPES.includes(spec.type) || typeof spec.name !== 'string');
    expect(bad.map((e) => e.spec.name)).toEqual([]);
  });

  it('confidence is M, L or absent (H); a default is a string', () => {
    const bad = entries.filter(
      ({ spec }) =>
        (spec.confidence !== undefined && !['M', 'L'].includes(spec.confidence)) ||
        typeof spec.default !== 'string',
    );
    expect(bad.map((e) => e.spec.name)).toEqual([]);
  });

  it('every {index} of a name (and of its aliases) has an inclusive range, and no range is left over', () => {
    const bad: string[] = [];
    for (const { spec } of entries) {
      const wanted = new Set([spec.name, ...(spec.aliases ?? [])].flatMap(indexesOf));
      const given = Object.keys(spec.index ?? {});
      if (given.length !== wanted.size || given.some((i) => !wanted.has(i))) bad.push(`${spec.name}: index keys`);
      for (const [i, range] of Object.entries(spec.index ?? {})) {
        if (range.length !== 2 || !Number.isInteger(range[0]) || range[0] > range[1]) bad.push(`${spec.name}: ${i}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('min/max, values and charset fit the type, and min is not above max', () => {
    const bad: string[] = [];
    for (const { spec } of entries) {
      if ((spec.min !== undefined || spec.max !== undefined) && spec.type !== 'int') bad.push(`${spec.name}: range on ${spec.type}`);
      if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) bad.push(`${spec.name}: min > max`);
      if (spec.type === 'enum' && (spec.values === undefined || spec.values.length < 2)) bad.push(`${spec.name}: enum without values`);
      if (spec.values?.some((v) => typeof v !== 'string')) bad.push(`${spec.name}: values not strings`);
    }
    expect(bad).toEqual([]);
  });

  it("every default passes the entry's own type and range", () => {
    const bad = entries
      .filter(({ spec }) => spec.default !== '')
      .filter(({ spec }) => {
        const match = catalogue.find(lowestInstance(spec));
        return match?.spec.name !== spec.name || !checkValue(match, spec.default).ok;
      })
      .map(({ spec }) => `${spec.name} = ${spec.default}`);
    expect(bad).toEqual([]);
  });

  it('no name or alias is catalogued twice', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const { spec } of entries) {
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        if (seen.has(name)) duplicates.push(`${name} (${seen.get(name)} and ${spec.name})`);
        seen.set(name, spec.name);
      }
    }
    expect(duplicates).toEqual([]);
  });

  it('no pattern shadows another, and no exact name falls under a pattern', () => {
    const skeleton = (name: string) => name.replace(/\{\w+\}|(?<=^|\.)\d+(?=\.|$)/g, '#');
    const bySkeleton = new Map<string, string>();
    const clashes: string[] = [];
    for (const { spec } of entries) {
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        const key = skeleton(name);
        const other = bySkeleton.get(key);
        if (other !== undefined && other !== spec.name) clashes.push(`${name} and ${other}`);
        bySkeleton.set(key, spec.name);
      }
    }
    expect(clashes).toEqual([]);
  });
});

describe('looking a name up (ParameterCatalogue.find)', () => {
  it('finds every patterned entry at any index of its range, with the index values', () => {
    const arbitrary = fc.constantFrom(...patterned).chain(({ spec }) =>
      fc.record({
        spec: fc.constant(spec),
        values: fc.tuple(
          ...indexesOf(spec.name).map((i) => fc.integer({ min: spec.index![i]![0], max: spec.index![i]![1] })),
        ),
      }),
    );
    fc.assert(
      fc.property(arbitrary, ({ spec, values }) => {
        const names = indexesOf(spec.name);
        let k = 0;
        const instance = spec.name.replace(/\{\w+\}/g, () => String(values[k++]));
        const match = catalogue.find(instance);
        expect(match?.spec.name).toBe(spec.name);
        expect(match?.indices).toEqual(Object.fromEntries(names.map((n, i) => [n, values[i]])));
      }),
      { numRuns: 500 },
    );
  });

  it('finds an alias as its entry, and nothing for a near miss or a name written with {n}', () => {
    expect(catalogue.find('network.vlan.internet_port_vid')?.spec.name).toBe('static.network.vlan.internet_port_vid');
    expect(catalogue.find('static.auto_provision.power_onn')).toBeUndefined();
    expect(catalogue.find('account.1.label.x')).toBeUndefined();
    expect(catalogue.find('account.{n}.label')).toBeUndefined();
  });
});

describe('issue #12: lines valid on a real phone are not out of range', () => {
  function verdict(name: string, value: string) {
    const match = catalogue.find(name);
    if (!match) throw new Error(`${name} is not catalogued`);
    return checkValue(match, value);
  }

  it('admits account indexes up to 250, the W90DM DECT manager (models.json limits each model)', () => {
    expect(verdict('account.17.enable', '1').ok).toBe(true);
    expect(verdict('account.30.sip_server.1.address', 'pbx.example.com').ok).toBe(true);
    expect(verdict('account.250.label', 'Handset 250').ok).toBe(true);
    expect(verdict('account.251.label', 'x')).toEqual({ ok: false, expected: 'n in 1-250 in the name' });
  });

  it('admits sip_server.M.port = 0 and outbound_proxy.M.port = 0 (NAPTR/SRV), not 65536', () => {
    expect(verdict('account.1.sip_server.1.port', '0').ok).toBe(true);
    expect(verdict('account.1.outbound_proxy.2.port', '0').ok).toBe(true);
    expect(verdict('account.1.sip_server.2.port', '65536').ok).toBe(false);
  });

  it('reads auto_provision.mode as the pre-V80 schedule, 0/1/4/5/6/7, not as a boolean', () => {
    for (const value of ['0', '1', '4', '5', '6', '7']) expect(verdict('auto_provision.mode', value).ok).toBe(true);
    expect(verdict('auto_provision.mode', '2').ok).toBe(false);
    expect(catalogue.find('auto_provision.mode')?.spec.name).toBe('auto_provision.mode');
  });

  it('admits the values that Yealink template comments document beyond the older ranges', () => {
    const documented: [string, string][] = [
      ['static.network.vlan.internet_port_vid', '0'],
      ['network.vlan.pc_port_vid', '0'],
      ['static.network.port.min_rtpport', '0'],
      ['account.1.session_timer.expires', '60'],
      ['account.1.dtmf.dtmf_payload', '200'],
      ['account.1.dtmf.info_type', '0'],
      ['account.1.sip_server_type', '4'],
      ['static.zero_touch.wait_time', '0'],
      ['sip.tcp_port_random_mode', '2'],
      ['features.ringer_device.is_use_headset', '2'],
      ['programablekey.19.type', '0'],
    ];
    expect(documented.filter(([name, value]) => !verdict(name, value).ok)).toEqual([]);
  });
});

function* walk(dir: string): Generator<TemplateFile> {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || templateFileKind(entry.name) === undefined) continue;
    const path = join(entry.parentPath, entry.name);
    yield { path: relative(fixturesDir, path), text: readFileSync(path, 'utf8') };
  }
}

describe("the bundled fixtures' names are all catalogued", () => {
  it('knows every name set by fixtures/, except the deliberate misspellings', () => {
    const report = measureCoverage('fixtures', walk(fixturesDir), catalogue);
    expect(report.distinct).toBeGreaterThan(50);
    // The two typos are planted: fixtures/broken/unknown-parameter and the real-world site's.
    expect(report.names.filter((n) => !n.known).map((n) => [n.name, n.firstSeen.path])).toEqual([
      ['remote_phonebook.data.{n}.nmae', 'real-world/templated-site/site.cfg'],
      ['static.auto_provision.power_onn', 'broken/unknown-parameter/common.cfg'],
    ]);
  });
});
