import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factoryState } from '../../src/phone/state.js';
import { macOrThrow } from '../../src/core/mac.js';
import { runCli } from '../support/cli.js';

interface DiffJson {
  phones: number;
  changed: number;
  rebooting: number;
  upgrading: number;
  reboots: { what: { rule: string; param?: string }; count: number }[];
  upgrades: { what: { from: string; to: string }; count: number; sample: string[] }[];
  resets: { what: { key: string; how: string }; count: number }[];
  keptByLocal: { what: string; count: number; sample: string[] }[];
  perPhone: { mac: string; changes: { key: string; before?: string; after?: string; how: string }[] }[];
}

describe('autop diff TREE_A TREE_B', () => {
  it('provisions each phone from the first tree, then the second, and lists what changes', async () => {
    const { code, stdout } = await runCli([
      'diff',
      'fixtures/site-common-only',
      'fixtures/site',
      '--inventory',
      'fixtures/site/inventory.csv',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const diff = JSON.parse(stdout) as DiffJson;
    expect(diff.phones).toBe(6);
    expect(diff.changed).toBe(6);
    const reception = diff.perPhone.find((p) => p.mac === '00:15:65:74:b1:50')!;
    expect(reception.changes).toContainEqual(
      expect.objectContaining({ key: 'account.1.user_name', after: '101', how: 'set' }),
    );
    expect(reception.changes).toContainEqual(
      expect.objectContaining({ key: 'linekey.2.line', before: '1', after: '2' }),
    );
    // Passwords stay masked.
    expect(reception.changes).toContainEqual(
      expect.objectContaining({ key: 'account.1.password', after: '********' }),
    );
  });

  it('finds nothing to change between a tree and itself (M1: same files, same MD5s)', async () => {
    const { stdout } = await runCli([
      'diff',
      'fixtures/site',
      'fixtures/site',
      '--inventory',
      'fixtures/site/inventory.csv',
    ]);
    expect(stdout).toMatch(/6 phones; 0 change, 0 reboot, 0 upgrade firmware/);
    expect(stdout).toContain('No phone changes.');
  });
});

describe('autop diff --git REV_A REV_B', () => {
  let repo: string;
  let inventory: string;
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
  const boot =
    '#!version:1.0.0.1\noverwrite_mode = 1\ninclude:config "common.cfg"\n[T46U]include:config "t46u.cfg"\n';
  const rom = 'T46U-108.86.0.95.rom';

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'autop-git-'));
    const work = await mkdtemp(join(tmpdir(), 'autop-inv-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'autop test');
    await mkdir(join(repo, 'prov'));
    const write = (name: string, text: string): Promise<void> => writeFile(join(repo, 'prov', name), text);
    await write('y000000000000.boot', boot);
    await write(
      'common.cfg',
      '#!version:1.0.0.1\nstatic.auto_provision.custom.protect = 1\nstatic.network.vlan.internet_port_enable = 0\nfeatures.key_tone = 0\nphone_setting.backlight_time = 60\n',
    );
    await write('t46u.cfg', '#!version:1.0.0.1\nlinekey.1.label = Line\n');
    await writeFile(join(repo, 'README.md'), 'not part of the tree\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    // The second commit: a setting that needs a reboot (R1), a firmware URL (R3), a parameter
    // removed (B6 resets it), and a new value that MAC-local keeps at the user's (K3).
    await write(
      'common.cfg',
      '#!version:1.0.0.1\nstatic.auto_provision.custom.protect = 1\nstatic.network.vlan.internet_port_enable = 1\nphone_setting.backlight_time = 120\n',
    );
    await write('t46u.cfg', `#!version:1.0.0.1\nlinekey.1.label = Line\nstatic.firmware.url = ${rom}\n`);
    await write(rom, 'not really a ROM\n');
    git('add', '.');
    git('commit', '-q', '-m', 'second');

    // The T46U's user set the backlight on the phone (MAC-local, K1); the T23G is new.
    const t46u = factoryState(macOrThrow('00156574b150'), 'T46U', '108.86.0.90');
    const state = join(work, 't46u.json');
    await writeFile(
      state,
      JSON.stringify({
        ...t46u,
        config: { 'phone_setting.backlight_time': '15' },
        origins: { 'phone_setting.backlight_time': { kind: 'mac-local' } },
        local: { 'phone_setting.backlight_time': '15' },
      }),
    );
    inventory = join(work, 'inventory.csv');
    await writeFile(
      inventory,
      `mac,model,firmware,state\n00:15:65:74:b1:50,T46U,108.86.0.90,t46u.json\n00:15:65:93:70:f2,T23G,44.84.0.140,\n`,
    );
  });

  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('compares two commits without touching the work tree: reboots, upgrades, resets, MAC-local', async () => {
    const before = git('status', '--porcelain');
    const { code, stdout, stderr } = await runCli([
      'diff',
      '--git',
      'HEAD~1',
      'HEAD',
      '--repo',
      repo,
      '--path',
      'prov',
      '--inventory',
      inventory,
      '--format',
      'json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const diff = JSON.parse(stdout) as DiffJson;
    expect(diff).toMatchObject({ phones: 2, changed: 2, rebooting: 2, upgrading: 1 });
    expect(diff.reboots).toContainEqual(
      expect.objectContaining({
        what: expect.objectContaining({
          rule: 'R1',
          param: 'static.network.vlan.internet_port_enable',
        }) as object,
        count: 2,
      }),
    );
    expect(diff.reboots).toContainEqual(
      expect.objectContaining({ what: expect.objectContaining({ rule: 'R3' }) as object, count: 1 }),
    );
    expect(diff.upgrades).toEqual([
      { what: { from: '108.86.0.90', to: '108.86.0.95' }, count: 1, sample: ['00:15:65:74:b1:50'] },
    ]);
    expect(diff.resets).toContainEqual({
      what: { key: 'features.key_tone', how: 'reset-deleted' },
      count: 2,
      sample: expect.any(Array) as unknown,
    });
    expect(diff.keptByLocal).toEqual([
      { what: 'phone_setting.backlight_time', count: 1, sample: ['00:15:65:74:b1:50'] },
    ]);
    expect(git('status', '--porcelain')).toBe(before);
  });

  it('prints Markdown for a pull-request comment', async () => {
    const { stdout } = await runCli([
      'diff',
      '--git',
      'HEAD~1',
      'HEAD',
      '--repo',
      repo,
      '--path',
      'prov',
      '--inventory',
      inventory,
      '--format',
      'markdown',
    ]);
    expect(stdout).toMatch(
      /^### autop diff: HEAD~1:prov → HEAD:prov: 2 phones; 2 change, 2 reboot, 1 upgrade firmware/m,
    );
    expect(stdout).toContain('| upgrade firmware (R3) | 1 |');
    expect(stdout).toContain('`features.key_tone` (no longer set, overwrite mode (B6))');
  });

  it('reports a revision that is not a commit as a usage error', async () => {
    const { code, stderr } = await runCli(['diff', '--git', 'HEAD', 'no-such-rev', '--repo', repo]);
    expect(code).toBe(2);
    expect(stderr).toContain('no-such-rev is not a commit of the repository');
  });
});
