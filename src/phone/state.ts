// The phone's flash: what survives a reboot. The engine takes one and returns the next; the CLI
// keeps it in a JSON file (stateFile.ts).
import type { Mac } from '../core/mac.js';

/** Where an effective value came from: a file and line, the MAC-local file, or the phone's own UI. */
export type Origin =
  | { readonly kind: 'file'; readonly file: string; readonly line: number }
  | { readonly kind: 'mac-local' }
  | { readonly kind: 'ui' };

export const STATE_FORMAT = 'autop-phone-state/1';

export interface PhoneState {
  readonly format: typeof STATE_FORMAT;
  readonly mac: Mac;
  /** The catalogue id of the model (`T46U`). */
  readonly model: string;
  /** The running firmware; an upgrade (R3) changes it. */
  readonly firmware: string;
  /** Effective configuration: every parameter not at its factory default (explicit defaults may stay). */
  readonly config: Readonly<Record<string, string>>;
  /** Provenance of each entry of `config`. */
  readonly origins: Readonly<Record<string, Origin>>;
  /**
   * The values provisioning has set and not since reset: the server layer. B6 resets the non-static
   * ones a later round no longer sets.
   */
  readonly provisioned: Readonly<Record<string, string>>;
  /** The MAC-local settings (K1): non-static UI changes kept while `custom.protect = 1`. */
  readonly local: Readonly<Record<string, string>>;
  /** M1: URL → MD5 of every configuration file of the last round that applied. */
  readonly md5: Readonly<Record<string, string>>;
  /** CAs provisioned by `static.trusted_certificates.url` (URL → PEM), trusted for HTTPS (S5). */
  readonly certificates?: Readonly<Record<string, string>>;
  /** The server URL of the last round that ran (user info dropped): where K2 uploads go by default. */
  readonly server?: string;
  /** What the phone learnt at its last discovery (issue #6 §2): its DHCP lease and where the server came from. */
  readonly network?: NetworkState;
  /** Rounds that ran to the end, and the time of the last (ISO 8601, from the clock handed in). */
  readonly rounds: number;
  readonly lastRound?: string;
}

/** A DHCPv4 lease (issue #6 §2). */
export interface Ipv4Lease {
  readonly address: string;
  readonly netmask?: string;
  readonly router?: string;
  readonly dns: readonly string[];
  /** The DHCP server that granted the lease (its server identifier, option 54). */
  readonly server: string;
  readonly leaseSeconds?: number;
}

export interface NetworkState {
  /** ISO 8601 time of the discovery. */
  readonly at: string;
  readonly ipv4?: Ipv4Lease;
  readonly ipv6?: string;
  /** The S1 source that won (`dhcp-66`, `pnp`, ...), absent when none did. */
  readonly serverSource?: string;
}

/** A phone as it leaves the factory. */
export function factoryState(mac: Mac, model: string, firmware: string): PhoneState {
  return {
    format: STATE_FORMAT,
    mac,
    model,
    firmware,
    config: {},
    origins: {},
    provisioned: {},
    local: {},
    md5: {},
    rounds: 0,
  };
}
