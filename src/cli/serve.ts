// `autop serve DIR`: the embedded provisioning server (issue #3 §5): HTTP, HTTPS and TFTP over one
// tree, read-only but for phones' MAC-local uploads, logging every request. Everything that can be
// checked is checked before a socket is opened, and a listener that cannot start closes the others
// before the usage error (exit 2): never half started (issue #13 §5).
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import { maskUserInfo } from '../core/url.js';
import { startHttpServer } from '../server/provisioningServer.js';
import { startTftpServer } from '../server/tftpServer.js';
import { action } from './action.js';
import { EXIT, UsageError } from './usage.js';
import { readFlagFile, readPasswordFile } from './wire.js';

/** The password, from the environment rather than the command line, which `ps` shows to anyone. */
export const PASSWORD_ENV = 'AUTOP_SERVE_PASSWORD';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a provisioning tree over HTTP, HTTPS and TFTP (read-only; MAC-local uploads allowed)')
    .argument('<dir>', 'the tree to serve')
    .option('--http <port>', 'HTTP port (0: any free port)')
    .option('--https <port>', 'HTTPS port; needs --cert and --key')
    .option('--tftp <port>', 'TFTP port (UDP)')
    .option('--cert <file>', 'server certificate (PEM) for --https')
    .option('--key <file>', 'server private key (PEM) for --https')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--user <user>', 'require this user name (HTTP/HTTPS)')
    .option('--password-file <file>', 'and the password on the first line of this file')
    .option(
      '--password <password>',
      'or this password (visible in ps: prefer the file or AUTOP_SERVE_PASSWORD)',
    )
    .option('--auth <scheme>', 'basic or digest', 'digest')
    .action(action(serveCommand));
}

export interface ServeOptions {
  http?: string;
  https?: string;
  tftp?: string;
  cert?: string;
  key?: string;
  host?: string;
  user?: string;
  password?: string;
  passwordFile?: string;
  auth?: string;
}

