// `autop encrypt` and `autop decrypt`: Yealink's configuration encryption (spec E2, E3) on files on
// disk, for trees the emulator (and real phones) then read. A key is printed only with --show-key.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createFileAtomic, writeFileAtomic } from '../core/atomicWrite.js';
import { generateKey, isAes128Key, parseAesKey, type AesKey, type KeyLength } from '../crypto/aesKey.js';
import { cipherLabel, decryptConfig, encryptConfig, hasVersionHeader } from '../crypto/configCipher.js';
import { makeSecurityFile, readSecurityFile, securityFileName } from '../crypto/securityFile.js';
import { action } from './action.js';
import { EXIT, UsageError } from './usage.js';

export function registerCrypt(program: Command): void {
  program
    .command('encrypt')
    .description("encrypt CFG files as Yealink's encryption tool does (E2): raw AES-ECB, same names")
    .argument('<files...>', 'plain CFG files (first line #!version:1.0.0.1)')
    .option(
      '--key <key>',
      '16 characters (AES-128) or 32 (AES-256); shows in ps and shell history: prefer --key-file',
    )
    .option(
      '--key-file <file>',
      'the key, one line; if FILE does not exist, a new key is generated and saved there (mode 0600)',
    )
    .option('--key-length <n>', 'length of a generated key: 16 (AES-128, the default) or 32 (AES-256)')
    .option('--security', 'also write <name>_Security.enc beside each output (E3; 16-character keys only)')
    .option('--out <dir>', 'write the encrypted files into DIR under the same names (DIR is created)')
    .option('--in-place', 'replace each plain file with its encrypted form')
    .option('--show-key', 'print the key (otherwise it never appears in the output)')
    .action(action(encryptCommand));

  program
    .command('decrypt')
    .description('print the plaintext of an encrypted CFG file (E2); exit 1 if it does not decrypt')
    .argument('<file>', 'the encrypted CFG')
    .option('--key <key>', 'the key; shows in ps and shell history: prefer --key-file')
    .option('--key-file <file>', 'read the key from FILE')
    .option('--security <file>', 'read the key from this <name>_Security.enc (E3)')
    .action(action(decryptCommand));
}

export interface EncryptOptions {
  key?: string;
  keyFile?: string;
  keyLength?: string;
  security?: boolean;
  out?: string;
  inPlace?: boolean;
  showKey?: boolean;
}

export interface DecryptOptions {
  key?: string;
  keyFile?: string;
  /** Path of the `<name>_Security.enc` that holds the key (E3). */
  security?: string;
}

type KeySource =
  | { kind: 'flag'; key: AesKey }
  | { kind: 'file'; key: AesKey; path: string }
  | { kind: 'generate'; key: AesKey; saveTo: string | undefined };

interface Job {
  input: string;
  output: string;
  plain: Uint8Array;
  mode: number;
}

export async function encryptCommand(files: string[], options: EncryptOptions): Promise<number> {
  const outputs = plannedOutputs(files, options);
  const source = await encryptionKey(options);
  if (options.security && !isAes128Key(source.key)) {
    throw new UsageError(
      `--security needs a 16-character key: a _Security.enc file holds 16 bytes (E3); ` +
        `use a 16-character key or drop --security`,
    );
  }
  if (source.kind === 'generate' && !source.saveTo && !options.showKey && !options.security) {
    throw new UsageError(
      'the generated key would be lost: add --key-file FILE to save it (mode 0600), --show-key to ' +
        'print it, or --security to write <name>_Security.enc beside each file',
    );
  }

  // Every input is checked before anything is written: all files are encrypted, or none.
  const jobs: Job[] = [];
  const problems: string[] = [];
  for (const [i, input] of files.entries()) {
    const output = outputs[i]!;
    const read = await readPlainConfig(input);
    if (!read.ok) problems.push(read.message);
    else if (!options.inPlace && (await sameFile(input, output))) {
      problems.push(
        `${output} is ${input} itself (through a link): the encrypted file would replace the plain one; ` +
          'use another --out folder, or --in-place to replace it on purpose',
      );
    } else jobs.push({ input, output, plain: read.bytes, mode: read.mode });
  }
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`autop: ${p}\n`);
    process.stderr.write('autop: nothing was written\n');
    return EXIT.couldNotRun;
  }

  // The key is saved before any ciphertext exists, so no file is ever encrypted under a lost key.
  if (source.kind === 'generate' && source.saveTo) await saveKeyFile(source.saveTo, source.key);
  const { key } = source;
  try {
    if (options.out) await mkdir(options.out, { recursive: true });
    for (const job of jobs) {
      await writeFileAtomic(job.output, encryptConfig(job.plain, key), { mode: job.mode });
      const where = job.output === job.input ? 'replaced in place' : `-> ${job.output}`;
      process.stdout.write(`${job.input}: encrypted (${cipherLabel(key)}) ${where}\n`);
      if (options.security && isAes128Key(key)) {
        const securityPath = securityFileName(job.output);
        await writeFileAtomic(securityPath, makeSecurityFile(key), { mode: job.mode });
        process.stdout.write(`${securityPath}: the key for it, under the built-in key (E3)\n`);
      }
    }
  } catch (e) {
    process.stderr.write(`autop: cannot write: ${(e as Error).message}\n`);
    return EXIT.couldNotRun;
  }
  process.stdout.write(`${describeKeySource(source, options.showKey === true)}\n`);
  process.stdout.write(`${keyParameterHint(key, options.security === true)}\n`);
  if (options.showKey) process.stdout.write(`key: ${key}\n`);
  return EXIT.ok;
}

