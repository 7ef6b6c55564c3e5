import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SITE = ['--tree', 'fixtures/site'];
const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];

describe('autop provision', () => {
  it('prints a readable report of a round on the bundled site', async () => {
    const { code, stdout } = await runCli(['provision', ...SITE, ...T46U]);
    expect(code).toBe(0);
    expect(stdout).toContain('SIP-T46U 00:15:65:74:b1:50, firmware 108.86.0.90');
    expect(stdout).toContain('MAC boot file (B1)');
    expect(stdout).toMatch(/ok\s+00156574b150\.boot/);
    expect(stdout).toMatch(/skipped\s+y000000000044\.cfg\s+for another model \(B5\)/);
    expect(stdout).toMatch(/Reboot\s+(yes|no)/);
  });

  it('--json prints the contract: mechanism, downloads, applied, updated, config, reboot, errors, warnings', async () => {
    const { code, stdout } = await runCli(['provision', ...SITE, ...T46U, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report.mechanism).toBe('mac-boot');
    expect(report.applied).toEqual(['site.cfg', 'y000000000108.cfg', '00156574b150.cfg']);
    expect(report.updated).toBe(true);
    expect(typeof report.reboot).toBe('boolean');
    expect(Array.isArray(report.rebootReasons)).toBe(true);
    const downloads = report.downloads as {
      url: string;
      name: string;
      outcome: string;
      md5: string | null;
    }[];
    expect(downloads.map((d) => [d.name, d.outcome])).toEqual([
      ['00156574b150.boot', 'ok'],
      ['site.cfg', 'ok'],
      ['y000000000108.cfg', 'ok'],
      ['00156574b150.cfg', 'ok'],
    ]);
    expect(downloads[0]?.url).toMatch(/^file:\/\/.*fixtures\/site\/00156574b150\.boot$/);
    for (const d of downloads) expect(d.md5).toMatch(/^[0-9a-f]{32}$/);
    const config = report.config as Record<string, string>;
    expect(config['account.1.user_name']).toBeDefined();
    expect(report.errors).toEqual([]);
    for (const list of [report.errors, report.warnings] as { rule: string; message: string }[][]) {
      for (const d of list) expect(Object.keys(d)).toEqual(expect.arrayContaining(['rule', 'message']));
    }
  });

  it('masks passwords unless --show-secrets', async () => {
    const masked = await runCli(['provision', ...SITE, ...T46U, '--json']);
    const config = (JSON.parse(masked.stdout) as { config: Record<string, string> }).config;
    expect(config['account.1.password']).toBe('********');
    const clear = await runCli(['provision', ...SITE, ...T46U, '--json', '--show-secrets']);
    const secret = (JSON.parse(clear.stdout) as { config: Record<string, string> }).config[
      'account.1.password'
    ];
    expect(secret).not.toBe('********');
    expect(masked.stdout).not.toContain(secret!);
    const text = await runCli(['provision', ...SITE, ...T46U]);
    expect(text.stdout).not.toContain(secret!);
  });

  it('accepts the MAC with dashes or bare, any case, and SIP-T46U as the model', async () => {
    const { code, stdout } = await runCli([
      'provision',
      ...SITE,
      '--mac',
      '00-15-65-74-B1-50',
      '--model',
      'sip-t46u',
      '--json',
    ]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { mechanism: string }).mechanism).toBe('mac-boot');
  });

  it('keeps the phone in --state and finds nothing new the second time (M1)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-cli-'));
    const state = join(dir, 'phone.json');
    const first = await runCli(['provision', ...SITE, ...T46U, '--state', state, '--json']);
    expect(first.code).toBe(0);
    const saved = JSON.parse(await readFile(state, 'utf8')) as { mac: string; rounds: number };
    expect(saved).toMatchObject({ mac: '00156574b150', rounds: 1 });
    const second = await runCli(['provision', ...SITE, '--state', state, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ updated: false, reboot: false });
  });

  it('exits 2 naming the known models for an unknown model', async () => {
    const { code, stderr } = await runCli(['provision', ...SITE, '--mac', '001565000000', '--model', 'T46X']);
    expect(code).toBe(2);
    expect(stderr).toContain('--model T46X is not a known model; known: ');
    expect(stderr).toContain('T23G');
  });

  it('exits 2 with what to type for a bad MAC, a missing folder, and a missing option', async () => {
    expect(await runCli(['provision', ...SITE, '--mac', 'zz', '--model', 'T46U'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('00:15:65:74:b1:50') as string,
    });
    expect(await runCli(['provision', '--tree', 'no/such/dir', ...T46U])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a folder') as string,
    });
    expect(await runCli(['provision', ...SITE, '--model', 'T46U'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--mac is required') as string,
    });
    expect((await runCli(['provision', '--bogus'])).code).toBe(2);
  });

  it('exits 1 when the round could not run: no server, or nothing to download', async () => {
    const none = await runCli(['provision', ...T46U]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no usable server address');
    const dir = await mkdtemp(join(tmpdir(), 'autop-empty-'));
    const empty = await runCli(['provision', '--tree', dir, ...T46U, '--json']);
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.stdout)).toMatchObject({ mechanism: 'none', status: 'nothing-found' });
  });
});

