// The flags of the wire, declared and checked in one place so that each means the same in every
// command (issue #16.6): where the server is (`--tree`, `--server`), how to reach it (`--ca`,
// `--user`, `--password`, `--password-file`, `--timeout`) and how large a file may be
// (`--max-size`). Everything is checked before any work starts: a missing CA file or an unreadable
// password file is a usage error (exit 2), never a round that crashes half way (issue #13.5).
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { maskUserInfo } from '../core/url.js';
import type { DownloadKind } from '../engine/report.js';
import { fileTreeRoot } from '../engine/serverStep.js';
import { DEFAULT_SIZE_LIMITS } from '../engine/sizeLimits.js';
import type { Engine } from '../engine/round.js';
import type { RoundInput } from '../engine/types.js';
import { serverOf } from '../api/inputs.js';
import { engineFor } from '../api/roundEngine.js';
import type { Credentials } from '../fetch/fetcher.js';
import type { WireOptions } from '../fetch/openWire.js';
import type { ModelEntry } from '../models/catalogue.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from './usage.js';

export interface ServerCliOptions {
  tree?: string;
  server?: string;
}

export interface WireCliOptions {
  ca?: string[];
  user?: string;
  password?: string;
  passwordFile?: string;
  timeout?: string;
}

export interface SizeCliOptions {
  maxSize?: string;
}

/** `--tree DIR` and `--server URL`: where a round provisions from. */
export function addServerOptions(command: Command): Command {
  return command
    .option('--tree <dir>', 'provision from a tree on disk (same as --server file://DIR/)')
    .option(
      '--server <url>',
      'provisioning server URL (tftp://, ftp://, http://, https://, file://; $PN and $MAC expand)',
    );
}

/**
 * `--ca`, `--user`, `--password`, `--password-file`, `--timeout`: how the phone reaches its server.
 * `user` says what the credentials are to this command (the phone's prompt, for dial and pin).
 */
export function addWireOptions(
  command: Command,
  user = 'credentials for the server when neither the URL nor the configuration has any',
): Command {
  return command
    .option('--ca <file...>', 'extra trusted CA certificates (PEM) for HTTPS, on top of the system roots')
    .option('--user <user>', user)
    .option(
      '--password <password>',
      'the password that goes with --user (shows in ps: prefer --password-file)',
    )
    .option('--password-file <file>', 'or the password on the first line of this file')
    .option(
      '--timeout <duration>',
      "each transfer attempt's limit (5s, 1500ms; a bare number is milliseconds), instead of the phone's attempt_expired_time",
    );
}

/** `--max-size KIND=SIZE,...`: the largest file a round accepts, per kind of download. */
export function addSizeOption(command: Command): Command {
  return command.option(
    '--max-size <limits>',
    `largest file per kind, e.g. config=16MiB,firmware=512MiB (kinds: ${KINDS.join(', ')}; defaults in README "Limits")`,
  );
}

/** What the wire flags say, checked: the part of `openWire`'s options that comes from the command line. */
export type WireFlags = Pick<WireOptions, 'ca' | 'credentials' | 'timeoutMs'>;

/** Checks the wire flags and reads the files they name, before any work. */
export function wireFlags(options: WireCliOptions): WireFlags {
  const credentials = credentialsOf(options);
  const timeoutMs = options.timeout !== undefined ? parseTimeout('--timeout', options.timeout) : undefined;
  return {
    ca: (options.ca ?? []).map(readCa),
    ...(credentials && { credentials }),
    ...(timeoutMs !== undefined && { timeoutMs }),
  };
}

/** The longest timeout a timer can wait for (setTimeout's limit, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A timeout as typed: a bare whole number is milliseconds (`5000`), else a duration (`5s`, `1500ms`).
 * Between 1 ms and `maxMs`.
 */
