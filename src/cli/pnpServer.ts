// `autop pnp-server --url URL`: our PnP server (spec S2, reference §7) until SIGINT or SIGTERM,
// one line per phone served: its MAC, model and firmware from the Event header, and the URL sent.
import { isIPv4 } from 'node:net';
import type { Command } from 'commander';
import { maskUserInfo } from '../core/url.js';
import { startPnpServer, type PnpServed } from '../server/pnpServer.js';
import { PNP_GROUP, PNP_PORT, PROVISIONING_SCHEMES } from '../discovery/pnpMessages.js';
import { action } from './action.js';
import { EXIT, UsageError } from './usage.js';

export interface PnpServerCommandOptions {
  url: string;
  port?: string;
  address?: string;
  group?: string;
}

export function registerPnpServer(program: Command): void {
  program
    .command('pnp-server')
    .description(
      'answer PnP SUBSCRIBEs (S2): every phone that boots on this network is told to provision from URL',
    )
    .requiredOption('--url <url>', 'the provisioning server URL to hand out ($MAC becomes the phone MAC)')
    .option('--port <port>', 'UDP port', '5060')
    .option('--address <address>', 'address to listen on', '0.0.0.0')
    .option('--group <address>', "multicast group to join ('' for none)", '224.0.1.75')
    .action(action(pnpServerCommand));
}

/** The line printed for one phone served. */
export function formatServed(time: Date, served: PnpServed): string {
  return [
    time.toISOString(),
    served.mac,
    served.model ?? '-',
    served.firmware ?? '-',
    '->',
    served.to,
    maskUserInfo(served.url),
  ].join(' ');
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return PNP_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535)
    throw new UsageError(`--port ${text} is not a UDP port number (0-65535); the phones send to 5060`);
  return port;
}

/** 224.0.0.0/4: what a multicast group is (RFC 5771). */
function isMulticast(address: string): boolean {
  const first = Number(address.split('.')[0]);
  return isIPv4(address) && first >= 224 && first <= 239;
}

function checkUrl(url: string): void {
  let scheme: string;
  try {
    // `$MAC` is expanded per phone; what is left must be a URL a phone can provision from (S5).
    scheme = new URL(url.replace(/\$MAC/g, '001565000000')).protocol;
  } catch {
    throw new UsageError(
      `--url ${maskUserInfo(url)} is not a URL; e.g. --url http://10.0.0.1/prov/ or tftp://10.0.0.1/`,
    );
  }
  if (!PROVISIONING_SCHEMES.includes(scheme))
    throw new UsageError(
      `--url ${maskUserInfo(url)}: a phone provisions over http, https, tftp or ftp, not ${scheme.replace(/:$/, '')}`,
    );
}

/** The action of `autop pnp-server`: serves until SIGINT or SIGTERM, then exit 0. */
export async function pnpServerCommand(options: PnpServerCommandOptions): Promise<number> {
  checkUrl(options.url);
  const port = parsePort(options.port);
  if (options.address !== undefined && !isIPv4(options.address))
    throw new UsageError(`--address ${options.address} is not an IPv4 address; PnP is IPv4 multicast`);
  if (options.group !== undefined && options.group !== '' && !isMulticast(options.group))
    throw new UsageError(`--group ${options.group} is not an IPv4 multicast address (default ${PNP_GROUP})`);
  let server: Awaited<ReturnType<typeof startPnpServer>>;
  try {
    server = await startPnpServer({
      url: options.url,
      port,
      ...(options.address !== undefined && { address: options.address }),
      ...(options.group !== undefined && { group: options.group }),
      onServed: (served) => process.stdout.write(formatServed(new Date(), served) + '\n'),
      log: (line) => process.stderr.write(`autop pnp-server: ${line}\n`),
    });
  } catch (e) {
    // A port in use, an address not of this machine, a group with no route: the user's to change.
    throw new UsageError(`${(e as Error).message}; choose another --port, --address or --group`);
  }
  const group = options.group ?? PNP_GROUP;
  process.stdout.write(
    `PnP server on ${options.address ?? '0.0.0.0'}:${server.port}${group ? `, group ${group}` : ''}, handing out ${maskUserInfo(options.url)}\n`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  return EXIT.ok;
}
