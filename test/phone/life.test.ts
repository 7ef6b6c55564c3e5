// The phone's life in virtual time (issue #5): triggers firing at the right instants, a
// provisioned change of the schedule, NOTIFY, call deferral (T10), reboots, and the same timeline
// every time for the same inputs.
import { describe, expect, it } from 'vitest';
import { PhoneLife, type Call, type LifeOptions, type TimelineEntry } from '../../src/phone/life.js';
import { MemoryTree, file } from '../support/memoryTree.js';
import { engine, models, newPhone } from '../support/engine.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.UTC(2026, 0, 5); // a Monday

function site(...settings: string[]) {
  return new MemoryTree({ 'y000000000000.boot': file('include:config "a.cfg"'), 'a.cfg': file(...settings) });
}

/** Runs one phone for `hours` of virtual time; `script` acts on the tree or the phone at given times. */
async function live(
  tree: MemoryTree,
  hours: number,
  options: {
    calls?: Call[];
    script?: [number, (life: PhoneLife) => void][];
    firmware?: string;
    life?: Partial<
      Pick<LifeOptions, 'keepTimeline' | 'poweredOn' | 'endWhenIdle' | 'onEntry' | 'findServer' | 'onState'>
    >;
  } = {},
) {
  const life = new PhoneLife({
    engine,
    model: models.find('T46U')!,
    state: newPhone('T46U', undefined, options.firmware),
    server: { url: 'http://prov.test/', source: 'test' },
    fetcher: tree,
    time: 'virtual',
    start: START,
    seed: 'seed',
    ...(options.calls && { calls: options.calls }),
    ...options.life,
  });
  for (const [at, act] of options.script ?? []) life.at(START + at, () => act(life));
  await life.live(START + hours * HOUR);
  return life;
}

const rounds = (timeline: readonly TimelineEntry[]) =>
  timeline
    .filter((e) => e.state === 'provisioning')
    .map((e) => `${(Date.parse(e.at) - START) / MIN}m ${e.trigger}`);

describe('T1 power-on and T2 repeat in virtual time', () => {
  it('provisions at power-on after the boot, then every N minutes', async () => {
    const life = await live(
      site('static.auto_provision.repeat.enable = 1', 'static.auto_provision.repeat.minutes = 60'),
      4,
    );
    expect(rounds(life.timeline)).toEqual(['1m power-on', '61m repeat', '121m repeat', '181m repeat']);
  });

  it('takes a provisioned change of repeat.minutes from the next round on', async () => {
    const tree = site('static.auto_provision.repeat.enable = 1', 'static.auto_provision.repeat.minutes = 60');
    const life = await live(tree, 4, {
      script: [
        [
          90 * MIN,
          () =>
            tree.set({
              'a.cfg': file(
                'static.auto_provision.repeat.enable = 1',
                'static.auto_provision.repeat.minutes = 30',
              ),
            }),
        ],
      ],
    });
    expect(rounds(life.timeline)).toEqual([
      '1m power-on',
      '61m repeat',
      '121m repeat',
      '151m repeat',
      '181m repeat',
      '211m repeat',
    ]);
  });

  it('with power_on = 0 does not provision when it boots again, and waits for the schedule', async () => {
    const life = await live(
      site(
        'static.auto_provision.power_on = 0',
        'static.network.vlan.internet_port_enable = 1',
        'static.auto_provision.repeat.enable = 1',
        'static.auto_provision.repeat.minutes = 60',
      ),
      2,
    );
    // The factory default of power_on is 1: the first boot provisions, and the R1 reboot that
    // follows boots with power_on = 0; the repeat timer starts again at that boot (T2).
    expect(rounds(life.timeline)).toEqual(['1m power-on', '62m repeat']);
    expect(life.timeline.filter((e) => e.state === 'booting')).toHaveLength(2);
  });
});

