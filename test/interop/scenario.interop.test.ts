// Issue #3's acceptance scenario: the realistic site, two rounds with a change of the served tree in
// between, then a third with no change (M1), runs over every protocol and server we speak to, and
// every report must agree with the file:// run on everything but the server's URL.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import type { RoundResult } from '../../src/engine/round.js';
import { WireFetcher } from '../../src/fetch/createFetcher.js';
import { startHttpServer } from '../../src/server/provisioningServer.js';
import { startTftpServer } from '../../src/server/tftpServer.js';
import {
  APACHE,
  NGINX,
  OPENSSL,
  servedCopy,
  skipUnlessTftpdHpaRuns,
  startApacheDigest,
  startNginx,
  startTftpdHpa,
  startVsftpd,
  TFTPD,
  VSFTPD,
} from '../support/debianServers.js';
import { newPhone, round, T23G_MAC, T46U_MAC } from '../support/engine.js';
import { assertInstalled, skipUnlessInstalled, tempDir, type Needed } from '../support/servers.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const SITE = join(fixturesDir, 'site');
const PHONES = [
  { model: 'T46U', mac: T46U_MAC },
  { model: 'T23G', mac: T23G_MAC },
] as const;
const ROUNDS = [1, 2, 3] as const;
const USER = 'provisioner';
// Characters that need percent-encoding in the URL's user info, so decoding is exercised too.
const PASSWORD = 'Sc3nario pa55@word';
const REALM = 'autop scenario';
const PLACEHOLDER = '<server>/';

type Phone = (typeof PHONES)[number];
/** The results of rounds 1, 2 and 3, per phone MAC. */
type Scenario = ReadonlyMap<string, readonly RoundResult[]>;

/** The server's root URL with the login in its user info. */
function withLogin(url: string): string {
  const copy = new URL(url);
  copy.username = USER;
  copy.password = encodeURIComponent(PASSWORD);
  return copy.href;
}

/** Between rounds 1 and 2: a new setting, a changed static one that needs a reboot, a deleted line. */
async function changeTree(root: string): Promise<void> {
  const sitePath = join(root, 'site.cfg');
  const site = await readFile(sitePath, 'utf8');
  const lldp = 'static.network.lldp.packet_interval = 60\n';
  if (!site.includes(lldp)) throw new Error(`fixtures/site/site.cfg no longer has "${lldp.trim()}"`);
  await writeFile(
    sitePath,
    site.replace(lldp, 'static.network.lldp.packet_interval = 120\n') + 'features.dnd.enable = 1\n',
  );
  const phonePath = join(root, 'phones', `${T46U_MAC}.cfg`);
  const phone = await readFile(phonePath, 'utf8');
  const dtmf = 'account.1.dtmf.type = 2\n';
  if (!phone.includes(dtmf)) throw new Error(`fixtures/site/phones/${T46U_MAC}.cfg lost "${dtmf.trim()}"`);
  await writeFile(phonePath, phone.replace(dtmf, ''));
}

/**
 * Both phones from factory state: round 1, the change, round 2, round 3. The served tree is first
 * made a fresh copy of fixtures/site again (in place: tftpd-hpa has chrooted into it).
 */
async function runScenario(root: string, serverUrl: string, fetcher: WireFetcher): Promise<Scenario> {
  await cp(SITE, root, { recursive: true, force: true });
  const results = new Map<string, RoundResult[]>();
  const roundAll = async () => {
    for (const { model, mac } of PHONES) {
      const done = results.get(mac) ?? [];
      const state = done.at(-1)?.state ?? newPhone(model, mac);
      done.push(await round(fetcher, state, serverUrl));
      results.set(mac, done);
    }
  };
  await roundAll();
  await changeTree(root);
  await roundAll();
  await roundAll();
  return results;
}

/** Every string (and key) with each spelling of the server's root URL replaced by a placeholder. */
function normalise(value: unknown, serverUrl: string): unknown {
  const url = new URL(serverUrl);
  const redacted = new URL(url.href);
  if (redacted.password) redacted.password = '***';
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const spellings = [...new Set([url.href, redacted.href, bare.href])].sort((a, b) => b.length - a.length);
  const text = (s: string) => spellings.reduce((out, spelling) => out.split(spelling).join(PLACEHOLDER), s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [text(k), walk(inner)]));
    }
    return v;
  };
  return walk(value);
}

