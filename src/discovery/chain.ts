// Where the server address comes from (spec S1-S3, issue #6 §1): every source the phone's
// configuration leaves on is asked, what each said is kept, and the highest one in the S1 order
// that gave a usable address wins: one-key update > PnP > DHCP (IPv4 custom > 66 > 43; IPv6
// custom > 59) > flash. Asking is done by probes handed in (sockets live at the edges); deciding
// is pure. Wildcards ($PN, $MAC) are expanded later, by the round (S4).
import type { ConfigView } from '../engine/settings.js';
import { parseServerUrl, redactUrl } from '../engine/serverUrl.js';
import type { Dhcp4Result, OptionText } from './dhcp4.js';
import { SOURCES, type DiscoveryReport, type Heard, type SourceName } from './discoveryReport.js';

export {
  SOURCES,
  type DiscoveryReport,
  type Heard,
  type SourceName,
  type SourceReport,
} from './discoveryReport.js';
import type { Dhcp6Result } from './dhcp6.js';
import type { PnpResult } from './pnp.js';

export const SOURCE_TITLES: Readonly<Record<SourceName, string>> = {
  'one-key': 'one-key update',
  pnp: 'PnP (SIP SUBSCRIBE to 224.0.1.75)',
  'dhcp-custom': 'DHCP custom option',
  'dhcp-66': 'DHCP option 66',
  'dhcp-43': 'DHCP option 43',
  'dhcpv6-custom': 'DHCPv6 custom option',
  'dhcpv6-59': 'DHCPv6 option 59',
  flash: 'flash (static.auto_provision.server.url)',
};

/** The switches and values of S2/S3 from the phone's configuration. */
export interface DiscoverySettings {
  readonly pnp: boolean;
  readonly dhcp: boolean;
  readonly option60: string;
  readonly customOption?: number;
  readonly customOption6?: number;
  readonly flashUrl: string;
  /** Problems with the settings themselves (a custom option out of 128-254). */
  readonly problems: readonly string[];
}

const OPTION60_DEFAULT = 'yealink'; // spec S3 decision

export function discoverySettings(get: ConfigView): DiscoverySettings {
  const problems: string[] = [];
  const custom = (param: string, range: readonly [number, number]): number | undefined => {
    const text = get(param).trim();
    if (text === '') return undefined;
    // The parameter is a list in name; the first listed option is the one asked for.
    const [first, ...rest] = text.split(',').map((s) => s.trim());
    const value = Number(first);
    if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
      problems.push(`${param} = ${text}: not an option number in ${range[0]}-${range[1]}; not asked`);
      return undefined;
    }
    if (rest.length > 0) problems.push(`${param} = ${text}: only the first option (${value}) is asked`);
    return value;
  };
  const customOption = custom('static.auto_provision.dhcp_option.list_user_options', [128, 254]);
  const customOption6 = custom('static.auto_provision.dhcp_option.list_user6_options', [1, 65535]);
  let option60 = get('static.auto_provision.dhcp_option.option60_value').trim();
  // Option 60 is one DHCP option: 1-255 bytes of text (RFC 2132 §9.13).
  if (Buffer.byteLength(option60) > 255) {
    problems.push(
      `static.auto_provision.dhcp_option.option60_value is ${Buffer.byteLength(option60)} bytes, more than an option holds (255): "${OPTION60_DEFAULT}" sent`,
    );
    option60 = '';
  }
  return {
    pnp: get('static.auto_provision.pnp_enable') !== '0',
    dhcp: get('static.auto_provision.dhcp_option.enable') !== '0',
    option60: option60 === '' ? OPTION60_DEFAULT : option60,
    ...(customOption !== undefined && { customOption }),
    ...(customOption6 !== undefined && { customOption6 }),
    flashUrl: get('static.auto_provision.server.url').trim(),
    problems,
  };
}