function port(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--${name} ${text} is not a port number (0-65535)`);
  return n;
}

export interface LogLine {
  readonly time: string;
  readonly remote: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | string;
  readonly bytes: number;
  readonly userAgent?: string;
  /** Why a request was refused or failed (the server's own words; never sent to the client). */
  readonly detail?: string;
}

/**
 * One line per request. What the client sent (path, User-Agent) may hold control characters: they
 * are shown escaped, so that a request cannot forge log lines or drive the terminal; user info in a
 * URL is masked.
 */
export function formatLogLine(protocol: string, e: LogLine): string {
  const line = `${e.time} ${protocol.padEnd(5)} ${e.remote} ${e.method} ${e.path} ${e.status} ${e.bytes}${e.userAgent ? ` "${e.userAgent}"` : ''}${e.detail ? ` -- ${e.detail}` : ''}`;
  return maskUserInfo(escapeControls(line));
}

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export async function serveCommand(dir: string, options: ServeOptions): Promise<number> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UsageError(`${dir} is not a folder to serve`);
  const httpPort = port('http', options.http);
  const httpsPort = port('https', options.https);
  const tftpPort = port('tftp', options.tftp);
  if (httpPort === undefined && httpsPort === undefined && tftpPort === undefined) {
    throw new UsageError(
      'name at least one of --http PORT, --https PORT, --tftp PORT (for example --http 8080)',
    );
  }
  const tls = httpsPort !== undefined ? readTls(options) : undefined;
  const host = hostOf(options.host);
  const scheme = options.auth ?? 'digest';
  if (!isScheme(scheme)) throw new UsageError(`--auth ${scheme}: use basic or digest`);
  const password = passwordOf(options);
  const auth =
    options.user !== undefined ? { user: options.user, password: password ?? '', scheme } : undefined;

  const out = (line: string) => process.stdout.write(line + '\n');
  const started: { url: string; close: () => Promise<void> }[] = [];
  const listeners: {
    flag: string;
    port: number;
    start: () => Promise<{ url: string; close: () => Promise<void> }>;
  }[] = [];
  if (httpPort !== undefined) {
    listeners.push({
      flag: '--http',
      port: httpPort,
      start: () =>
        startHttpServer({
          root,
          port: httpPort,
          host,
          ...(auth && { auth }),
          log: (e) => out(formatLogLine('http', e)),
        }),
    });
  }
  if (httpsPort !== undefined && tls) {
    listeners.push({
      flag: '--https',
      port: httpsPort,
      start: () =>
        startHttpServer({
          root,
          port: httpsPort,
          host,
          tls,
          ...(auth && { auth }),
          log: (e) => out(formatLogLine('https', e)),
        }),
    });
  }
  if (tftpPort !== undefined) {
    listeners.push({
      flag: '--tftp',
      port: tftpPort,
      start: () =>
        startTftpServer({
          root,
          port: tftpPort,
          host,
          log: (e) => out(formatLogLine('tftp', e)),
          onInternalError: (message) =>
            process.stderr.write(`autop: internal error (serving on): ${message}\n`),
        }),
    });
  }
  for (const listener of listeners) {
    try {
      started.push(await listener.start());
    } catch (e) {
      await Promise.all(started.map((s) => s.close()));
      throw listenError(e, listener.flag, listener.port, host);
    }
  }
  // Said once every listener is up: a script that waits for these lines can start at once.
  for (const [i, server] of started.entries()) {
    const withAuth = auth && listeners[i]!.flag !== '--tftp' ? ` (${auth.scheme} auth)` : '';
    out(`serving ${root} at ${server.url}${withAuth}`);
  }
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await Promise.all(started.map((s) => s.close()));
  return EXIT.ok;
}

/** --cert and --key, read and checked as a pair now: not an "internal error" at the first connection. */
function readTls(options: ServeOptions): { cert: string; key: string } {
  if (!options.cert || !options.key) throw new UsageError('--https needs --cert FILE and --key FILE (PEM)');
  const tls = { cert: readFlagFile('--cert', options.cert), key: readFlagFile('--key', options.key) };
  try {
    createSecureContext(tls);
  } catch (e) {
    const reason = (e as Error).message.replace(/^error:[0-9A-F]+:/i, '');
    throw new UsageError(
      `--cert ${options.cert} --key ${options.key}: not a PEM certificate and its private key (${reason})`,
    );
  }
  return tls;
}

/** An IP address to listen on (`localhost` is 127.0.0.1): a name would be resolved differently by each listener. */
function hostOf(text: string | undefined): string {
  const host = text ?? '127.0.0.1';
  if (host === 'localhost') return '127.0.0.1';
  if (isIP(host) === 0) {
    throw new UsageError(`--host ${host} is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::)`);
  }
  return host;
}

/**
 * The password: `--password-file` (its first line), else `AUTOP_SERVE_PASSWORD`, else `--password`
 * (which any user of the machine sees in `ps`: say so). Only with `--user`; never printed.
 */
function passwordOf(options: ServeOptions): string | undefined {
  if (options.password !== undefined && options.passwordFile !== undefined) {
    throw new UsageError('give --password or --password-file, not both');
  }
  let password: string | undefined;
  if (options.passwordFile !== undefined) {
    password = readPasswordFile('--password-file', options.passwordFile);
  } else if (options.password !== undefined) {
    password = options.password;
    process.stderr.write(
      `autop: warning: --password is visible to every user of this machine (ps); use --password-file FILE or ${PASSWORD_ENV}\n`,
    );
  } else if (options.user !== undefined && process.env[PASSWORD_ENV] !== undefined) {
    password = process.env[PASSWORD_ENV];
    if (password === '') throw new UsageError(`${PASSWORD_ENV} is empty`);
  }
  if (options.user === undefined && password !== undefined) {
    throw new UsageError('a password needs --user');
  }
  if (options.user !== undefined && password === undefined) {
    throw new UsageError(
      `--user needs a password: --password-file FILE, or ${PASSWORD_ENV} in the environment`,
    );
  }
  return password;
}

/** What a listener that could not start means for the user, as a usage error. */
function listenError(e: unknown, flag: string, port: number, host: string): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new UsageError(
        `${flag} ${port}: ${where} is in use by another program; choose another port (0: any free one)`,
      );
    case 'EACCES':
      return new UsageError(
        `${flag} ${port}: not allowed to listen on ${where} (ports below 1024 need root)`,
      );
    case 'EADDRNOTAVAIL':
      return new UsageError(`--host ${host} is not an address of this machine`);
    default:
      return new UsageError(`${flag} ${port}: cannot listen on ${where}: ${code ?? (e as Error).message}`);
  }
}

function isScheme(text: string): text is 'basic' | 'digest' {
  return text === 'basic' || text === 'digest';
}