describe('T3 weekly and T4 flexible in a phone', () => {
  it('runs a weekly round on each selected day inside the window', async () => {
    const life = await live(
      site(
        'static.auto_provision.weekly.enable = 1',
        'static.auto_provision.weekly.dayofweek = 135',
        'static.auto_provision.weekly.begin_time = 02:00',
        'static.auto_provision.weekly.end_time = 03:00',
      ),
      7 * 24,
    );
    const weekly = life.timeline.filter((e) => e.trigger === 'weekly' && e.state === 'provisioning');
    expect(weekly.map((e) => new Date(e.at).getUTCDay())).toEqual([1, 3, 5]);
    for (const e of weekly) expect(new Date(e.at).getUTCHours()).toBe(2);
  });

  it('runs the flexible round once in its interval, inside a window that crosses midnight', async () => {
    const life = await live(
      site(
        'static.auto_provision.flexible.enable = 1',
        'static.auto_provision.flexible.interval = 7',
        'static.auto_provision.flexible.begin_time = 23:00',
        'static.auto_provision.flexible.end_time = 01:00',
      ),
      14 * 24,
    );
    const flexible = life.timeline.filter((e) => e.trigger === 'flexible' && e.state === 'provisioning');
    expect(flexible.length).toBeGreaterThanOrEqual(1);
    for (const e of flexible) expect([23, 0]).toContain(new Date(e.at).getUTCHours());
  });
});

describe('T7 NOTIFY in a phone', () => {
  it('provisions at once and reboots (notify_reboot_enable 1, the default)', async () => {
    const life = await live(site('lang.gui = French'), 2, {
      script: [[30 * MIN, (l) => l.request('notify', 'check-sync')]],
    });
    expect(rounds(life.timeline)).toEqual(['1m power-on', '30m notify', '31m power-on']);
    expect(life.timeline.find((e) => e.trigger === 'notify' && e.round)?.round).toMatchObject({
      reboot: true,
      reasons: ['T7 check-sync NOTIFY'],
    });
  });

  it('with notify_reboot_enable 0 reboots only for reboot=true; with 2 ignores the NOTIFY', async () => {
    const zero = await live(site('sip.notify_reboot_enable = 0'), 2, {
      script: [
        [30 * MIN, (l) => l.request('notify', 'check-sync')],
        [60 * MIN, (l) => l.request('notify', 'check-sync;reboot=true')],
      ],
    });
    expect(rounds(zero.timeline)).toEqual(['1m power-on', '30m notify', '60m notify', '61m power-on']);
    const two = await live(site('sip.notify_reboot_enable = 2'), 2, {
      script: [[30 * MIN, (l) => l.request('notify', 'check-sync')]],
    });
    expect(rounds(two.timeline)).toEqual(['1m power-on']);
    expect(two.timeline.some((e) => e.event.includes('ignored'))).toBe(true);
  });
});

describe('T10 a round due during a call', () => {
  const repeat = () =>
    site('static.auto_provision.repeat.enable = 1', 'static.auto_provision.repeat.minutes = 60');

  it('runs at the first 30 s check after a call that ends within 2 hours', async () => {
    const life = await live(repeat(), 3, {
      calls: [{ start: START + 50 * MIN, end: START + 100 * MIN + 10_000 }],
    });
    const provisioning = life.timeline
      .filter((e) => e.state === 'provisioning')
      .map((e) => Date.parse(e.at) - START);
    expect(provisioning[1]).toBe(61 * MIN + Math.ceil((39 * MIN + 10_000) / 30_000) * 30_000);
    expect(life.timeline.some((e) => e.state === 'in-call')).toBe(true);
  });

  it('abandons it when the call lasts past 2 hours', async () => {
    const life = await live(repeat(), 4, { calls: [{ start: START + 50 * MIN, end: START + 4 * HOUR }] });
    expect(life.timeline.some((e) => e.event.includes('abandoned'))).toBe(true);
    const abandoned = life.timeline.find((e) => e.event.includes('abandoned'))!;
    expect(Date.parse(abandoned.at) - START).toBe(61 * MIN + 2 * HOUR);
  });
});

