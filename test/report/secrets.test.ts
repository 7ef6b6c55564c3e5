// Issue #13.4: URL user info in any value (the server URL, the firmware URL, a phonebook URL, any
// parameter) and a malformed line quoting a password never reach the output of provision, explain
// or diff, in any format, unless --show-secrets.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SECRETS = ['PASSWORD1', 'PASSWORD2', 'PASSWORD3', 'PASSWORD4', 'PASSWORD5', 'PASSWORD6'];
const phone = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];

function cfg(...lines: string[]): string {
  return ['#!version:1.0.0.1', ...lines].join('\n') + '\n';
}

const boot = cfg('include:config "a.cfg"', 'include:config "b.cfg"');
const treeA = {
  'y000000000000.boot': boot,
  'a.cfg': cfg(
    'static.auto_provision.server.url = http://u:PASSWORD6@prov.example/',
    'remote_phonebook.data.1.url = https://book:PASSWORD3@pb.example/book.xml',
    'features.custom.link = ftp://x:PASSWORD4@files.example/',
    'account.2.password:PASSWORD5',
  ),
  'b.cfg': cfg(
    'static.auto_provision.server.url = http://u:PASSWORD1@prov.example/',
    'static.firmware.url = http://u:PASSWORD2@fw.example/T46U-108.86.0.90.rom',
  ),
};
const treeB = {
  ...treeA,
  'b.cfg': cfg(
    'static.auto_provision.server.url = http://v:PASSWORD2@prov.example/',
    'remote_phonebook.data.1.url = https://book:PASSWORD1@pb2.example/book.xml',
  ),
  'a.cfg': cfg('account.2.password:PASSWORD5'),
};

let root: string;
const dirA = (): string => join(root, 'a');
const dirB = (): string => join(root, 'b');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'autop-secrets-'));
  for (const [dir, files] of [
    [dirA(), treeA],
    [dirB(), treeB],
  ] as const) {
    await mkdir(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

function expectNoSecret(output: string): void {
  for (const secret of SECRETS) expect(output).not.toContain(secret);
}

describe('#13.4 secrets in URL values and malformed lines', () => {
  it('provision: text and --json (config, changes, provenance, diagnostics) show none', async () => {
    const text = await runCli(['provision', '--tree', dirA(), ...phone]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('http://***@prov.example/');
    expect(text.stdout).toMatch(/"account\.2\.password:\*{8}\.\.\." is not a "parameter = value" line/);
    expectNoSecret(text.stdout + text.stderr);

    const json = await runCli(['provision', '--tree', dirA(), ...phone, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { config: Record<string, string>; provenance: object };
    expect(report.config['remote_phonebook.data.1.url']).toBe('https://***@pb.example/book.xml');
    expect(report.provenance).toHaveProperty(['static.auto_provision.server.url']);
    expectNoSecret(json.stdout + json.stderr);
  });

  it('provision --show-secrets shows them', async () => {
    const json = await runCli(['provision', '--tree', dirA(), ...phone, '--json', '--show-secrets']);
    const report = JSON.parse(json.stdout) as { config: Record<string, string> };
    expect(report.config['remote_phonebook.data.1.url']).toBe('https://book:PASSWORD3@pb.example/book.xml');
  });

  it('explain: text and --json show none', async () => {
    const params = ['static.auto_provision.server.url', 'remote_phonebook.data.1.url', 'static.firmware.url'];
    for (const format of [[], ['--json']]) {
      const out = await runCli(['explain', dirA(), ...phone, ...params, ...format]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('http://***@prov.example/');
      expectNoSecret(out.stdout + out.stderr);
    }
  });

  it('diff: text, json and markdown show none', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const out = await runCli(['diff', dirA(), dirB(), '--model', 'T46U', '--format', format]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('https://***@pb2.example/book.xml');
      expectNoSecret(out.stdout + out.stderr);
    }
  });
});
