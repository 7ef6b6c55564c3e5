// R3 on the bundled rollout tree: T46U and T23G get different ROMs, the T23G's already current.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import type { PhoneState } from '../../src/phone/state.js';
import { engine, models, newPhone, T23G_MAC } from '../support/engine.js';
import { runCli } from '../support/cli.js';

const tree = join(fixturesDir, 'firmware-rollout');
const provision = (state: PhoneState) =>
  engine.runRound({
    model: models.find(state.model)!,
    state,
    server: { url: pathToFileURL(tree + '/').href, source: 'test' },
    fetcher: new FileFetcher(tree),
    now: new Date('2026-11-29T10:00:00Z'),
  });

describe('R3 firmware rollout', () => {
  it('upgrades a T46U on 108.86.0.90, with the reason, the ROM size and MD5, and a reboot', async () => {
    const { report, state } = await provision(newPhone('T46U', undefined, '108.86.0.90'));
    expect(report.firmware).toMatchObject({
      install: true,
      running: '108.86.0.90',
      version: '108.86.0.95',
      reason: 'upgrade 108.86.0.90 → 108.86.0.95',
      size: 64,
      md5: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
    });
    expect(report.downloads.at(-1)).toMatchObject({
      kind: 'firmware',
      outcome: 'ok',
      file: expect.stringContaining('firmware/') as string,
    });
    expect(report.rebootReasons).toContainEqual({
      rule: 'R3',
      message: 'firmware upgrade 108.86.0.90 → 108.86.0.95',
    });
    // After the reboot the phone runs the new version: nothing new, no second download.
    const again = await provision(state);
    expect(again.report).toMatchObject({
      status: 'unchanged',
      reboot: false,
      phone: { firmware: '108.86.0.95' },
    });
    expect(again.report.downloads.some((d) => d.kind === 'firmware')).toBe(false);
  });

  it('leaves a T23G that already runs its ROM as it is, saying why', async () => {
    const { report, state } = await provision(newPhone('T23G', T23G_MAC, '44.84.0.140'));
    expect(report.firmware).toMatchObject({ install: false, reason: 'already running 44.84.0.140' });
    expect(report.reboot).toBe(false);
    expect(state.firmware).toBe('44.84.0.140');
  });

  it('autop check lists what every phone would do with its firmware', async () => {
    const { code, stdout } = await runCli([
      'check',
      'fixtures/firmware-rollout',
      '--inventory',
      'fixtures/firmware-rollout/inventory.csv',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /T46U\s+00:15:65:74:b1:50\s+installs .*108\.86\.0\.95\.rom: upgrade 108\.86\.0\.90 → 108\.86\.0\.95/,
    );
    expect(stdout).toMatch(/T46U\s+00:15:65:74:b1:51\s+keeps .*already running 108\.86\.0\.95/);
    expect(stdout).toMatch(/T23G\s+00:15:65:93:70:f2\s+keeps\s+T23-44\.84\.0\.140\.rom: already running/);
  });
});