describe('autop set (K1)', () => {
  it('records a UI change in MAC-local when custom.protect = 1, uploads it (K2), and it survives the next round', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-cli-'));
    const tree = join(dir, 'tree');
    await cp('fixtures/mac-local', tree, { recursive: true });
    const state = join(dir, 'phone.json');
    await runCli(['provision', '--tree', tree, ...T46U, '--state', state]);
    const set = await runCli(['set', '--state', state, 'features.dnd.enable=1']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('recorded in MAC-local');
    expect(set.stdout).toContain('MAC-local uploaded');
    const saved = JSON.parse(await readFile(state, 'utf8')) as { local: Record<string, string> };
    expect(saved.local['features.dnd.enable']).toBe('1');
    expect(await readFile(join(tree, '00156574b150-local.cfg'), 'utf8')).toContain('features.dnd.enable = 1');
    await writeFile(
      join(tree, 'common.cfg'),
      (await readFile(join(tree, 'common.cfg'), 'utf8')) + 'lang.gui = French\n',
    );
    const next = await runCli(['provision', '--tree', tree, '--state', state, '--json']);
    const report = JSON.parse(next.stdout) as { updated: boolean; config: Record<string, string> };
    expect(report.updated).toBe(true);
    expect(report.config['features.dnd.enable']).toBe('1');
    expect(report.config['lang.gui']).toBe('French');
  });

  it('exits 2 for a state file that does not exist or an assignment without =', async () => {
    expect((await runCli(['set', '--state', '/nonexistent/x.json', 'a=1'])).code).toBe(2);
    const dir = await mkdtemp(join(tmpdir(), 'autop-cli-'));
    const state = join(dir, 'phone.json');
    await runCli(['provision', ...SITE, ...T46U, '--state', state]);
    expect(await runCli(['set', '--state', state, 'novalue'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('KEY=VALUE') as string,
    });
  });
});

describe('autop provision on a tree with an encrypted MAC file (E1)', () => {
  const args = ['provision', '--tree', 'fixtures/encrypted', '--mac', '00:15:65:74:b1:50', '--model', 'T46U'];

  it('shows the decrypted settings and never the key or a password in clear', async () => {
    const clear = await runCli([...args, '--json', '--show-secrets']);
    const secrets = (JSON.parse(clear.stdout) as { config: Record<string, string> }).config;
    const password = secrets['account.1.password']!;
    const key = secrets['static.auto_provision.aes_key_16.mac']!;
    expect(password.length).toBeGreaterThan(0);
    expect(key).toHaveLength(16);
    for (const output of [await runCli([...args, '--json']), await runCli(args)]) {
      expect(output.code).toBe(0);
      expect(output.stdout).toContain('201');
      expect(output.stdout).not.toContain(password);
      expect(output.stdout).not.toContain(key);
    }
  });
});

describe('autop in a pipeline', () => {
  it('ends quietly when the reader closes the pipe early (| head)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { CLI } = await import('../support/cli.js');
    const result = spawnSync(
      'bash',
      [
        '-c',
        `node ${CLI} provision --tree fixtures/site --mac 00:15:65:74:b1:50 --model T46U --json | head -1; echo "status=\${PIPESTATUS[0]}"`,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stdout).toContain('status=0');
    expect(result.stderr).not.toContain('EPIPE');
  });
});

describe('#13.9 a file: server URL: wildcards expanded first, one tree root for both spellings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autop-pn-'));
    await mkdir(join(dir, 'T46U'));
    await writeFile(
      join(dir, 'T46U', 'y000000000000.boot'),
      '#!version:1.0.0.1\ninclude:config "a.cfg"\ninclude:config "../up.cfg"\n',
    );
    await writeFile(join(dir, 'T46U', 'a.cfg'), '#!version:1.0.0.1\nlang.gui = French\n');
    await writeFile(join(dir, 'up.cfg'), '#!version:1.0.0.1\nlang.wui = French\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  for (const spelling of ['$PN', '$PN/', 'T46U', 'T46U/']) {
    it(`file://…/${spelling}: the tree is the T46U folder; ../up.cfg is outside it, a warning`, async () => {
      const { code, stdout } = await runCli([
        'provision',
        '--server',
        pathToFileURL(dir).href + '/' + spelling,
        ...T46U,
        '--json',
      ]);
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as {
        status: string;
        applied: string[];
        errors: unknown[];
        warnings: { rule: string; line?: number; message: string }[];
      };
      expect(report.status).toBe('updated');
      expect(report.applied).toEqual(['a.cfg']);
      expect(report.errors).toEqual([]);
      expect(report.warnings).toContainEqual(
        expect.objectContaining({
          rule: 'D',
          line: 3,
          message: expect.stringContaining('outside the tree') as string,
        }),
      );
    });
  }
});