export async function decryptCommand(file: string, options: DecryptOptions): Promise<number> {
  const given = (['key', 'keyFile', 'security'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) {
    throw new UsageError('give the key one way: --key, --key-file or --security, not several');
  }
  if (given.length === 0) {
    const beside = securityFileName(file);
    const hint = (await exists(beside)) ? `; ${beside} is there: --security ${beside}` : '';
    throw new UsageError(
      `say which key decrypts ${file}: --key KEY, --key-file FILE or --security NAME_Security.enc${hint}`,
    );
  }

  let key: AesKey;
  let keyName: string;
  if (options.key !== undefined) {
    key = checkedKey(options.key, 'the --key value');
    keyName = 'the --key value';
  } else if (options.keyFile !== undefined) {
    key = await readKeyFile(options.keyFile);
    keyName = `the key in ${options.keyFile}`;
  } else {
    const path = options.security!;
    const read = readSecurityFile(await readFlagFile(path, '--security'), path);
    if (!read.ok) {
      process.stderr.write(`autop: ${read.message}\n`);
      return EXIT.couldNotRun;
    }
    key = read.key;
    keyName = `the key in ${path}`;
  }

  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    process.stderr.write(`autop: cannot read ${file}: ${(e as Error).message}\n`);
    return EXIT.couldNotRun;
  }
  const result = decryptConfig(bytes, key, file, keyName);
  if (!result.ok) {
    process.stderr.write(`autop: ${result.message}\n`);
    return EXIT.couldNotRun;
  }
  process.stdout.write(result.text);
  return EXIT.ok;
}

/**
 * Where each input goes. --out DIR writes DIR/<same name>; --in-place replaces the input. A plain
 * input is never overwritten without --in-place, and two inputs never land on one output.
 */
function plannedOutputs(files: string[], options: EncryptOptions): string[] {
  if (files.length === 0) throw new UsageError('name at least one CFG file to encrypt');
  if (options.out !== undefined && options.inPlace) {
    throw new UsageError('give --out DIR or --in-place, not both');
  }
  if (options.inPlace) return files;
  if (options.out === undefined) {
    throw new UsageError(
      'say where the encrypted files go: --out DIR (same names, in DIR) or --in-place (replaces each plain file)',
    );
  }
  const out = options.out;
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new UsageError(`--out ${out} is a file; give a folder (it is created when missing)`);
  const seen = new Map<string, string>();
  return files.map((input) => {
    const output = join(out, basename(input));
    if (resolve(output) === resolve(input)) {
      throw new UsageError(
        `--out ${out} is the folder of ${input}: the encrypted file would replace the plain one; ` +
          'use another --out folder, or --in-place to replace it on purpose',
      );
    }
    const other = seen.get(resolve(output));
    if (other !== undefined) {
      throw new UsageError(
        `${other} and ${input} would both be written to ${output}; encrypt them separately`,
      );
    }
    seen.set(resolve(output), input);
    return output;
  });
}