describe('reboots and the same timeline every time', () => {
  it('reboots after a firmware upgrade and comes back on the new version', async () => {
    const rom = 'T46U(T43U,T46U,T41U,T48U,T42U,T44U,T44W)-108.86.0.95.rom';
    const tree = site(`static.firmware.url = http://prov.test/${rom}`).set({ [rom]: new Uint8Array(16) });
    const life = await live(tree, 1, { firmware: '108.86.0.90' });
    expect(life.flash.firmware).toBe('108.86.0.95');
    expect(life.timeline.map((e) => e.event)).toContain('reboot into firmware 108.86.0.95');
  });

  it('gives a byte-identical timeline for the same inputs and seed', async () => {
    const settings = [
      'static.auto_provision.repeat.enable = 1',
      'static.auto_provision.repeat.minutes = 180',
      'static.auto_provision.weekly.enable = 1',
      'static.auto_provision.flexible.enable = 1',
      'static.auto_provision.flexible.interval = 2',
    ];
    const a = await live(site(...settings), 7 * 24);
    const b = await live(site(...settings), 7 * 24);
    expect(JSON.stringify(a.timeline)).toBe(JSON.stringify(b.timeline));
    expect(a.timeline.length).toBeGreaterThan(50);
  });
});

describe('lives for fleets and discovery (issues #6, #8)', () => {
  const hourly = () =>
    site('static.auto_provision.repeat.enable = 1', 'static.auto_provision.repeat.minutes = 60');

  it('endWhenIdle: the life ends the first time the phone is idle (a boot storm)', async () => {
    const life = await live(hourly(), 4, { life: { endWhenIdle: true } });
    expect(rounds(life.timeline)).toEqual(['1m power-on']);
  });

  it('poweredOn: no boot and no power-on round; the triggers run from the start', async () => {
    const tree = hourly();
    // A phone already provisioned from this tree, as after a fleet's boot storm.
    const first = await live(tree, 1, { life: { endWhenIdle: true } });
    const life = new PhoneLife({
      engine,
      model: models.find('T46U')!,
      state: first.flash,
      server: { url: 'http://prov.test/', source: 'test' },
      fetcher: tree,
      time: 'virtual',
      start: START,
      seed: 'seed',
      poweredOn: true,
    });
    await life.live(START + 3 * HOUR);
    expect(life.timeline.some((e) => e.state === 'booting')).toBe(false);
    expect(rounds(life.timeline)).toEqual(['60m repeat', '120m repeat']);
  });

  it('keepTimeline false: nothing kept in memory, every entry still handed to onEntry', async () => {
    const seen: TimelineEntry[] = [];
    const life = await live(hourly(), 3, { life: { keepTimeline: false, onEntry: (e) => seen.push(e) } });
    expect(life.timeline).toEqual([]);
    expect(rounds(seen)).toEqual(['1m power-on', '61m repeat', '121m repeat']);
  });

  it('findServer: asked at every boot, its server and flash used for the rounds', async () => {
    let asked = 0;
    const life = await live(hourly(), 1, {
      life: {
        findServer: (state) => {
          asked++;
          return Promise.resolve({
            state: { ...state, network: { at: new Date(START).toISOString(), serverSource: 'dhcp-66' } },
            server: { url: 'http://prov.test/', source: 'DHCP option 66 (S1)' },
            summary: 'server from DHCP option 66 (S1)',
          });
        },
      },
    });
    expect(asked).toBe(1);
    expect(life.timeline.find((e) => e.state === 'finding-server')?.event).toBe(
      'server from DHCP option 66 (S1)',
    );
    expect(life.flash.network?.serverSource).toBe('dhcp-66');
    expect(rounds(life.timeline)).toEqual(['1m power-on']);
  });

  it('onState: the flash saved after each round that ran, and at the end of the life', async () => {
    const saved: number[] = [];
    const life = await live(hourly(), 2, { life: { onState: (state) => void saved.push(state.rounds) } });
    // After the power-on round (1 min), after the repeat round (61 min), and at the end (2 h).
    expect(saved).toEqual([1, 2, 2]);
    expect(life.flash.rounds).toBe(2);
  });
});