export function parseTimeout(flag: string, text: string, maxMs = MAX_TIMEOUT_MS): number {
  const ms = /^\s*\d+\s*$/.test(text) ? Number(text) : parseDuration(text);
  if (ms === undefined || !Number.isSafeInteger(ms) || ms < 1 || ms > maxMs)
    throw new UsageError(
      `${flag} ${text} is not a number of milliseconds or a duration from 1 ms to ${maxMs} ms; e.g. ${flag} 5000 or ${flag} 5s`,
    );
  return ms;
}

/** A PEM file of one or more certificates, each of which must parse. */
function readCa(path: string): string {
  const text = readFlagFile('--ca', path);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new UsageError(`--ca ${path}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw new UsageError(`--ca ${path}: a certificate in it does not parse (${(e as Error).message})`);
    }
  }
  return text;
}

/** A file a flag names, read now: a missing or unreadable one is the user's to fix (exit 2). */
export function readFlagFile(flag: string, path: string): string {
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${flag} ${path} is a folder; give a file`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `${flag} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
}

/** The first line of a password file: the password, never printed. */
export function readPasswordFile(flag: string, path: string): string {
  const password = readFlagFile(flag, path).replace(/\r?\n[\s\S]*$/, '');
  if (password === '') throw new UsageError(`${flag} ${path}: its first line is empty`);
  return password;
}

function credentialsOf(options: WireCliOptions): Credentials | undefined {
  if (options.password !== undefined && options.passwordFile !== undefined)
    throw new UsageError('give --password or --password-file, not both');
  const password =
    options.passwordFile !== undefined
      ? readPasswordFile('--password-file', options.passwordFile)
      : options.password;
  if ((options.user === undefined) !== (password === undefined))
    throw new UsageError('give --user and --password (or --password-file) together');
  return options.user !== undefined ? { user: options.user, password: password ?? '' } : undefined;
}

const KINDS = Object.keys(DEFAULT_SIZE_LIMITS) as DownloadKind[];

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

/** A size as typed: `512`, `64KiB`, `16MiB`, `1GiB` (`MB` is 1000², `M` and `MiB` 1024²). */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

/** `--max-size config=16MiB,firmware=512MiB`: the round's size limits (issue #13.3), checked. */
export function sizeLimitsFlag(options: SizeCliOptions): RoundInput['sizeLimits'] {
  if (options.maxSize === undefined) return undefined;
  const limits: Partial<Record<DownloadKind, number>> = {};
  for (const part of options.maxSize.split(',')) {
    const eq = part.indexOf('=');
    const kind = part.slice(0, Math.max(eq, 0)).trim();
    const size = parseSize(part.slice(eq + 1));
    if (eq < 0 || !KINDS.includes(kind as DownloadKind) || size === undefined)
      throw new UsageError(
        `--max-size ${options.maxSize}: write KIND=SIZE pairs separated by commas, e.g. config=16MiB,firmware=512MiB; kinds: ${KINDS.join(', ')}`,
      );
    limits[kind as DownloadKind] = size;
  }
  return limits;
}

/** The engine of a command that runs rounds, with the size limits of `--max-size` (checked now). */
export function roundEngine(options: SizeCliOptions): Engine {
  return engineFor(sizeLimitsFlag(options));
}

/** `--tree DIR` is `--server file://DIR/` (issue #2 §7); a `--server` URL is checked now. */
export function serverFromOptions(options: ServerCliOptions): RoundInput['server'] {
  return serverOf(options);
}

/**
 * #13.9: the folder of a `file:` server's tree (undefined for another scheme), found as the round
 * finds its server, wildcards expanded; a `file:` URL that names no folder of this machine is a
 * usage error.
 */
export function treeRootFor(
  phone: { readonly state: PhoneState; readonly model: ModelEntry },
  server: RoundInput['server'],
  params: ParameterCatalogue,
): string | undefined {
  const tree = fileTreeRoot(phone.state, phone.model, server, params);
  if (tree.ok) return tree.root;
  const named = server
    ? `${server.source === '--server' ? '--server ' : ''}${maskUserInfo(server.url)}`
    : 'the server';
  throw new UsageError(
    `${named}: ${tree.message.replace(/^.*?: /, '')}; a file: URL names a folder on this machine, such as file:///srv/tree/`,
  );
}
