import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage.js';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { macOrThrow } from '../../src/core/mac.js';
import { factoryState } from '../../src/phone/state.js';
import {
  fleetFromInventory,
  generateFleet,
  largestRemainder,
  parseModelMix,
} from '../../src/fleet/fleetInventory.js';
import { models } from '../support/engine.js';

const mix = (text: string) => parseModelMix(text, models);
const countsOf = (phones: readonly { model: { id: string } }[]) => {
  const counts: Record<string, number> = {};
  for (const p of phones) counts[p.model.id] = (counts[p.model.id] ?? 0) + 1;
  return counts;
};

describe('--models: the model mix', () => {
  it('reads shares with or without %, and model aliases, as catalogue ids', () => {
    expect(mix('T46U:70%,T23G:30%')).toEqual([
      { model: 'T46U', percent: 70 },
      { model: 'T23G', percent: 30 },
    ]);
    expect(mix(' sip-t46u : 70 , SIP-T23G:30 ')).toEqual([
      { model: 'T46U', percent: 70 },
      { model: 'T23G', percent: 30 },
    ]);
    expect(mix('T46U:33.4,T23G:66.6')).toEqual([
      { model: 'T46U', percent: 33.4 },
      { model: 'T23G', percent: 66.6 },
    ]);
  });

  it('takes a lone model without a share as 100%', () => {
    expect(mix('T46U')).toEqual([{ model: 'T46U', percent: 100 }]);
  });

  it.each([
    ['T99:70%,T23G:30%', /T99 is not a known model; known: .*T46U/],
    ['T46U:abc,T23G:30', /"abc" is not a share for T46U/],
    ['T46U:-5,T23G:105', /"-5" is not a share/],
    ['T46U:0,T23G:100', /"0" is not a share/],
    ['T46U:70%,T23G:20%', /add up to 90%, not 100%/],
    ['T46U:50,SIP-T46U:50', /T46U is listed twice/],
    ['T46U,T23G:30', /T46U has no share/],
    [' , ', /names no model/],
  ])('refuses %s with a message that says what to write', (text, message) => {
    expect(() => mix(text)).toThrow(UsageError);
    expect(() => mix(text)).toThrow(message);
  });
});

describe('generated fleets', () => {
  it('gives the exact proportions, by largest remainder', () => {
    expect(countsOf(generateFleet({ count: 10, mix: mix('T46U:70%,T23G:30%'), seed: 's' }, models))).toEqual({
      T46U: 7,
      T23G: 3,
    });
    expect(largestRemainder(3, [33.4, 33.3, 33.3])).toEqual([1, 1, 1]);
    expect(largestRemainder(7, [50, 50])).toEqual([4, 3]);
    expect(largestRemainder(10, [16, 17, 67])).toEqual([1, 2, 7]);
    // Equal remainders (.34 and .34, which floats make .34 and .3400000000000001) go to the earlier model.
    expect(largestRemainder(2, [17, 67, 16])).toEqual([1, 1, 0]);
  });

  it('never strays more than one phone from a model’s quota, and always adds up (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 6 }),
        (count, weights) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const percents = weights.map((w) => (w * 100) / total);
          const split = largestRemainder(count, percents);
          expect(split.reduce((a, b) => a + b, 0)).toBe(count);
          split.forEach((n, i) => expect(Math.abs(n - (count * percents[i]!) / 100)).toBeLessThan(1 + 1e-9));
        },
      ),
    );
  });

  it('draws distinct, sorted MACs of Yealink’s OUI from the seed: same seed, same fleet', () => {
    const options = { count: 2000, mix: mix('T46U:70%,T23G:30%'), seed: 'storm-1' };
    const fleet = generateFleet(options, models);
    expect(fleet).toHaveLength(2000);
    expect(new Set(fleet.map((p) => p.mac)).size).toBe(2000);
    expect(fleet.every((p) => p.mac.startsWith('001565'))).toBe(true);
    expect(fleet.map((p) => p.mac)).toEqual(fleet.map((p) => p.mac).sort());
    expect(generateFleet(options, models)).toEqual(fleet);
    const other = generateFleet({ ...options, seed: 'storm-2' }, models);
    expect(other.map((p) => p.mac)).not.toEqual(fleet.map((p) => p.mac));
  });

  it('runs each model’s current firmware from the catalogue', () => {
    const fleet = generateFleet({ count: 20, mix: mix('T46U:50%,T23G:50%'), seed: 'x' }, models);
    for (const phone of fleet) expect(phone.firmware).toBe(phone.model.firmware.current);
    expect(fleet[0]!.model).toBe(models.find(fleet[0]!.model.id));
  });

  it('numbers MACs up from --mac-base, with the models in a seeded shuffle', () => {
    const base = macOrThrow('00:15:65:00:00:fe');
    const options = { count: 100, mix: mix('T46U:50%,T23G:50%'), macBase: base, seed: 'a' };
    const fleet = generateFleet(options, models);
    expect(fleet.slice(0, 3).map((p) => p.mac)).toEqual(['0015650000fe', '0015650000ff', '001565000100']);
    expect(fleet.at(-1)!.mac).toBe('001565000161');
    expect(countsOf(fleet)).toEqual({ T46U: 50, T23G: 50 });
    const firstHalf = new Set(fleet.slice(0, 50).map((p) => p.model.id));
    expect(firstHalf.size).toBe(2);
    const reshuffled = generateFleet({ ...options, seed: 'b' }, models).map((p) => p.model.id);
    expect(reshuffled).not.toEqual(fleet.map((p) => p.model.id));
    expect(generateFleet(options, models)).toEqual(fleet);
  });

  it('refuses a --mac-base that would run past ff:ff:ff:ff:ff:ff', () => {
    const options = { count: 3, mix: mix('T46U'), seed: 's' };
    expect(generateFleet({ ...options, macBase: macOrThrow('fffffffffffd') }, models)).toHaveLength(3);
    expect(() => generateFleet({ ...options, macBase: macOrThrow('fffffffffffe') }, models)).toThrow(
      /runs past ff:ff:ff:ff:ff:ff/,
    );
  });

  it('refuses a count that is not a whole number of phones', () => {
    for (const count of [0, -1, 2.5, Number.NaN]) {
      expect(() => generateFleet({ count, mix: mix('T46U'), seed: 's' }, models)).toThrow(UsageError);
    }
  });
});

