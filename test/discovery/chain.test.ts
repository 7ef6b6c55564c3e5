// S1-S3: which source wins, and what the report says about each (the pure decision; the clients
// and the chain on a real network are tested in *Netns.test.ts).
import { describe, expect, it } from 'vitest';
import { configView } from '../../src/engine/settings.js';
import {
  decide,
  discover,
  discoverySettings,
  type DiscoveryReport,
  type SourceName,
} from '../../src/discovery/chain.js';
import type { Dhcp4Result } from '../../src/discovery/dhcp4.js';
import type { Dhcp6Result } from '../../src/discovery/dhcp6.js';
import type { PnpResult } from '../../src/discovery/pnp.js';
import { params } from '../support/engine.js';

const settingsOf = (config: Record<string, string> = {}) => discoverySettings(configView(config, params));
const text = (t: string) => ({ kind: 'text', text: t }) as const;
const lease = { address: '10.77.0.101', dns: [], server: '10.77.0.1' };

const dhcp4 = (options: Partial<Dhcp4Result> = {}): Dhcp4Result => ({
  lease,
  ignored: [],
  waitedMs: 12,
  ...options,
});
const dhcp6 = (options: Partial<Dhcp6Result> = {}): Dhcp6Result => ({
  server: '000100012c',
  ignored: [],
  waitedMs: 15,
  ...options,
});
const pnp = (url?: string): PnpResult => ({ ...(url && { url }), ignored: [], waitedMs: url ? 40 : 5000 });

const winnerOf = (report: DiscoveryReport) => report.winner?.source;
const heardOf = (report: DiscoveryReport, source: SourceName) =>
  report.sources.find((s) => s.source === source)!.heard;

describe('S1: the priority chain', () => {
  const everything = {
    oneKey: 'http://one-key.test/',
    pnp: pnp('http://pnp.test/'),
    dhcp4: dhcp4({
      custom: text('http://custom.test/'),
      option66: text('http://o66.test/'),
      option43: text('http://o43.test/'),
    }),
    dhcp6: dhcp6({ custom: text('http://custom6.test/'), option59: text('http://o59.test/') }),
  };
  const settings = settingsOf({
    'static.auto_provision.dhcp_option.list_user_options': '160',
    'static.auto_provision.dhcp_option.list_user6_options': '200',
    'static.auto_provision.server.url': 'http://flash.test/',
  });

  it('takes each source in order as the ones above it fall silent', () => {
    const order: [SourceName, Parameters<typeof decide>[1]][] = [
      ['one-key', everything],
      ['pnp', { ...everything, oneKey: undefined }],
      ['dhcp-custom', { ...everything, oneKey: undefined, pnp: pnp() }],
      [
        'dhcp-66',
        {
          ...everything,
          oneKey: undefined,
          pnp: pnp(),
          dhcp4: dhcp4({ option66: text('o66.test'), option43: text('http://o43.test/') }),
        },
      ],
      [
        'dhcp-43',
        {
          ...everything,
          oneKey: undefined,
          pnp: pnp(),
          dhcp4: dhcp4({ option43: text('http://o43.test/') }),
        },
      ],
      ['dhcpv6-custom', { ...everything, oneKey: undefined, pnp: pnp(), dhcp4: dhcp4() }],
      [
        'dhcpv6-59',
        {
          ...everything,
          oneKey: undefined,
          pnp: pnp(),
          dhcp4: dhcp4(),
          dhcp6: dhcp6({ option59: text('http://o59.test/') }),
        },
      ],
      ['flash', { pnp: pnp(), dhcp4: dhcp4(), dhcp6: dhcp6() }],
    ];
    for (const [expected, answers] of order) {
      const report = decide(settings, answers);
      expect(winnerOf(report), expected).toBe(expected);
      expect(report.sources.filter((s) => s.won).map((s) => s.source)).toEqual([expected]);
    }
  });

  it('lists every source in S1 order with what it said, the losers included', () => {
    const report = decide(settings, everything);
    expect(report.sources.map((s) => s.source)).toEqual([
      'one-key',
      'pnp',
      'dhcp-custom',
      'dhcp-66',
      'dhcp-43',
      'dhcpv6-custom',
      'dhcpv6-59',
      'flash',
    ]);
    expect(heardOf(report, 'dhcp-43')).toEqual({ kind: 'address', url: 'http://o43.test/' });
    expect(heardOf(report, 'flash')).toEqual({ kind: 'address', url: 'http://flash.test/' });
    expect(report.lease).toEqual(lease);
  });

  it('says a silent source was silent and for how long', () => {
    const report = decide(settingsOf(), { pnp: pnp(), dhcp4: { ignored: [], waitedMs: 5000 } });
    expect(heardOf(report, 'pnp')).toEqual({ kind: 'silent', waitedMs: 5000 });
    expect(heardOf(report, 'dhcp-66')).toEqual({ kind: 'silent', waitedMs: 5000 });
    expect(report.winner).toBeUndefined();
    expect(heardOf(report, 'flash').kind).toBe('absent');
  });
});

