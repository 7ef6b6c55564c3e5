// The discovery step of a phone's boot (issue #6 §1, §6): the S1 chain with real sockets, from the
// phone's identity and flash. The clients (dhcp4, dhcp6, pnp) own their sockets; this module only
// builds them from the phone and hands them to the pure chain.
import { networkInterfaces } from 'node:os';
import { configView } from '../engine/settings.js';
import type { ModelEntry } from '../models/catalogue.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { FoundServer } from '../phone/life.js';
import type { PhoneState } from '../phone/state.js';
import {
  SOURCE_TITLES,
  describeHeard,
  discover,
  discoverySettings,
  sourceLabel,
  type DiscoveryReport,
  type NotAsked,
  type Probes,
} from './chain.js';
import { dhcp4Discover } from './dhcp4.js';
import { dhcp6Discover } from './dhcp6.js';
import { pnpDiscover } from './pnp.js';

export interface DiscoverOptions {
  /** The interface DHCPv6 multicasts on; default: the only non-loopback interface with IPv6. */
  readonly interfaceName?: string;
  /** One-key update: the address as if typed in the boot wizard (S1's highest source). */
  readonly oneKey?: string;
  /** Ask the network (PnP, DHCP); false runs the chain with one-key and flash only. */
  readonly network: boolean;
  readonly pnpTimeoutMs: number;
  readonly dhcpTimeoutMs: number;
  /** Where the PnP SUBSCRIBE goes (default 224.0.1.75:5060, S2); for tests on loopback. */
  readonly pnpDestination?: { readonly address: string; readonly port: number };
  /** The PnP client's port: 5059 as in the capture; 0 for many phones on one host (a fleet). */
  readonly pnpLocalPort?: number;
}

/** An interface for DHCPv6: the named one, else the only one that is up with an IPv6 address. */
function ipv6Interface(name: string | undefined): { name: string } | { problem: string } {
  const all = networkInterfaces();
  if (name !== undefined) {
    return all[name] ? { name } : { problem: `no interface named ${name} here` };
  }
  const candidates = Object.entries(all)
    .filter(([, addresses]) => addresses?.some((a) => !a.internal && a.family === 'IPv6'))
    .map(([n]) => n);
  if (candidates.length === 1) return { name: candidates[0]! };
  return {
    problem:
      candidates.length === 0
        ? 'no interface with an IPv6 address'
        : `several interfaces (${candidates.join(', ')}): name one with --interface`,
  };
}

/** What a boot's discovery leaves the phone with: its flash, the round's server, a timeline line. */
export function applyDiscovery(state: PhoneState, report: DiscoveryReport, now: Date): FoundServer {
  const winner = report.winner;
  return {
    state: {
      ...state,
      network: {
        at: now.toISOString(),
        ...(report.lease && { ipv4: report.lease }),
        ...(report.ipv6Address !== undefined && { ipv6: report.ipv6Address }),
        ...(winner && { serverSource: winner.source }),
      },
    },
    ...(winner &&
      winner.source !== 'flash' && { server: { url: winner.url, source: sourceLabel(winner.source) } }),
    summary: winner
      ? `server from ${SOURCE_TITLES[winner.source]} (S1): ${describeHeard({ kind: 'address', url: winner.url })}`
      : 'no source gave a server address (S1)',
  };
}

export async function discoverForPhone(
  phone: { readonly model: ModelEntry; readonly state: PhoneState },
  params: ParameterCatalogue,
  options: DiscoverOptions,
): Promise<DiscoveryReport> {
  const { state, model } = phone;
  const settings = discoverySettings(configView(state.config, params));
  const notAsked: { -readonly [K in keyof NotAsked]: string } = {};
  const probes: { -readonly [K in keyof Probes]: Probes[K] } = {};
  if (!options.network) {
    notAsked.pnp = notAsked.dhcp4 = notAsked.dhcp6 = 'the network was not asked (no --discover)';
  } else {
    probes.pnp = () =>
      pnpDiscover({
        mac: state.mac,
        // The capture's Event model equals the User-Agent's product (W52P); desk phones are
        // assumed to do the same (reference §7 marks this L).
        model: model.userAgent.product,
        firmware: state.firmware,
        userAgent: `Yealink ${model.userAgent.product} ${state.firmware}`,
        timeoutMs: options.pnpTimeoutMs,
        ...(options.pnpDestination && { destination: options.pnpDestination }),
        ...(options.pnpLocalPort !== undefined && { localPort: options.pnpLocalPort }),
      });
    probes.dhcp4 = () =>
      dhcp4Discover({
        mac: state.mac,
        vendorClass: settings.option60,
        ...(settings.customOption !== undefined && { customOption: settings.customOption }),
        timeoutMs: options.dhcpTimeoutMs,
      });
    const v6 = ipv6Interface(options.interfaceName);
    if ('name' in v6) {
      probes.dhcp6 = () =>
        dhcp6Discover({
          mac: state.mac,
          interfaceName: v6.name,
          ...(settings.customOption6 !== undefined && { customOption: settings.customOption6 }),
          timeoutMs: options.dhcpTimeoutMs,
        });
    } else {
      notAsked.dhcp6 = v6.problem;
    }
  }
  return discover(settings, options.oneKey, probes, notAsked);
}