describe('fleets from an inventory file', () => {
  it('reads the site’s inventory, with each row’s firmware, sorted by MAC', async () => {
    const { phones, problems } = await fleetFromInventory(join(fixturesDir, 'site', 'inventory.csv'), models);
    expect(problems).toEqual([]);
    expect(phones.map((p) => [p.mac, p.model.id, p.firmware])).toEqual([
      ['00156574b150', 'T46U', '108.86.0.90'],
      ['00156574b151', 'T46U', '108.86.0.90'],
      ['00156574b152', 'T46U', '108.86.0.45'],
      ['0015659370f2', 'T23G', '44.84.0.140'],
      ['0015659370f3', 'T23G', '44.84.0.140'],
      ['0015659370f4', 'T23G', '44.84.0.140'],
    ]);
    expect(phones[0]!.name).toBe('Reception');
  });

  it('lists bad rows and duplicate MACs as file:line problems and keeps the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-fleet-inv-'));
    const path = join(dir, 'inventory.csv');
    await writeFile(
      path,
      [
        'mac,model,firmware',
        '00:15:65:00:00:02,T23G,',
        '00:15:65:00:00:01,T46U,',
        'not-a-mac,T46U,',
        '00:15:65:00:00:03,T99,',
        '00-15-65-00-00-01,T46U,',
      ].join('\n') + '\n',
    );
    const { phones, problems } = await fleetFromInventory(path, models);
    expect(phones.map((p) => p.mac)).toEqual(['001565000001', '001565000002']);
    expect(phones[0]!.firmware).toBe(models.find('T46U')!.firmware.current);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(new RegExp(`^${path}:4: "not-a-mac" is not a MAC address`));
    expect(problems[1]).toMatch(new RegExp(`^${path}:5: model T99 is not a known model`));
    expect(problems[2]).toMatch(new RegExp(`^${path}:6: 00-15-65-00-00-01 is listed twice`));
  });

  it('starts a phone from the saved state its row names; a bad or foreign state leaves it out, by line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-fleet-inv-'));
    const saved = { ...factoryState(macOrThrow('001565000001'), 'T46U', '108.86.0.20'), rounds: 3 };
    await writeFile(join(dir, 'good.json'), JSON.stringify(saved));
    await writeFile(join(dir, 'bad.json'), '{"x":1}');
    const path = join(dir, 'inventory.csv');
    await writeFile(
      path,
      [
        'mac,model,state',
        '00:15:65:00:00:01,T46U,good.json',
        '00:15:65:00:00:02,T46U,bad.json',
        '00:15:65:00:00:03,T46U,good.json',
      ].join('\n') + '\n',
    );
    const { phones, problems } = await fleetFromInventory(path, models);
    expect(phones.map((p) => [p.mac, p.state?.rounds])).toEqual([['001565000001', 3]]);
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^${path}:3: .*bad\\.json: format is undefined`)),
      `${path}:4: the saved state is for 001565000001, not 001565000003`,
    ]);
  });

  it('is a usage error when the file cannot be read', async () => {
    await expect(fleetFromInventory('/nonexistent/inventory.csv', models)).rejects.toThrow(UsageError);
  });
});
