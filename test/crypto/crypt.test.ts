import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decryptCommand, encryptCommand } from '../../src/cli/crypt.js';
import { UsageError } from '../../src/cli/usage.js';
import { parseAesKey, type AesKey } from '../../src/crypto/aesKey.js';
import { decryptConfig, looksEncrypted } from '../../src/crypto/configCipher.js';
import { readSecurityFile } from '../../src/crypto/securityFile.js';

const KEY = 'Cr7ptT3stK3y0016';
const KEY32 = 'Cr7ptT3stK3y0032Cr7ptT3stK3y0032';
const COMMON = '#!version:1.0.0.1\nstatic.auto_provision.aes_key_16.mac = x\nscreensaver.wait_time = 900\n';
const MAC_CFG = '#!version:1.0.0.1\naccount.1.user_name = 201\naccount.1.password = enc-test-pw-1\n';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autop-crypt-'));
  await mkdir(join(dir, 'plain'));
  await writeFile(join(dir, 'plain', 'y000000000108.cfg'), COMMON);
  await writeFile(join(dir, 'plain', '00156574b150.cfg'), MAC_CFG);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const plain = (name: string) => join(dir, 'plain', name);
const out = (name: string) => join(dir, 'out', name);

/** Runs a command with stdout and stderr captured; a UsageError comes back as exit status 2. */
async function capture(action: () => Promise<number>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await action(), stdout, stderr };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { code: 2, stdout, stderr: stderr + e.message };
  } finally {
    vi.restoreAllMocks();
  }
}

function asKey(text: string): AesKey {
  const check = parseAesKey(text);
  if (!check.ok) throw new Error(check.message);
  return check.key;
}

async function decryptFile(path: string, key: string): Promise<string> {
  const result = decryptConfig(await readFile(path), asKey(key), path);
  if (!result.ok) throw new Error(result.message);
  return result.text;
}

function expectNoKey(run: Run, ...keys: string[]): void {
  for (const key of keys) {
    expect(run.stdout).not.toContain(key);
    expect(run.stderr).not.toContain(key);
  }
}