/** What was asked and what came back; undefined for a source not asked. */
export interface Answers {
  readonly oneKey?: string;
  readonly pnp?: PnpResult;
  readonly dhcp4?: Dhcp4Result;
  readonly dhcp6?: Dhcp6Result;
}

/** Why a network source was not asked, when it was not. */
export interface NotAsked {
  readonly pnp?: string;
  readonly dhcp4?: string;
  readonly dhcp6?: string;
}

/** A text that should be a server address: a URL of a provisioning scheme or a bare host (S5). */
function addressIn(text: string): Heard {
  // `mailto:x@y` would otherwise read as a bare host with user info; `host:69` is a bare host.
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\/\/|\d+(\/|$))/i.exec(text.trim());
  if (scheme) return { kind: 'invalid', detail: `${scheme[1]}: is not a provisioning protocol (S5)` };
  const parsed = parseServerUrl(text);
  if (!parsed.ok) return { kind: 'invalid', detail: parsed.message };
  if (parsed.target.url.protocol === 'file:')
    return { kind: 'invalid', detail: 'a file: URL is not a network address' };
  const trimmed = text.trim();
  // S3: a bare host or IP (option 66 as the guide's "TFTP server") means `tftp://<host>/`.
  return { kind: 'address', url: trimmed.includes('://') ? trimmed : parsed.target.url.href };
}

function fromOption(option: OptionText | undefined, what: string): Heard {
  if (!option) return { kind: 'absent', detail: `the answer had no ${what}` };
  if (option.kind === 'invalid') return { kind: 'invalid', detail: option.detail };
  return addressIn(option.text);
}

/** One DHCP source: its name, the option's text in the answer, the option number (none: off, why). */
type DhcpSource = readonly [SourceName, OptionText | undefined, number | undefined, string?];

/**
 * What each source of one DHCP family said: nothing asked (and why), the question failed, nobody
 * answered within the wait, or the option of each source in the answer.
 */
function hearDhcp(
  heard: Map<SourceName, Heard>,
  answer: { readonly failed?: string; readonly waitedMs: number; readonly answered: boolean } | undefined,
  notAsked: string | undefined,
  sources: readonly DhcpSource[],
): void {
  const all: Heard | undefined = !answer
    ? { kind: 'off', detail: notAsked ?? 'not asked' }
    : answer.failed !== undefined
      ? { kind: 'off', detail: `could not ask: ${answer.failed}` }
      : !answer.answered
        ? { kind: 'silent', waitedMs: answer.waitedMs }
        : undefined;
  for (const [source, option, number, off] of sources) {
    heard.set(
      source,
      all ??
        (number === undefined
          ? { kind: 'off', detail: off ?? 'not asked' }
          : fromOption(option, `option ${number}`)),
    );
  }
}

