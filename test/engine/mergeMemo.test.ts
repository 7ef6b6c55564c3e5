// Issue #14 §2: phones with the same maps before a round and the same files share one merge
// (src/engine/mergeMemo.ts). A shared merge must leave each phone exactly the state and report an
// engine of its own would give it; only what is the phone's own (its MAC-local file, K4) differs.
import { describe, expect, it } from 'vitest';
import { macOrThrow } from '../../src/core/mac.js';
import { Engine, type RoundResult } from '../../src/engine/round.js';
import { factoryState, type PhoneState } from '../../src/phone/state.js';
import { MemoryTree, ROOT, file } from '../support/memoryTree.js';
import { models, params } from '../support/engine.js';

const T46U = models.find('T46U')!;
const A = macOrThrow('001565000001');
const B = macOrThrow('001565000002');

function tree(): MemoryTree {
  return new MemoryTree({
    'y000000000000.boot': file('include:config "site.cfg"', '[T46U]include:config "y000000000108.cfg"'),
    'site.cfg': file(
      'static.auto_provision.custom.protect = 1',
      'static.network.vlan.internet_port_enable = 1',
      'phone_setting.backlight_time = 60',
      'lang.gui = French',
    ),
    'y000000000108.cfg': file('linekey.1.type = 15', 'phone_setting.backlight_time = 30'),
  });
}

function run(engine: Engine, fetcher: MemoryTree, state: PhoneState): Promise<RoundResult> {
  return engine.runRound({
    model: T46U,
    state,
    server: { url: ROOT, source: 'test' },
    fetcher,
    now: new Date('2026-11-29T10:00:00Z'),
  });
}

/** Two phones' flash with the same map objects (as a fleet's StateInterner leaves them). */
function sharedMaps(local: Record<string, string> = {}): [PhoneState, PhoneState] {
  const maps = { config: {}, origins: {}, provisioned: {}, local, md5: {} };
  return [
    { ...factoryState(A, T46U.id, T46U.firmware.current), ...maps },
    { ...factoryState(B, T46U.id, T46U.firmware.current), ...maps },
  ];
}

describe('issue #14 §2: merges shared between phones (B6, C2a, K3, K4)', () => {
  it('gives the second phone the first one merge, and the state its own engine would give it', async () => {
    const files = tree();
    const shared = new Engine({ models, params });
    const [a, b] = sharedMaps();
    const first = await run(shared, files, a);
    const second = await run(shared, files, b);
    // One merge for both: the same objects.
    expect(second.state.config).toBe(first.state.config);
    expect(second.state.origins).toBe(first.state.origins);
    // And exactly what an engine that never saw phone A gives phone B.
    const own = await run(new Engine({ models, params }), files, sharedMaps()[1]);
    expect(second.state).toEqual(own.state);
    expect(second.report).toEqual(own.report);
    expect(second.report.rebootReasons.map((r) => r.rule)).toEqual(['R1']);
  });

  it('names each phone its own MAC-local file when a shared merge applies one (K4)', async () => {
    const files = tree();
    const shared = new Engine({ models, params });
    const [a, b] = sharedMaps({ 'phone_setting.backlight_time': '120' });
    const first = await run(shared, files, a);
    const second = await run(shared, files, b);
    expect(second.state.config).toBe(first.state.config);
    expect(first.report.applied).toEqual(['site.cfg', 'y000000000108.cfg', `${A}-local.cfg`]);
    expect(second.report.applied).toEqual(['site.cfg', 'y000000000108.cfg', `${B}-local.cfg`]);
    expect(second.report.config['phone_setting.backlight_time']).toBe('120');
  });

  it('merges afresh for a phone whose configuration before the round differs', async () => {
    const files = tree();
    const shared = new Engine({ models, params });
    const [a] = sharedMaps();
    const first = await run(shared, files, a);
    const other: PhoneState = {
      ...factoryState(B, T46U.id, T46U.firmware.current),
      config: { 'lang.gui': 'German' },
      provisioned: { 'lang.gui': 'German' },
      origins: { 'lang.gui': { kind: 'file', file: 'old.cfg', line: 2 } },
    };
    const second = await run(shared, files, other);
    expect(second.state.config).not.toBe(first.state.config);
    const own = await run(new Engine({ models, params }), files, other);
    expect(second.state).toEqual(own.state);
    expect(second.report.changes).toEqual(own.report.changes);
  });
});
