import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInventory } from '../../src/check/inventory.js';
import { parseFirmware } from '../../src/core/firmware.js';
import { decideFirmware, parseRomName, romListsModel } from '../../src/engine/firmware.js';
import { firmwareProblem, type ModelEntry } from '../../src/models/catalogue.js';
import { runCli } from '../support/cli.js';
import { models, newPhone, round } from '../support/engine.js';
import { file, MemoryTree } from '../support/memoryTree.js';

const model = (id: string): ModelEntry => models.find(id)!;
const version = (text: string) => parseFirmware(text)!;

describe('R3 a model runs several firmware families over its life', () => {
  it('lists V84 families before the shared 96.x for the T57W, T53W and T53 (Wazo v84/v85 entry.py)', () => {
    const families = (id: string) => model(id).firmware.families.map((f) => [f.family, f.since]);
    expect(families('T57W')).toEqual([
      [97, 84],
      [96, 85],
    ]);
    expect(families('T53W')).toEqual([
      [95, 84],
      [96, 85],
    ]);
    expect(families('T53')).toEqual([
      [95, 84],
      [96, 85],
    ]);
    expect(families('T54W')).toEqual([[96, 84]]);
    // V81: one ROM per T4xS model, then the shared T46S ROM of family 66 from V82.
    expect(families('T48S')).toEqual([
      [65, 81],
      [66, 82],
    ]);
  });

  it('accepts a version of any of its families, and names them all when refusing', () => {
    expect(firmwareProblem(model('T57W'), '97.84.0.125')).toBeUndefined();
    expect(firmwareProblem(model('T57W'), '96.87.0.15')).toBeUndefined();
    expect(firmwareProblem(model('T57W'), '95.84.0.125')).toBe(
      '95.84.0.125 is family 95; T57W runs families 97 (V84), 96 (V85+) (for example 96.87.0.15)',
    );
    expect(firmwareProblem(model('T46U'), '1.2.3')).toMatch(/not a version such as 108/);
  });

  it('upgrades a T57W from its V84 family to the shared 96.x ROM that lists it', () => {
    const decision = decideFirmware(
      'T54W(T57W,T53W,T53)-96.85.0.5.rom',
      model('T57W'),
      version('97.84.0.125'),
    );
    expect(decision).toMatchObject({ install: true, reason: 'newer' });
  });

  it('orders versions of two families by generation, not by family number', () => {
    // 97.84 is older than 96.87 although 97 > 96.
    const decision = decideFirmware('T57W-97.84.0.125.rom', model('T57W'), version('96.87.0.15'));
    expect(decision).toMatchObject({ install: true, reason: 'older' });
  });

  it('still refuses a family the model never ran', () => {
    const decision = decideFirmware('T46U-108.86.0.90.rom', model('T57W'), version('96.87.0.15'));
    expect(decision).toMatchObject({ install: false, reason: 'other-family' });
  });

  it('reads a ROM name whose version is followed by a build date (Wazo v86)', () => {
    const rom = parseRomName('T54W(T57W,T53W,T53,T53C,T54,T57)-96.86.0.45(20211130).rom');
    expect(rom?.version.text).toBe('96.86.0.45');
    expect(rom?.prefix).toBe('T54W');
  });

  it('counts the leading model of a ROM name as listed: T53W(T53) is for the T53W', () => {
    const rom = parseRomName('T53W(T53)-95.84.0.125.rom')!;
    expect(romListsModel(rom, model('T53W'))).toBe(true);
    expect(romListsModel(rom, model('T53'))).toBe(true);
    expect(romListsModel(rom, model('T54W'))).toBe(false);
    // A name without a list in brackets says nothing either way.
    expect(romListsModel(parseRomName('T48-35.83.0.120.rom')!, model('T48G'))).toBeUndefined();
    // The T58A is listed by its older name in its ROM, T58V.
    expect(romListsModel(parseRomName('T58V(T56A)-58.86.0.20.rom')!, model('T58A'))).toBe(true);
  });
});

describe('R3 in a round', () => {
  const tree = (rom: string) =>
    new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file(`static.firmware.url = http://prov.test/fw/${rom}`),
      [`fw/${rom}`]: new Uint8Array(8),
    });

  it('installs the V84 T53W ROM on a T53W without warning that the ROM does not list it', async () => {
    const { report } = await round(
      tree('T53W(T53)-95.84.0.125.rom'),
      newPhone('T53W', '001565000053', '95.84.0.30'),
    );
    expect(report.firmware).toMatchObject({ install: true, version: '95.84.0.125' });
    expect(report.warnings.filter((w) => w.rule === 'R3')).toEqual([]);
  });

  it('refuses a ROM of a family the model never ran, naming its families', async () => {
    const { report } = await round(
      tree('T53W(T53)-95.84.0.130.rom'),
      newPhone('T57W', '001565000057', '96.87.0.15'),
    );
    // 95 is a T53W family, not a T57W one: not installed, and the reason names the T57W's.
    expect(report.firmware).toMatchObject({ install: false });
    expect(report.firmware?.reason).toMatch(/the T57W runs families 97 \(V84\), 96 \(V85\+\)/);
  });

  it("still warns when a ROM of the model's family lists other models only", async () => {
    const { report } = await round(
      tree('T46S(T48S,T42S)-66.86.0.20.rom'),
      newPhone('T41S', '001565000041', '66.86.0.15'),
    );
    expect(report.warnings).toContainEqual(
      expect.objectContaining({
        rule: 'R3',
        message: 'T46S(T48S,T42S)-66.86.0.20.rom does not list T41S among its models',
      }),
    );
  });
});

describe('R3 --firmware and inventories accept every family of the model', () => {
  it('provisions a T57W on 97.84.0.125 (refused before: "family 97; T57W runs family 96")', async () => {
    const { code, stderr } = await runCli([
      'provision',
      '--tree',
      'fixtures/site',
      '--mac',
      '00:15:65:74:b1:50',
      '--model',
      'T57W',
      '--firmware',
      '97.84.0.125',
    ]);
    expect(stderr).not.toContain('--firmware');
    expect(code).toBe(0);
  });

  it('refuses a family the model never ran, naming its families (exit 2)', async () => {
    const { code, stderr } = await runCli([
      'provision',
      '--tree',
      'fixtures/site',
      '--mac',
      '00:15:65:00:00:57',
      '--model',
      'T57W',
      '--firmware',
      '95.84.0.125',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('--firmware 95.84.0.125 is family 95; T57W runs families 97 (V84), 96 (V85+)');
  });

  it('reads an inventory row of a T53W on 95.84.0.125 as a phone, not a problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-families-'));
    try {
      const path = join(dir, 'inventory.csv');
      await writeFile(
        path,
        'mac,model,firmware\n00:15:65:00:00:53,T53W,95.84.0.125\n00:15:65:00:00:54,T53W,66.86.0.15\n',
      );
      const read = await readInventory(path, models);
      if (read.kind !== 'ok') throw new Error(read.message);
      expect(read.phones.map((p) => p.firmware)).toEqual(['95.84.0.125']);
      expect(read.problems).toEqual([
        {
          line: 3,
          message:
            'firmware 66.86.0.15 is family 66; T53W runs families 95 (V84), 96 (V85+) (for example 96.87.0.15)',
        },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