interface ServerCase {
  readonly name: string;
  readonly needs: readonly Needed[];
  readonly skip: () => boolean;
  /** The transports this one server offers (one process, started once), by name. */
  readonly transports: readonly string[];
  start(root: string, ca: TestCa): Promise<{ urls: Record<string, string>; stop: () => Promise<void> }>;
}

const ours = (): boolean => false;

const SERVERS: readonly ServerCase[] = [
  {
    name: 'our HTTP server',
    needs: [],
    skip: ours,
    transports: ['our HTTP'],
    start: async (root) => {
      const server = await startHttpServer({ root, port: 0 });
      return { urls: { 'our HTTP': server.url }, stop: () => server.close() };
    },
  },
  {
    name: 'our HTTPS server',
    needs: [],
    skip: ours,
    transports: ['our HTTPS'],
    start: async (root, ca) => {
      const server = await startHttpServer({ root, port: 0, tls: { cert: ca.cert, key: ca.key } });
      return { urls: { 'our HTTPS': server.url }, stop: () => server.close() };
    },
  },
  {
    name: 'our HTTP server with Digest',
    needs: [],
    skip: ours,
    transports: ['our HTTP Digest'],
    start: async (root) => {
      const auth = { user: USER, password: PASSWORD, scheme: 'digest', realm: REALM } as const;
      const server = await startHttpServer({ root, port: 0, auth });
      return { urls: { 'our HTTP Digest': withLogin(server.url) }, stop: () => server.close() };
    },
  },
  {
    name: 'our TFTP server',
    needs: [],
    skip: ours,
    transports: ['our TFTP'],
    start: async (root) => {
      const server = await startTftpServer({ root, port: 0 });
      return { urls: { 'our TFTP': server.url }, stop: () => server.close() };
    },
  },
  {
    name: 'nginx',
    needs: [NGINX, OPENSSL],
    skip: () => skipUnlessInstalled(NGINX, OPENSSL),
    transports: ['nginx plain', 'nginx TLS', 'nginx Basic'],
    start: async (root, ca) => {
      const nginx = await startNginx(root, { basic: { user: USER, password: PASSWORD }, tls: ca });
      return {
        urls: {
          'nginx plain': nginx.url,
          'nginx TLS': nginx.tlsUrl,
          'nginx Basic': withLogin(nginx.basicUrl),
        },
        stop: nginx.stop,
      };
    },
  },
  {
    name: 'apache2',
    needs: [APACHE],
    skip: () => skipUnlessInstalled(APACHE),
    transports: ['apache2 Digest'],
    start: async (root) => {
      const apache = await startApacheDigest(root, { user: USER, password: PASSWORD, realm: REALM });
      return { urls: { 'apache2 Digest': withLogin(apache.url) }, stop: apache.stop };
    },
  },
  {
    name: 'tftpd-hpa',
    needs: [TFTPD],
    skip: skipUnlessTftpdHpaRuns,
    transports: ['tftpd-hpa'],
    start: async (root) => {
      const tftpd = await startTftpdHpa(root);
      return { urls: { 'tftpd-hpa': tftpd.url }, stop: tftpd.stop };
    },
  },
  {
    name: 'vsftpd',
    needs: [VSFTPD],
    skip: () => skipUnlessInstalled(VSFTPD),
    transports: ['vsftpd'],
    start: async (root) => {
      const vsftpd = await startVsftpd(root);
      return { urls: { vsftpd: vsftpd.url }, stop: vsftpd.stop };
    },
  },
];

