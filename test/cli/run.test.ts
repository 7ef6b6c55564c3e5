// `autop run`: a week in virtual time from the command line, and a phone in real time answering
// check-sync NOTIFYs from SIPp (Debian's sip-tester) and from `autop notify`, then Ctrl-C (T7).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { assertInstalled, skipUnlessInstalled, tempDir } from '../support/servers.js';
import { freeUdpPort } from '../support/udp.js';
import { packageRoot } from '../../src/core/packageRoot.js';

const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];
const SIPP = { binary: '/usr/bin/sipp', debianPackage: 'sip-tester' };
const SCENARIOS = fileURLToPath(new URL('../sip/scenarios/', import.meta.url));

describe('autop run in virtual time', () => {
  it('lives a week of the bundled site in one go and prints the same timeline each time', async () => {
    const args = [
      'run',
      '--tree',
      'fixtures/site',
      ...T46U,
      '--virtual',
      '--for',
      '7d',
      '--seed',
      's1',
      '--json',
    ];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    const { timeline } = JSON.parse(first.stdout) as {
      timeline: { at: string; trigger?: string; state: string }[];
    };
    expect(timeline[0]).toMatchObject({ at: '2026-01-05T00:00:00.000Z', state: 'booting' });
    expect(timeline.filter((e) => e.state === 'provisioning').length).toBeGreaterThan(3);
    expect(Date.parse(timeline.at(-1)!.at)).toBeLessThanOrEqual(Date.parse('2026-01-12T00:00:00Z'));
    const second = await runCli(args);
    expect(second.stdout).toBe(first.stdout);
  });

  it('defers a round during a call given with --call', async () => {
    const { stdout } = await runCli([
      'run',
      '--tree',
      'fixtures/site',
      ...T46U,
      '--virtual',
      '--for',
      '1d',
      '--call',
      '0m/3h',
    ]);
    expect(stdout).toContain('round due during a call; checking every 30 s (T10)');
    expect(stdout).toContain('abandoned (T10)');
  });

  it('exits 2 for --virtual without --for and for a malformed duration', async () => {
    expect((await runCli(['run', '--tree', 'fixtures/site', ...T46U, '--virtual'])).code).toBe(2);
    expect(
      (await runCli(['run', '--tree', 'fixtures/site', ...T46U, '--virtual', '--for', 'a week'])).code,
    ).toBe(2);
  });
});

/** Starts `autop run` in real time and collects its output until it exits. */
async function startRealPhone(sipPort: number) {
  const dir = await tempDir('run');
  const child = spawn(
    process.execPath,
    [
      CLI,
      'run',
      '--tree',
      'fixtures/site',
      ...T46U,
      '--boot',
      '1s',
      '--sip-port',
      String(sipPort),
      '--state',
      join(dir, 'phone.json'),
    ],
    { cwd: packageRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = async (text: string, count = 1) => {
    const deadline = Date.now() + 15_000;
    while (output.split(text).length - 1 < count) {
      if (Date.now() > deadline) throw new Error(`no "${text}" in:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

describe.skipIf(skipUnlessInstalled(SIPP))('autop run in real time answers check-sync NOTIFYs (T7)', () => {
  it('from SIPp (with and without reboot=true) and autop notify: a round each, a reboot only for reboot=true; Ctrl-C saves', async () => {
    assertInstalled(SIPP);
    const port = await freeUdpPort();
    const phone = await startRealPhone(port);
    try {
      await phone.waitFor('listening for SIP NOTIFY');
      // The site's first round changes network settings: a reboot (R1), then a second power-on round.
      await phone.waitFor('waiting for the next trigger');
      // SIPp plays the PBX. The site sets sip.notify_reboot_enable = 0: a plain check-sync provisions
      // without a reboot, one with reboot=true reboots after its round (T7).
      const sipp = async (scenario: string) =>
        spawnSync(
          SIPP.binary,
          [
            `127.0.0.1:${port}`,
            ...['-sf', join(SCENARIOS, scenario), '-m', '1', '-s', '1001', '-i', '127.0.0.1'],
            ...['-p', String(await freeUdpPort()), '-timeout', '10s', '-timeout_error', '-nostdin'],
          ],
          { encoding: 'utf8', cwd: await tempDir('sipp-run') },
        ).status;
      expect(await sipp('check-sync.xml')).toBe(0);
      await phone.waitFor('idle           [notify] nothing new (M1)');
      expect(await sipp('check-sync-reboot.xml')).toBe(0);
      await phone.waitFor('rebooting      [notify] nothing new (M1); reboot (T7 check-sync NOTIFY)');
      await phone.waitFor('waiting for the next trigger', 2);
      const ours = await runCli(['notify', `127.0.0.1:${port}`]);
      expect(ours.code).toBe(0);
      expect(ours.stdout).toContain('200 OK');
      await phone.waitFor('[notify] notify round', 3);
      await phone.waitFor('idle           [notify] nothing new (M1)', 2);
      expect(phone.output().split('reboot (T7 check-sync NOTIFY)').length - 1).toBe(1);
    } finally {
      phone.child.kill('SIGINT');
    }
    expect(await phone.exited).toBe(0);
    expect(phone.output()).toMatch(/\d+ rounds/);
  });
});
