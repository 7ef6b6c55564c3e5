// `autop serve DIR`: the embedded provisioning server (issue #3 §5): HTTP, HTTPS and TFTP over one
// tree, read-only but for phones' MAC-local uploads, logging every request.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { startHttpServer } from '../server/provisioningServer.js';
import { startTftpServer } from '../server/tftpServer.js';
import { EXIT, UsageError } from './usage.js';

export interface ServeOptions {
  http?: string;
  https?: string;
  tftp?: string;
  cert?: string;
  key?: string;
  host?: string;
  user?: string;
  password?: string;
  auth?: string;
}

function port(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
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
}

export function formatLogLine(protocol: string, e: LogLine): string {
  return `${e.time} ${protocol.padEnd(5)} ${e.remote} ${e.method} ${e.path} ${e.status} ${e.bytes}${e.userAgent ? ` "${e.userAgent}"` : ''}`;
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
  if (httpsPort !== undefined && (!options.cert || !options.key)) {
    throw new UsageError('--https needs --cert FILE and --key FILE (PEM)');
  }
  if ((options.user === undefined) !== (options.password === undefined))
    throw new UsageError('give --user and --password together');
  const scheme = options.auth ?? 'digest';
  if (!isScheme(scheme)) throw new UsageError(`--auth ${scheme}: use basic or digest`);
  const auth =
    options.user !== undefined ? { user: options.user, password: options.password ?? '', scheme } : undefined;
  const host = options.host ?? '127.0.0.1';

  const closers: (() => Promise<void>)[] = [];
  const out = (line: string) => process.stdout.write(line + '\n');
  if (httpPort !== undefined) {
    const server = await startHttpServer({
      root,
      port: httpPort,
      host,
      ...(auth && { auth }),
      log: (e) => out(formatLogLine('http', e)),
    });
    closers.push(() => server.close());
    out(`serving ${root} at ${server.url}${auth ? ` (${auth.scheme} auth)` : ''}`);
  }
  if (httpsPort !== undefined) {
    const tls = { cert: readFileSync(options.cert!, 'utf8'), key: readFileSync(options.key!, 'utf8') };
    const server = await startHttpServer({
      root,
      port: httpsPort,
      host,
      tls,
      ...(auth && { auth }),
      log: (e) => out(formatLogLine('https', e)),
    });
    closers.push(() => server.close());
    out(`serving ${root} at ${server.url}`);
  }
  if (tftpPort !== undefined) {
    const server = await startTftpServer({
      root,
      port: tftpPort,
      host,
      log: (e) => out(formatLogLine('tftp', e)),
    });
    closers.push(() => server.close());
    out(`serving ${root} at ${server.url}`);
  }
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await Promise.all(closers.map((close) => close()));
  return EXIT.ok;
}

function isScheme(text: string): text is 'basic' | 'digest' {
  return text === 'basic' || text === 'digest';
}
