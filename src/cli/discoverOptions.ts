// `--discover` and `--one-key` for `autop provision` and `autop run` (issue #6 §6): the S1 chain
// as an alternative to `--server`/`--tree`.
import { Option, type Command } from 'commander';
import type { DiscoveryReport } from '../discovery/chain.js';
import { applyDiscovery, discoverForPhone } from '../discovery/discoverPhone.js';
import type { Credentials } from '../fetch/fetcher.js';
import type { ModelEntry } from '../models/catalogue.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from './usage.js';

export interface DiscoveryCliOptions {
  discover?: boolean;
  interface?: string;
  oneKey?: string;
  pnpTimeout?: string;
  dhcpTimeout?: string;
  pnpTo?: string;
  server?: string;
  tree?: string;
}

export function addDiscoveryOptions(command: Command): Command {
  return command
    .option(
      '--discover',
      'find the server as the phone does (S1): one-key > PnP > DHCP custom/66/43, DHCPv6 custom/59 > flash',
    )
    .option('--one-key <url>', 'one-key update: an address as if typed in the boot wizard (highest in S1)')
    .option('--interface <name>', 'the network interface for DHCPv6 (default: the only one with IPv6)')
    .option('--pnp-timeout <duration>', 'how long to wait for a PnP NOTIFY', '5s')
    .option('--dhcp-timeout <duration>', 'how long to wait for DHCP answers', '5s')
    .addOption(
      new Option('--pnp-to <host:port>', 'send the PnP SUBSCRIBE here instead of 224.0.1.75:5060').hideHelp(),
    );
}

/** Was the chain asked for? `--one-key` alone runs it without the network (one-key > flash). */
export function wantsDiscovery(options: DiscoveryCliOptions): boolean {
  return options.discover === true || options.oneKey !== undefined;
}

function duration(text: string | undefined, flag: string): number {
  const ms = parseDuration(text ?? '5s');
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} ${text}: a duration such as 5s or 1500ms`);
  return ms;
}

function destination(text: string | undefined): { address: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(.+):(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new UsageError(`--pnp-to ${text}: write HOST:PORT`);
  return { address: match[1]!, port };
}

export interface Discovered {
  readonly report: DiscoveryReport;
  /** For the round: absent when the winner is the flash (the round reads it itself) or none won. */
  readonly server?: { readonly url: string; readonly source: string };
  /** --user/--password go with the one-key address (it is typed with them in the boot wizard). */
  readonly addressCredentials?: Credentials;
  /** The flash with the lease and the winning source recorded. */
  readonly state: PhoneState;
  /** The line for a timeline. */
  readonly summary: string;
}

/** Checks the options together; call before any I/O. */
export function checkDiscoveryOptions(options: DiscoveryCliOptions): void {
  if (!wantsDiscovery(options)) return;
  if (options.server !== undefined || options.tree !== undefined)
    throw new UsageError(
      '--discover and --one-key find the server themselves: leave out --server and --tree',
    );
  duration(options.pnpTimeout, '--pnp-timeout');
  duration(options.dhcpTimeout, '--dhcp-timeout');
  destination(options.pnpTo);
}

export async function discoverServer(
  phone: { readonly model: ModelEntry; readonly state: PhoneState },
  params: ParameterCatalogue,
  options: DiscoveryCliOptions,
  now: Date,
  /** `--user`/`--password`: they go with the one-key address, as typed with it in the boot wizard. */
  typed?: Credentials,
): Promise<Discovered> {
  const pnpTo = destination(options.pnpTo);
  const report = await discoverForPhone(phone, params, {
    network: options.discover === true,
    ...(options.oneKey !== undefined && { oneKey: options.oneKey }),
    ...(options.interface !== undefined && { interfaceName: options.interface }),
    pnpTimeoutMs: duration(options.pnpTimeout, '--pnp-timeout'),
    dhcpTimeoutMs: duration(options.dhcpTimeout, '--dhcp-timeout'),
    ...(pnpTo && { pnpDestination: pnpTo }),
  });
  const applied = applyDiscovery(phone.state, report, now);
  return {
    report,
    state: applied.state,
    summary: applied.summary,
    ...(applied.server && { server: applied.server }),
    ...(report.winner?.source === 'one-key' && typed && { addressCredentials: typed }),
  };
}
