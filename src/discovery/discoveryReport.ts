// What the S1 chain found (issue #6 §1), as reports show it: the sources in their order and what
// each said. Data only, apart from the chain that decides (chain.ts), so that the provision
// report's declarations need none of the clients'.
import type { Ipv4Lease } from '../phone/state.js';

/** The sources of S1, highest priority first. */
export const SOURCES = [
  'one-key',
  'pnp',
  'dhcp-custom',
  'dhcp-66',
  'dhcp-43',
  'dhcpv6-custom',
  'dhcpv6-59',
  'flash',
] as const;
export type SourceName = (typeof SOURCES)[number];

/** What one source said. Only `address` can win. */
export type Heard =
  | { readonly kind: 'address'; readonly url: string }
  | { readonly kind: 'silent'; readonly waitedMs: number }
  | { readonly kind: 'absent'; readonly detail: string }
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'off'; readonly detail: string };

export interface SourceReport {
  readonly source: SourceName;
  readonly heard: Heard;
  readonly won: boolean;
}

export interface DiscoveryReport {
  /** Every source, in S1 order. */
  readonly sources: readonly SourceReport[];
  /** The winner; absent when no source gave an address (the round then reports S1 "no server"). */
  readonly winner?: { readonly source: SourceName; readonly url: string };
  /** The DHCPv4 lease, for the phone's state. */
  readonly lease?: Ipv4Lease;
  readonly ipv6Address?: string;
  /** Messages the clients received and ignored, and why (a hostile or foreign answer). */
  readonly ignored: readonly string[];
  /** Problems with the phone's discovery settings (a custom option out of range). */
  readonly problems: readonly string[];
}