describe('autop encrypt', () => {
  it('encrypts into --out with the same names, leaves the inputs alone and does not print the key', async () => {
    const run = await capture(() =>
      encryptCommand([plain('y000000000108.cfg'), plain('00156574b150.cfg')], {
        key: KEY,
        out: join(dir, 'out'),
      }),
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(
      `${plain('00156574b150.cfg')}: encrypted (AES-128-ECB) -> ${out('00156574b150.cfg')}`,
    );
    expect(run.stdout).toContain('key: a 16-character key from --key');
    expect(run.stdout).toContain('static.auto_provision.aes_key_16.mac');
    expectNoKey(run, KEY);
    expect(await decryptFile(out('00156574b150.cfg'), KEY)).toBe(MAC_CFG);
    expect(await decryptFile(out('y000000000108.cfg'), KEY)).toBe(COMMON);
    expect(await readFile(plain('00156574b150.cfg'), 'utf8')).toBe(MAC_CFG);
  });

  it('uses AES-256 for a 32-character key', async () => {
    const run = await capture(() =>
      encryptCommand([plain('00156574b150.cfg')], { key: KEY32, out: join(dir, 'out') }),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(AES-256-ECB)');
    expect(run.stdout).toContain('static.auto_provision.aes_key.mac');
    expectNoKey(run, KEY32);
    expect(await decryptFile(out('00156574b150.cfg'), KEY32)).toBe(MAC_CFG);
  });

  it('generates a key into a new --key-file (mode 0600) and reuses the key in an existing one', async () => {
    const keyFile = join(dir, 'site.key');
    const first = await capture(() =>
      encryptCommand([plain('00156574b150.cfg')], { keyFile, out: join(dir, 'out') }),
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`key: a 16-character key, generated and saved to ${keyFile} (mode 0600)`);
    const saved = await readFile(keyFile, 'utf8');
    expect(saved).toMatch(/^[A-Za-z0-9]{16}\n$/);
    const key = saved.trim();
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expectNoKey(first, key);
    expect(await decryptFile(out('00156574b150.cfg'), key)).toBe(MAC_CFG);

    const second = await capture(() =>
      encryptCommand([plain('y000000000108.cfg')], { keyFile, out: join(dir, 'out') }),
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`key: a 16-character key from ${keyFile}`);
    expectNoKey(second, key);
    expect(await decryptFile(out('y000000000108.cfg'), key)).toBe(COMMON);
  });

  it('generates a 32-character key with --key-length 32', async () => {
    const keyFile = join(dir, 'long.key');
    const run = await capture(() =>
      encryptCommand([plain('00156574b150.cfg')], { keyFile, keyLength: '32', out: join(dir, 'out') }),
    );
    expect(run.code).toBe(0);
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(key).toHaveLength(32);
    expect(await decryptFile(out('00156574b150.cfg'), key)).toBe(MAC_CFG);
  });

  it('prints the key with --show-key, and only then', async () => {
    const run = await capture(() =>
      encryptCommand([plain('00156574b150.cfg')], { showKey: true, out: join(dir, 'out') }),
    );
    expect(run.code).toBe(0);
    const key = /^key: ([A-Za-z0-9]{16})$/m.exec(run.stdout)?.[1];
    expect(key).toBeDefined();
    expect(await decryptFile(out('00156574b150.cfg'), key!)).toBe(MAC_CFG);
  });

  it('--security writes <name>_Security.enc beside each output, holding the key (E3)', async () => {
    const run = await capture(() =>
      encryptCommand([plain('00156574b150.cfg')], { security: true, out: join(dir, 'out') }),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${out('00156574b150_Security.enc')}: the key for it`);
    expect(run.stdout).toContain('only the _Security.enc files hold it');
    expect(run.stdout).toContain('static.auto_provision.aes_key_in_file = 1');
    const read = readSecurityFile(await readFile(out('00156574b150_Security.enc')), 'x');
    if (!read.ok) throw new Error(read.message);
    expectNoKey(run, read.key);
    expect(await decryptFile(out('00156574b150.cfg'), read.key)).toBe(MAC_CFG);
  });

  it('--in-place replaces the plain file, and a second run refuses the now-encrypted file', async () => {
    const path = plain('00156574b150.cfg');
    const run = await capture(() => encryptCommand([path], { key: KEY, inPlace: true }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${path}: encrypted (AES-128-ECB) replaced in place`);
    expect(await decryptFile(path, KEY)).toBe(MAC_CFG);

    const encrypted = await readFile(path);
    const again = await capture(() => encryptCommand([path], { key: KEY, inPlace: true }));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `${path} does not start with #!version, so it is not a plain CFG: already encrypted?`,
    );
    expect(await readFile(path)).toEqual(encrypted);
  });

  it('writes nothing when one input is not a plain CFG, and says which', async () => {
    await writeFile(plain('notes.cfg'), 'account.1.enable = 1\n');
    const run = await capture(() =>
      encryptCommand([plain('00156574b150.cfg'), plain('notes.cfg')], { key: KEY, out: join(dir, 'out') }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${plain('notes.cfg')} does not start with #!version`);
    expect(run.stderr).toContain('nothing was written');
    await expect(stat(join(dir, 'out'))).rejects.toThrow();
  });

  it('never overwrites a plain input reached through a symbolic link to its folder', async () => {
    await symlink(join(dir, 'plain'), join(dir, 'link'));
    const run = await capture(() =>
      encryptCommand([plain('00156574b150.cfg')], { key: KEY, out: join(dir, 'link') }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('itself (through a link): the encrypted file would replace the plain one');
    expect(await readFile(plain('00156574b150.cfg'), 'utf8')).toBe(MAC_CFG);
  });

  it('refuses boot files (E1: only CFG files are decrypted) and missing files', async () => {
    await writeFile(plain('y000000000000.boot'), '#!version:1.0.0.1\ninclude:config "a.cfg"\n');
    const run = await capture(() =>
      encryptCommand([plain('y000000000000.boot'), plain('missing.cfg')], {
        key: KEY,
        out: join(dir, 'out'),
      }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is a boot file; the phone decrypts CFG files only (E1)');
    expect(run.stderr).toContain(`cannot read ${plain('missing.cfg')}`);
  });

  describe('usage errors (exit 2), none of which shows the key', () => {
    const cases: [string, () => [string[], Parameters<typeof encryptCommand>[1]], RegExp][] = [
      [
        'neither --out nor --in-place',
        () => [[plain('00156574b150.cfg')], { key: KEY }],
        /--out DIR .* or --in-place/,
      ],
      [
        'both --out and --in-place',
        () => [[plain('00156574b150.cfg')], { key: KEY, out: join(dir, 'out'), inPlace: true }],
        /not both/,
      ],
      [
        '--out naming the inputs’ own folder',
        () => [[plain('00156574b150.cfg')], { key: KEY, out: join(dir, 'plain') }],
        /would replace the plain one; use another --out folder, or --in-place/,
      ],
      [
        'two inputs with one name',
        () => [
          [plain('00156574b150.cfg'), join(dir, '00156574b150.cfg')],
          { key: KEY, out: join(dir, 'out') },
        ],
        /would both be written to/,
      ],
      [
        'a bad --key',
        () => [[plain('00156574b150.cfg')], { key: `${KEY}!`, out: join(dir, 'out') }],
        /has 17 characters/,
      ],
      [
        '--key with --key-file',
        () => [[plain('00156574b150.cfg')], { key: KEY, keyFile: join(dir, 'k'), out: join(dir, 'out') }],
        /--key KEY or --key-file FILE, not both/,
      ],
      [
        '--security with a 32-character key',
        () => [[plain('00156574b150.cfg')], { key: KEY32, security: true, out: join(dir, 'out') }],
        /--security needs a 16-character key/,
      ],
      [
        'a generated key with nowhere to go',
        () => [[plain('00156574b150.cfg')], { out: join(dir, 'out') }],
        /the generated key would be lost: add --key-file FILE/,
      ],
      [
        'a bad --key-length',
        () => [[plain('00156574b150.cfg')], { keyLength: '24', showKey: true, out: join(dir, 'out') }],
        /16 \(AES-128\) or 32/,
      ],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const [files, options] = args();
      const run = await capture(() => encryptCommand(files, options));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expectNoKey(run, KEY, KEY32);
      expect(await readFile(plain('00156574b150.cfg'), 'utf8')).toBe(MAC_CFG);
      await expect(stat(join(dir, 'out', '00156574b150.cfg'))).rejects.toThrow();
    });

    it('a key file holding a bad key is named, its content is not shown', async () => {
      await writeFile(join(dir, 'bad.key'), 'secret key with spaces\n');
      const run = await capture(() =>
        encryptCommand([plain('00156574b150.cfg')], { keyFile: join(dir, 'bad.key'), out: join(dir, 'out') }),
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`the key in ${join(dir, 'bad.key')} has 22 characters`);
      expect(run.stderr).not.toContain('secret');
    });
  });
});

describe('autop decrypt', () => {
  async function encrypted(options: Parameters<typeof encryptCommand>[1]): Promise<string> {
    const run = await capture(() =>
      encryptCommand([plain('00156574b150.cfg')], { out: join(dir, 'out'), ...options }),
    );
    expect(run.code).toBe(0);
    return out('00156574b150.cfg');
  }

  it('prints the plaintext with --key', async () => {
    const file = await encrypted({ key: KEY });
    const run = await capture(() => decryptCommand(file, { key: KEY }));
    expect(run).toEqual({ code: 0, stdout: MAC_CFG, stderr: '' });
  });

  it('reads the key from --key-file', async () => {
    const keyFile = join(dir, 'site.key');
    const file = await encrypted({ keyFile });
    expect(await capture(() => decryptCommand(file, { keyFile }))).toEqual({
      code: 0,
      stdout: MAC_CFG,
      stderr: '',
    });
  });

  it('reads the key from the _Security.enc file named by --security', async () => {
    const file = await encrypted({ security: true });
    const run = await capture(() => decryptCommand(file, { security: out('00156574b150_Security.enc') }));
    expect(run).toEqual({ code: 0, stdout: MAC_CFG, stderr: '' });
  });

  it('a wrong key exits 1 naming the file, printing no garbage and no key', async () => {
    const file = await encrypted({ key: KEY });
    const other = 'Zz7ptT3stK3y0016';
    const run = await capture(() => decryptCommand(file, { key: other }));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file} does not decrypt with the --key value (AES-128-ECB)`);
    expectNoKey(run, KEY, other);
  });

  it('a file whose length is not a multiple of 16 exits 1', async () => {
    const file = await encrypted({ key: KEY });
    await writeFile(file, (await readFile(file)).subarray(0, 20));
    const run = await capture(() => decryptCommand(file, { key: KEY }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file} has 20 bytes, not a multiple of 16`);
  });

  it('a damaged _Security.enc exits 1', async () => {
    const file = await encrypted({ key: KEY });
    await writeFile(join(dir, 'bad_Security.enc'), new Uint8Array(15));
    const run = await capture(() => decryptCommand(file, { security: join(dir, 'bad_Security.enc') }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('has 15 bytes; a _Security.enc file holds exactly 16');
  });

  it('without a key says which flags give one, and points at a _Security.enc beside the file', async () => {
    const file = await encrypted({ security: true });
    const run = await capture(() => decryptCommand(file, {}));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--security ${out('00156574b150_Security.enc')}`);
    expect(looksEncrypted(await readFile(file))).toBe(true);
  });

  it('refuses two key sources and a bad --key without echoing it', async () => {
    const file = await encrypted({ key: KEY });
    const both = await capture(() => decryptCommand(file, { key: KEY, keyFile: join(dir, 'k') }));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not several');
    const bad = await capture(() => decryptCommand(file, { key: 'short-key' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the --key value has 9 characters');
    expectNoKey(both, KEY);
    expectNoKey(bad, 'short-key');
  });
});
