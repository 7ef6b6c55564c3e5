import { copyFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { checkFixture, checkTreeAt } from '../support/check.js';

interface Expected {
  readonly id: string;
  readonly severity: 'error' | 'warning' | 'note';
  readonly file?: string;
  readonly line?: number;
  /** How many phones the finding concerns. */
  readonly phones?: number;
}

// One tree per kind of mistake in fixtures/broken/ (see its README): the finding, where it is
// (line 1 for a finding about a whole file), and nothing else that is not already expected.
const cases: [string, string, Expected][] = [
  [
    'parse-error',
    'B2 a boot line that is neither include nor key = value',
    { id: 'B2', severity: 'error', file: '001565000001.boot', line: 3, phones: 1 },
  ],
  [
    'missing-include',
    'B3 an include target that is not in the tree',
    { id: 'B3/missing-include', severity: 'error', file: '001565000001.boot', line: 3, phones: 1 },
  ],
  [
    'unknown-model-token',
    'B5 a [$MODEL] token that is no model',
    { id: 'B5', severity: 'error', file: '001565000001.boot', line: 3 },
  ],
  [
    'unused-model-include',
    'B5 a model include that no phone of the inventory takes',
    { id: 'B5/unused-model-include', severity: 'warning', file: '001565000001.boot', line: 3 },
  ],
  [
    'orphan-mac-file',
    'C4 a MAC file of no phone in the inventory',
    { id: 'C4/orphan-mac-file', severity: 'warning', file: 'phones/001565000099.cfg', line: 1 },
  ],
  [
    'phone-without-mac-file',
    'C4 an inventory phone with no MAC file',
    { id: 'C4/phone-without-mac-file', severity: 'warning', phones: 1 },
  ],
  [
    'unknown-parameter',
    'a parameter unknown to the catalogue',
    { id: 'catalogue/unknown-parameter', severity: 'warning', file: 'common.cfg', line: 4, phones: 1 },
  ],
  [
    'out-of-range',
    'a value outside its documented range',
    { id: 'catalogue/out-of-range', severity: 'error', file: 'common.cfg', line: 4, phones: 1 },
  ],
  [
    'account-beyond-model',
    "C5 account.N beyond the model's account count: a warning, as the phone ignores the line",
    {
      id: 'C5/account-beyond-model',
      severity: 'warning',
      file: 'phones/0015650000f2.cfg',
      line: 3,
      phones: 1,
    },
  ],
  [
    'duplicate-parameter',
    'C2 the same parameter twice in one file',
    { id: 'C2', severity: 'warning', file: 'common.cfg', line: 4, phones: 1 },
  ],
  [
    'static-not-reset',
    'B6 a commented-out static parameter that overwrite mode keeps',
    { id: 'B6/static-not-reset', severity: 'warning', file: 'common.cfg', line: 4, phones: 1 },
  ],
  [
    'static-in-mac-local',
    'K1 a static parameter in a MAC-local file',
    { id: 'K1/static-in-mac-local', severity: 'warning', file: '001565000001-local.cfg', line: 2, phones: 1 },
  ],
  [
    'mac-boot-with-common-boot',
    'B1 a MAC boot file beside the common boot file',
    {
      id: 'B1/mac-boot-with-common-boot',
      severity: 'warning',
      file: 'y000000000000.boot',
      line: 1,
      phones: 1,
    },
  ],
  [
    'no-config',
    'B1 a phone that gets no configuration at all',
    { id: 'B1/no-config', severity: 'error', file: '0015650000f2.boot', line: 1, phones: 1 },
  ],
  [
    'unused-file',
    'a configuration file that no phone reads',
    { id: 'B3/unused-file', severity: 'warning', file: 'old.cfg', line: 1 },
  ],
  [
    'inventory',
    'an inventory row that cannot be checked',
    { id: 'inventory/inventory', severity: 'error', file: 'inventory.csv', line: 3 },
  ],
];

describe('autop check finds each kind of mistake with its file and line', () => {
  it.each(cases)('%s: %s', async (folder, _what, expected) => {
    const result = await checkFixture(`broken/${folder}`);
    const found = result.findings.filter((f) => f.id === expected.id);
    expect(found).toHaveLength(1);
    const finding = found[0]!;
    expect(finding.severity).toBe(expected.severity);
    expect(finding.file).toBe(expected.file);
    expect(finding.line).toBe(expected.line);
    if (expected.phones !== undefined) expect(finding.phones).toBe(expected.phones);
    // The tree has this one mistake: nothing else is found.
    expect(result.findings.map((f) => `${f.id} ${f.file ?? ''}:${f.line ?? ''} ${f.message}`)).toEqual([
      `${finding.id} ${finding.file ?? ''}:${finding.line ?? ''} ${finding.message}`,
    ]);
  });
});

describe('the good fixture', () => {
  it('fixtures/site with its inventory has no error', async () => {
    const result = await checkFixture('site');
    expect(result.phones).toHaveLength(6);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    for (const phone of result.phones) expect(phone.applied.length).toBeGreaterThan(0);
  });
});

describe('findings are deduplicated across phones (issue #4 §6)', () => {
  it('reports a mistake in a shared file once, counting the phones it concerns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-dedup-'));
    await cp(join(fixturesDir, 'broken/unknown-parameter'), dir, { recursive: true });
    const rows = ['mac,model'];
    for (const n of [1, 2, 3]) {
      await copyFile(join(dir, '001565000001.boot'), join(dir, `00156500000${n}.boot`)).catch(
        () => undefined,
      );
      rows.push(`00:15:65:00:00:0${n},T46U`);
    }
    await writeFile(join(dir, 'inventory.csv'), rows.join('\n') + '\n');
    const result = await checkTreeAt(dir);
    const unknown = result.findings.filter((f) => f.id === 'catalogue/unknown-parameter');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ file: 'common.cfg', line: 4, phones: 3 });
    expect(unknown[0]!.sample).toEqual(['00:15:65:00:00:01', '00:15:65:00:00:02', '00:15:65:00:00:03']);
    await rm(dir, { recursive: true, force: true });
  });
});