describe('S2/S3: switches and values from the configuration', () => {
  it('pnp_enable = 0 and dhcp_option.enable = 0 turn their sources off, whatever the network says', async () => {
    const settings = settingsOf({
      'static.auto_provision.pnp_enable': '0',
      'static.auto_provision.dhcp_option.enable': '0',
      'static.auto_provision.server.url': 'tftp://flash.test/',
    });
    let asked = 0;
    const report = await discover(settings, undefined, {
      pnp: () => (asked++, Promise.resolve(pnp('http://pnp.test/'))),
      dhcp4: () => (asked++, Promise.resolve(dhcp4({ option66: text('http://o66.test/') }))),
    });
    expect(asked).toBe(0);
    expect(winnerOf(report)).toBe('flash');
    expect(heardOf(report, 'pnp')).toMatchObject({
      kind: 'off',
      detail: 'static.auto_provision.pnp_enable = 0',
    });
    expect(heardOf(report, 'dhcp-66')).toMatchObject({ kind: 'off' });
  });

  it('option 60 defaults to "yealink" and follows option60_value (S3)', () => {
    expect(settingsOf().option60).toBe('yealink');
    expect(settingsOf({ 'static.auto_provision.dhcp_option.option60_value': 'acme' }).option60).toBe('acme');
  });

  it('a custom option outside 128-254 is a problem in the report, not asked', () => {
    const settings = settingsOf({ 'static.auto_provision.dhcp_option.list_user_options': '66' });
    expect(settings.customOption).toBeUndefined();
    expect(decide(settings, {}).problems[0]).toMatch(
      /list_user_options = 66: not an option number in 128-254/,
    );
  });

  it('the custom option is asked only when configured: without it the value is not used', () => {
    const report = decide(settingsOf(), { dhcp4: dhcp4({ custom: text('http://custom.test/') }) });
    expect(heardOf(report, 'dhcp-custom').kind).toBe('off');
  });
});

describe('bad answers are reported and ignored', () => {
  it('garbage in an option loses to the next source and says why', () => {
    const report = decide(settingsOf(), {
      dhcp4: dhcp4({
        option66: { kind: 'invalid', detail: 'byte 0x9f at offset 0 is not printable text' },
        option43: text('http://o43.test/'),
      }),
    });
    expect(heardOf(report, 'dhcp-66')).toEqual({
      kind: 'invalid',
      detail: 'byte 0x9f at offset 0 is not printable text',
    });
    expect(report.winner).toEqual({ source: 'dhcp-43', url: 'http://o43.test/' });
  });

  it('a value that is not a provisioning address (mailto:, file:) is invalid', () => {
    const report = decide(settingsOf(), {
      oneKey: 'file:///etc/',
      dhcp4: dhcp4({ option66: text('mailto:x@y.test') }),
    });
    expect(heardOf(report, 'one-key').kind).toBe('invalid');
    expect(heardOf(report, 'dhcp-66').kind).toBe('invalid');
    expect(report.winner).toBeUndefined();
  });

  it('a bare host in option 66 is an address (TFTP, S3); the round expands it', () => {
    const report = decide(settingsOf(), { dhcp4: dhcp4({ option66: text('10.77.0.1') }) });
    expect(report.winner).toEqual({ source: 'dhcp-66', url: 'tftp://10.77.0.1/' });
  });

  it('a client that could not ask (port 68 taken) says so instead of "silent"', () => {
    const report = decide(settingsOf(), {
      dhcp4: { ignored: [], waitedMs: 0, failed: 'cannot listen on UDP port 68: EADDRINUSE' },
    });
    expect(heardOf(report, 'dhcp-66')).toEqual({
      kind: 'off',
      detail: 'could not ask: cannot listen on UDP port 68: EADDRINUSE',
    });
  });

  it('an invalid address with a password is reported without it', () => {
    const report = decide(settingsOf(), { oneKey: 'http://alice:S3c/ret@127.0.0.1:99999/' });
    const heard = heardOf(report, 'one-key');
    expect(heard.kind).toBe('invalid');
    expect(JSON.stringify(report)).not.toContain('S3c/ret');
  });

  it('an option 60 too long for DHCP is a problem, and the default is sent', () => {
    const settings = settingsOf({ 'static.auto_provision.dhcp_option.option60_value': 'x'.repeat(300) });
    expect(settings.option60).toBe('yealink');
    expect(settings.problems[0]).toMatch(/300 bytes, more than an option holds/);
  });

  it("what the clients ignored is in the report (another phone's offer, a NOTIFY without a URL)", () => {
    const report = decide(settingsOf(), {
      pnp: { ignored: ['NOTIFY without application/url body'], waitedMs: 5000 },
      dhcp4: dhcp4({ ignored: ['reply for 00:15:65:00:00:01, not us'] }),
    });
    expect(report.ignored).toEqual([
      'NOTIFY without application/url body',
      'reply for 00:15:65:00:00:01, not us',
    ]);
  });
});