/** Pure: S1's decision from the answers. */
export function decide(
  settings: DiscoverySettings,
  answers: Answers,
  notAsked: NotAsked = {},
): DiscoveryReport {
  const heard = new Map<SourceName, Heard>();

  heard.set(
    'one-key',
    answers.oneKey !== undefined
      ? addressIn(answers.oneKey)
      : { kind: 'absent', detail: 'no --one-key given' },
  );

  if (!settings.pnp) heard.set('pnp', { kind: 'off', detail: 'static.auto_provision.pnp_enable = 0' });
  else if (!answers.pnp) heard.set('pnp', { kind: 'off', detail: notAsked.pnp ?? 'not asked' });
  else if (answers.pnp.url === undefined)
    heard.set('pnp', { kind: 'silent', waitedMs: answers.pnp.waitedMs });
  else heard.set('pnp', addressIn(answers.pnp.url));

  const v4 = answers.dhcp4;
  const dhcpOff: Heard = { kind: 'off', detail: 'static.auto_provision.dhcp_option.enable = 0' };
  if (!settings.dhcp) {
    for (const source of ['dhcp-custom', 'dhcp-66', 'dhcp-43', 'dhcpv6-custom', 'dhcpv6-59'] as const)
      heard.set(source, dhcpOff);
  } else {
    // S3: each family's answer, or why there is none, for each of its sources.
    hearDhcp(heard, v4 && { ...v4, answered: v4.lease !== undefined }, notAsked.dhcp4, [
      [
        'dhcp-custom',
        v4?.custom,
        settings.customOption,
        'static.auto_provision.dhcp_option.list_user_options is empty',
      ],
      ['dhcp-66', v4?.option66, 66],
      ['dhcp-43', v4?.option43, 43],
    ]);
    const v6 = answers.dhcp6;
    hearDhcp(heard, v6 && { ...v6, answered: v6.server !== undefined }, notAsked.dhcp6, [
      [
        'dhcpv6-custom',
        v6?.custom,
        settings.customOption6,
        'static.auto_provision.dhcp_option.list_user6_options is empty',
      ],
      ['dhcpv6-59', v6?.option59, 59],
    ]);
  }

  heard.set(
    'flash',
    settings.flashUrl === ''
      ? { kind: 'absent', detail: 'static.auto_provision.server.url is empty' }
      : addressIn(settings.flashUrl),
  );

  const winner = SOURCES.find((source) => heard.get(source)?.kind === 'address');
  const winnerHeard = winner ? heard.get(winner) : undefined;
  return {
    sources: SOURCES.map((source) => ({
      source,
      heard: heard.get(source) ?? { kind: 'off', detail: 'not asked' },
      won: source === winner,
    })),
    ...(winner && winnerHeard?.kind === 'address' && { winner: { source: winner, url: winnerHeard.url } }),
    ...(v4?.lease && { lease: v4.lease }),
    ...(answers.dhcp6?.address !== undefined && { ipv6Address: answers.dhcp6.address }),
    ignored: [...(answers.pnp?.ignored ?? []), ...(v4?.ignored ?? []), ...(answers.dhcp6?.ignored ?? [])],
    problems: settings.problems,
  };
}

/** The network sources, each asked by a function that owns its socket. */
export interface Probes {
  readonly pnp?: () => Promise<PnpResult>;
  readonly dhcp4?: () => Promise<Dhcp4Result>;
  readonly dhcp6?: () => Promise<Dhcp6Result>;
}

/**
 * Asks every enabled source at once (a real phone runs DHCP and PnP during the same boot; asking
 * them together bounds the wait by the slowest timeout, not their sum) and decides.
 */
export async function discover(
  settings: DiscoverySettings,
  oneKey: string | undefined,
  probes: Probes,
  notAsked: NotAsked = {},
): Promise<DiscoveryReport> {
  const [pnp, dhcp4, dhcp6] = await Promise.all([
    settings.pnp ? probes.pnp?.() : undefined,
    settings.dhcp ? probes.dhcp4?.() : undefined,
    settings.dhcp ? probes.dhcp6?.() : undefined,
  ]);
  return decide(
    settings,
    {
      ...(oneKey !== undefined && { oneKey }),
      ...(pnp && { pnp }),
      ...(dhcp4 && { dhcp4 }),
      ...(dhcp6 && { dhcp6 }),
    },
    notAsked,
  );
}

/** How the report names the winner for the round (RoundInput.server.source). */
export function sourceLabel(source: SourceName): string {
  return `${SOURCE_TITLES[source]} (S1)`;
}

/** One line per source for people; passwords in URLs are masked. */
export function describeHeard(heard: Heard): string {
  switch (heard.kind) {
    case 'address': {
      let shown = heard.url;
      try {
        shown = redactUrl(new URL(heard.url));
      } catch {
        // a bare host: nothing to mask
      }
      return shown;
    }
    case 'silent':
      return `no answer in ${(heard.waitedMs / 1000).toFixed(1)} s`;
    case 'absent':
    case 'invalid':
    case 'off':
      return heard.detail;
  }
}
