// E1-E3 round trip through the command line: `autop encrypt` a phone's MAC file in a copy of the
// site, then provision that phone from it, with the key given in the phone's configuration or in
// the _Security.enc file beside the CFG.
import { appendFile, cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/servers.js';

const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];

async function siteWithEncryptedPhoneFile(extra: string) {
  const dir = await tempDir('encrypt-cli');
  const tree = join(dir, 'site');
  await cp('fixtures/site', tree, { recursive: true });
  const keyFile = join(dir, 'key');
  const encrypted = await runCli([
    'encrypt',
    join(tree, 'phones/00156574b150.cfg'),
    '--in-place',
    '--key-file',
    keyFile,
    '--security',
  ]);
  expect(encrypted.code).toBe(0);
  const key = (await readFile(keyFile, 'utf8')).trim();
  expect(encrypted.stdout).not.toContain(key);
  await appendFile(join(tree, 'site.cfg'), extra.replace('KEY', key));
  return { tree, key };
}

describe('autop encrypt, then a round on the encrypted tree', () => {
  it('with the MAC key in the configuration (E1)', async () => {
    const { tree, key } = await siteWithEncryptedPhoneFile('static.auto_provision.aes_key_16.mac = KEY\n');
    const { code, stdout } = await runCli(['provision', '--tree', tree, ...T46U, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { errors: unknown[]; config: Record<string, string> };
    expect(report.errors).toEqual([]);
    expect(report.config['account.1.user_name']).toBe('101');
    expect(stdout).not.toContain(key);
  });

  it('with aes_key_in_file = 1 and the _Security.enc the tool wrote (E3)', async () => {
    const { tree } = await siteWithEncryptedPhoneFile('static.auto_provision.aes_key_in_file = 1\n');
    const { code, stdout } = await runCli(['provision', '--tree', tree, ...T46U, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      errors: unknown[];
      config: Record<string, string>;
      downloads: { name: string }[];
    };
    expect(report.errors).toEqual([]);
    expect(report.downloads.map((d) => d.name)).toContain('00156574b150_Security.enc');
    expect(report.config['account.1.user_name']).toBe('101');
  });

  it('without a key the MAC file is an error naming it, and the rest applies', async () => {
    const { tree } = await siteWithEncryptedPhoneFile('');
    const { code, stdout } = await runCli(['provision', '--tree', tree, ...T46U, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      errors: { rule: string; file: string }[];
      config: Record<string, string>;
    };
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'E4', file: 'phones/00156574b150.cfg' })]);
    expect(report.config['account.1.user_name']).toBeUndefined();
  });
});