async function encryptionKey(options: EncryptOptions): Promise<KeySource> {
  const length = keyLengthOption(options.keyLength);
  if (options.key !== undefined && options.keyFile !== undefined) {
    throw new UsageError('give the key once: --key KEY or --key-file FILE, not both');
  }
  if (options.key !== undefined) {
    if (length !== undefined) throw new UsageError('--key-length is for generated keys; --key gives one');
    return { kind: 'flag', key: checkedKey(options.key, 'the --key value') };
  }
  if (options.keyFile !== undefined && (await exists(options.keyFile))) {
    const key = await readKeyFile(options.keyFile);
    if (length !== undefined && key.length !== length) {
      throw new UsageError(
        `${options.keyFile} holds a ${key.length}-character key, but --key-length asks for ${length}`,
      );
    }
    return { kind: 'file', key, path: options.keyFile };
  }
  return { kind: 'generate', key: generateKey(length ?? 16), saveTo: options.keyFile };
}

function keyLengthOption(text: string | undefined): KeyLength | undefined {
  if (text === undefined) return undefined;
  if (text === '16' || text === '32') return Number(text) as KeyLength;
  throw new UsageError(`--key-length must be 16 (AES-128) or 32 (AES-256), not "${text}"`);
}

function checkedKey(text: string, what: string): AesKey {
  const check = parseAesKey(text, what);
  if (!check.ok) throw new UsageError(check.message);
  return check.key;
}

/** A key file holds the key on one line; surrounding white space (the final newline) is ignored. */
async function readKeyFile(path: string): Promise<AesKey> {
  const text = Buffer.from(await readFlagFile(path, '--key-file')).toString('latin1');
  return checkedKey(text.trim(), `the key in ${path}`);
}

async function readFlagFile(path: string, flag: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function readPlainConfig(
  path: string,
): Promise<{ ok: true; bytes: Uint8Array; mode: number } | { ok: false; message: string }> {
  if (path.endsWith('.boot')) {
    return {
      ok: false,
      message: `${path} is a boot file; the phone decrypts CFG files only (E1), so leave it plain`,
    };
  }
  let bytes: Uint8Array;
  let mode: number;
  try {
    [bytes, mode] = await Promise.all([readFile(path), stat(path).then((s) => s.mode & 0o777)]);
  } catch (e) {
    return { ok: false, message: `cannot read ${path}: ${(e as Error).message}` };
  }
  if (!hasVersionHeader(bytes)) {
    return {
      ok: false,
      message:
        `${path} does not start with #!version, so it is not a plain CFG: already encrypted? ` +
        '(only plain CFG files are encrypted; add the #!version:1.0.0.1 first line if it is missing)',
    };
  }
  return { ok: true, bytes, mode };
}

function describeKeySource(source: KeySource, shown: boolean): string {
  const what = `a ${source.key.length}-character key`;
  switch (source.kind) {
    case 'flag':
      return `key: ${what} from --key`;
    case 'file':
      return `key: ${what} from ${source.path}`;
    case 'generate':
      if (source.saveTo) return `key: ${what}, generated and saved to ${source.saveTo} (mode 0600)`;
      return shown
        ? `key: ${what}, generated (printed below; it is saved nowhere)`
        : `key: ${what}, generated; only the _Security.enc files hold it`;
  }
}

/** E1/E3: where the phone must find the key. */
function keyParameterHint(key: AesKey, security: boolean): string {
  const names = isAes128Key(key)
    ? 'static.auto_provision.aes_key_16.mac (aes_key.mac on newer firmware) for <mac>.cfg and ' +
      'static.auto_provision.aes_key_16.com (aes_key.com) for the common CFG'
    : 'static.auto_provision.aes_key.mac for <mac>.cfg and static.auto_provision.aes_key.com for the common CFG';
  const inFile = security
    ? ', or static.auto_provision.aes_key_in_file = 1 to read it from the _Security.enc files (E3)'
    : '';
  return `the phone needs the key in ${names} (E1)${inFile}`;
}

/** Created exclusively (never replacing a file that appeared meanwhile) and only readable by its owner. */
async function saveKeyFile(path: string, key: AesKey): Promise<void> {
  try {
    await createFileAtomic(path, `${key}\n`, { mode: 0o600 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'EEXIST'
        ? `--key-file ${path} appeared while encrypting; run again to use the key in it`
        : `--key-file ${path}: cannot create it (${code ?? (e as Error).message})`,
    );
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