describe('issue #3 acceptance: the same scenario over every protocol and server', () => {
  let ca: TestCa;
  /** The tree's own fetcher (offline, issue #12), and the one that goes on the wire to the servers. */
  let treeFetcher: WireFetcher;
  let fetcher: WireFetcher;
  let referenceUrl: string;
  let reference: Scenario;

  const referenceRound = (phone: Phone, n: number): RoundResult => {
    const result = reference.get(phone.mac)?.[n - 1];
    if (!result) throw new Error(`no file:// round ${n} for ${phone.mac}`);
    return result;
  };

  beforeAll(async () => {
    const dir = await tempDir('scenario');
    ca = makeTestCa(dir);
    const caFile = join(dir, 'trusted-ca.pem');
    await writeFile(caFile, ca.caPem);
    const root = await servedCopy(dir);
    treeFetcher = new WireFetcher({ treeRoot: root });
    fetcher = new WireFetcher({ caFiles: [caFile] });
    referenceUrl = `${pathToFileURL(root).href}/`;
    reference = await runScenario(root, referenceUrl, treeFetcher);
  });
  afterAll(async () => {
    await treeFetcher?.close();
    await fetcher?.close();
  });

  describe('the file:// reference', () => {
    it.each(PHONES)('$model: round 1 provisions from factory state with the MAC boot file', (phone) => {
      const { report } = referenceRound(phone, 1);
      expect(report).toMatchObject({ status: 'updated', mechanism: 'mac-boot', errors: [] });
      expect(report.downloads.map((d) => d.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(report.changes.length).toBeGreaterThan(100);
    });

    it.each(PHONES)('$model: round 2 applies the change and reboots for static.network (R1)', (phone) => {
      const { report } = referenceRound(phone, 2);
      expect(report).toMatchObject({ status: 'updated', reboot: true, errors: [] });
      const changes = Object.fromEntries(report.changes.map((c) => [c.key, c]));
      expect(changes['features.dnd.enable']).toMatchObject({ after: '1', how: 'set' });
      expect(changes['static.network.lldp.packet_interval']).toMatchObject({ after: '120', how: 'set' });
      expect(report.rebootReasons).toContainEqual(
        expect.objectContaining({ rule: 'R1', param: 'static.network.lldp.packet_interval' }),
      );
      // B6: the line deleted from the reception phone's file goes back to its default.
      if (phone.mac === T46U_MAC) {
        expect(changes['account.1.dtmf.type']).toMatchObject({ before: '2', how: 'reset-deleted' });
        expect(report.changes).toHaveLength(3);
      } else expect(report.changes).toHaveLength(2);
    });

    it.each(PHONES)('$model: round 3 with no change is M1 unchanged', (phone) => {
      const { report } = referenceRound(phone, 3);
      expect(report).toMatchObject({ status: 'unchanged', reboot: false, changes: [], errors: [] });
      expect(report.warnings.map((w) => w.rule)).toContain('M1');
    });
  });

  for (const server of SERVERS) {
    describe.skipIf(server.skip())(server.name, () => {
      const scenarios = new Map<string, { url: string; results: Scenario }>();
      let stop: (() => Promise<void>) | undefined;

      beforeAll(async () => {
        assertInstalled(...server.needs);
        const root = await servedCopy(await tempDir('scenario-served'));
        const started = await server.start(root, ca);
        stop = started.stop;
        for (const transport of server.transports) {
          const url = started.urls[transport];
          if (url === undefined) throw new Error(`${server.name} gave no URL for ${transport}`);
          scenarios.set(transport, { url, results: await runScenario(root, url, fetcher) });
        }
      });
      afterAll(async () => {
        await stop?.();
      });

      const cases = server.transports.flatMap((transport) =>
        PHONES.flatMap((phone) => ROUNDS.map((n) => ({ transport, n, phone, model: phone.model }))),
      );
      it.each(cases)('$transport, $model round $n: report and flash agree with file://', (c) => {
        const scenario = scenarios.get(c.transport);
        if (!scenario) throw new Error(`${c.transport} did not run`);
        const result = scenario.results.get(c.phone.mac)?.[c.n - 1];
        const expected = referenceRound(c.phone, c.n);
        expect(normalise(result?.report, scenario.url)).toEqual(normalise(expected.report, referenceUrl));
        expect(normalise(result?.state, scenario.url)).toEqual(normalise(expected.state, referenceUrl));
      });
    });
  }
});
