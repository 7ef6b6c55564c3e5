import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import { StateInterner } from '../../src/fleet/interner.js';
import type { PhoneState } from '../../src/phone/state.js';
import { newPhone, round } from '../support/engine.js';

async function provisioned(tree: string, model: string, mac: string): Promise<PhoneState> {
  const root = join(fixturesDir, tree);
  const { state, report } = await round(
    new FileFetcher(root),
    newPhone(model, mac),
    `${pathToFileURL(root).href}/`,
  );
  expect(report.status).toBe('updated');
  return state;
}

/** A deep copy: what the state was before the interner saw it. */
const snapshot = (state: PhoneState): PhoneState => structuredClone(state);

describe('state interner: equal maps kept once', () => {
  it('shares the maps of two phones provisioned from the same tree, states unchanged', async () => {
    const a = await provisioned('site-common-only', 'T46U', '001565000001');
    const b = await provisioned('site-common-only', 'T46U', '001565000002');
    expect(Object.keys(a.config).length).toBeGreaterThan(20);
    expect(a.config).not.toBe(b.config);
    const [beforeA, beforeB] = [snapshot(a), snapshot(b)];

    const interner = new StateInterner();
    const ca = interner.compact(a);
    const cb = interner.compact(b);
    for (const field of ['config', 'origins', 'provisioned', 'local', 'md5'] as const) {
      expect(cb[field]).toBe(ca[field]);
      expect(Object.isFrozen(ca[field])).toBe(true);
    }
    expect(ca).toEqual(beforeA);
    expect(cb).toEqual(beforeB);
    expect(cb.mac).toBe('001565000002');
    // The states handed in keep their content; the first one's maps are now the shared ones.
    expect(a).toEqual(beforeA);
    expect(b).toEqual(beforeB);
    expect(ca.config).toBe(a.config);
  });

  it('keeps one map per content: a different tree or model is a different map', async () => {
    const interner = new StateInterner();
    const t46u = interner.compact(await provisioned('site-common-only', 'T46U', '001565000001'));
    const t23g = interner.compact(await provisioned('site-common-only', 'T23G', '001565000002'));
    expect(t23g.config).not.toBe(t46u.config);
    expect(t23g.config).not.toEqual(t46u.config);
    expect(t23g.local).toBe(t46u.local); // both {}
    // config, origins, provisioned, md5 twice; one local.
    expect(interner.size).toBe(9);
  });

  it('returns a compacted state as it is, and compacts again without growing', async () => {
    const interner = new StateInterner();
    const once = interner.compact(await provisioned('site-common-only', 'T46U', '001565000001'));
    const size = interner.size;
    expect(interner.compact(once)).toBe(once);
    expect(interner.compact({ ...once, rounds: 2 }).config).toBe(once.config);
    expect(interner.size).toBe(size);
  });

  it('shares the origins of the site’s files between phones that each have their own MAC file', async () => {
    const interner = new StateInterner();
    const a = await provisioned('site', 'T46U', '00156574b150');
    const b = await provisioned('site', 'T46U', '00156574b151');
    const [ca, cb] = [interner.compact(a), interner.compact(b)];
    expect(ca.config).not.toBe(cb.config);
    expect(ca).toEqual(a);
    expect(cb).toEqual(b);
    const fromSite = Object.keys(ca.origins).find((k) => {
      const origin = ca.origins[k]!;
      return origin.kind === 'file' && origin.file === 'site.cfg';
    })!;
    expect(fromSite).toBeDefined();
    expect(cb.origins[fromSite]).toBe(ca.origins[fromSite]);
    expect(a.origins[fromSite]).not.toBe(b.origins[fromSite]);
  });

  it('keeps certificates when there are some, and none when there are none', () => {
    const interner = new StateInterner();
    const phone = newPhone();
    const withCa = { ...phone, certificates: { 'http://h/ca.pem': 'PEM' } };
    expect(interner.compact(withCa)).toEqual(withCa);
    expect('certificates' in interner.compact(phone)).toBe(false);
    expect(interner.compact({ ...phone, certificates: { 'http://h/ca.pem': 'PEM' } }).certificates).toBe(
      interner.compact(withCa).certificates,
    );
  });

  it('keeps a key named __proto__ as a key', () => {
    const interner = new StateInterner();
    const phone = newPhone();
    const odd = {
      ...phone,
      config: JSON.parse('{"__proto__": "x"}') as Record<string, string>,
      origins: JSON.parse('{"__proto__": {"kind": "ui"}}') as PhoneState['origins'],
    };
    const compacted = interner.compact(odd);
    expect(Object.keys(compacted.origins)).toEqual(['__proto__']);
    expect(compacted).toEqual(odd);
  });
});
