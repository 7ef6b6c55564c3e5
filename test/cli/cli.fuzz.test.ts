// Issue #13, the systematic part: every command of `autop` driven with generated arguments over
// generated files (trees of random boot and CFG contents, inventories, state files, keys; option
// values from a grammar of plausible and hostile ones). Whatever it is given, a command never exits
// 70, never prints a stack, never prints a secret (a generated password in a URL, a CFG, a file or
// a flag) unless told to, and exits with a status its help documents. Most cases run in-process
// through the program (`runInProcess`); a sample also runs as the built binary. Seeded, with a
// fixed number of runs: the same cases on every `npm test`.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttpServer } from '../../src/server/provisioningServer.js';
import { startTftpServer, type RunningTftpServer } from '../../src/server/tftpServer.js';
import { startSipEndpoint, type SipEndpoint } from '../../src/sip/endpoint.js';
import { runCli } from '../support/cli.js';
import {
  FUZZ_MAC,
  FUZZ_MAC_COLONS,
  hostilePaths,
  withUser,
  worldArb,
  worldPaths,
  writeWorld,
  type Servers,
  type WorldPaths,
  type WorldSpec,
} from '../support/fuzzWorld.js';
import { runInProcess, type InProcessResult } from '../support/inProcess.js';
import { tempDir } from '../support/servers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 1305);
/** `FUZZ_RUNS=10 npx vitest run test/cli/cli.fuzz.test.ts`: ten times the runs, for a deeper search. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);

/** A stack frame as Node prints one. */
const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

type Args = fc.Arbitrary<readonly string[]>;

/** Two runs in five may take hostile values. */
const HOSTILE = fc.oneof(
  { weight: 3, arbitrary: fc.constant(false) },
  { weight: 2, arbitrary: fc.constant(true) },
);

const none: Args = fc.constant<readonly string[]>([]);

/**
 * `[flag, value]` or nothing: absent or a plausible value mostly, a hostile one now and then, so that
 * most runs get past the checks of their options and into the work.
 */
function opt(c: Ctx, flag: string, good: readonly string[], bad: readonly string[] = []): Args {
  if (!c.hostile) bad = [];
  const pick = (values: readonly string[]) => fc.constantFrom(...values).map((v) => [flag, v]);
  return fc.oneof(
    { weight: 5, arbitrary: none },
    { weight: 4, arbitrary: good.length > 0 ? pick(good) : none },
    { weight: bad.length > 0 ? 1 : 0, arbitrary: bad.length > 0 ? pick(bad) : none },
  );
}

/** `[flag, value]` always: a plausible value mostly. */
function needed(c: Ctx, flag: string, good: readonly string[], bad: readonly string[] = []): Args {
  if (!c.hostile) bad = [];
  const pick = (values: readonly string[]) => fc.constantFrom(...values).map((v) => [flag, v]);
  return fc.oneof(
    { weight: 9, arbitrary: pick(good) },
    { weight: bad.length > 0 ? 1 : 0, arbitrary: bad.length > 0 ? pick(bad) : none },
  );
}

/** `[flag]` or nothing. */
function flag(name: string): Args {
  return fc.oneof(none, fc.constant([name]));
}

/** Now and then a token no command takes, or a request for help. */
const stray = (c: Ctx): Args =>
  fc.oneof(
    { weight: 12, arbitrary: none },
    {
      weight: c.hostile ? 2 : 0,
      arbitrary: fc.constantFrom(['--bogus'], ['stray-argument'], ['--help'], ['--'], ['-x']),
    },
  );

function argv(c: Ctx, command: string[], ...parts: Args[]): Args {
  return fc.tuple(...parts, stray(c)).map((ps) => [...command, ...ps.flat()]);
}

interface Ctx {
  readonly p: WorldPaths;
  readonly w: WorldSpec;
  readonly s: Servers;
  /** A run that may take hostile values; the others take plausible ones only, and get to the work. */
  readonly hostile: boolean;
}

const MACS = [FUZZ_MAC_COLONS, FUZZ_MAC, '00-15-65-00-00-01'];
const BAD_MACS = ['zz:zz', '', 'a'.repeat(5000), '00:15:65:00:00:02'];
const MODELS = ['T46U', 'SIP-T46U', 't46u'];
const BAD_MODELS = ['XX', '', 'T46U,T23G', 'T23G'];
const FIRMWARES = ['108.86.0.90', '108.86.0.100'];
const BAD_FIRMWARES = ['garbage', '', '999.1.1.1', '108.86.0.90'.repeat(100), '96.86.0.1'];
const TIMEOUTS = ['2s', '500ms', '1000'];
const BAD_TIMEOUTS = ['0', '-1', 'abc', '99999999999999', '1e3', ''];
const SIZES = ['config=16MiB', 'config=1', 'firmware=1KiB,config=8MiB', 'boot=100', 'config=1.5MiB'];
const BAD_SIZES = ['boot=0', 'foo=1', 'config=', '=', '', 'config=99999999999999999999GiB', 'config=-1'];

/** `--mac`, `--model`, `--firmware`, `--state`: mostly the fuzz phone, or its saved state alone. */
function phoneArgs(c: Ctx, states: readonly string[]): Args[] {
  const { p } = c;
  return [
    needed(c, '--mac', MACS, BAD_MACS),
    needed(c, '--model', MODELS, BAD_MODELS),
    opt(c, '--firmware', FIRMWARES, BAD_FIRMWARES),
    opt(c, '--state', states, hostilePaths(p)),
  ];
}

function serverUrls({ p, s, w }: Ctx): string[] {
  return [
    `file://${p.tree}/`,
    `file://${p.tree}`,
    `file://${p.tree}/$PN/`,
    `file://${p.tree}/y000000000000.boot`,
    `file://${p.tree}/100%25.cfg`,
    s.http,
    withUser(s.http, w.secret),
    `http://%zz:${w.secret}@127.0.0.1:${new URL(s.http).port}/`,
    `${s.http}$MAC/`,
    s.tftp,
    withUser(s.tftp, w.secret),
  ];
}

function badServerUrls({ p, s }: Ctx): string[] {
  return [
    `file://${p.tree}/a%zz.cfg`,
    'file://otherhost/x/',
    'file:///tmp/%2f/',
    `file://${p.dir}/../../etc/`,
    'gopher://127.0.0.1/',
    'http://[',
    '',
    'a b',
    `http://127.0.0.1:${new URL(s.http).port}/${'a'.repeat(5000)}`,
  ];
}

/** Where a round provisions from: a tree, a server, both (a usage error) or neither (the flash). */
function whereArgs(c: Ctx): Args {
  return fc.oneof(
    { weight: 4, arbitrary: needed(c, '--tree', [c.p.tree, c.p.tree2], hostilePaths(c.p)) },
    { weight: 4, arbitrary: needed(c, '--server', serverUrls(c), badServerUrls(c)) },
    { weight: 1, arbitrary: none },
    { weight: c.hostile ? 1 : 0, arbitrary: fc.constant(['--tree', c.p.tree, '--server', c.s.http]) },
    { weight: c.hostile ? 1 : 0, arbitrary: opt(c, '--one-key', serverUrls(c), badServerUrls(c)) },
  );
}

function wireArgs(c: Ctx): Args[] {
  const { p, w } = c;
  return [
    opt(c, '--ca', [], [p.ca, p.missing, p.dir]),
    fc.oneof(
      { weight: 6, arbitrary: none },
      { weight: 2, arbitrary: fc.constant(['--user', 'prov', '--password', w.secret]) },
      { weight: 2, arbitrary: fc.constant(['--user', 'prov', '--password-file', p.passwordFile]) },
      {
        weight: c.hostile ? 1 : 0,
        arbitrary: opt(c, '--password-file', [], [p.missing, p.dir, '/dev/null']),
      },
      { weight: c.hostile ? 1 : 0, arbitrary: fc.constantFrom(['--user', ''], ['--password', w.secret]) },
    ),
    opt(c, '--timeout', TIMEOUTS, BAD_TIMEOUTS),
  ];
}

const maxSize = (c: Ctx): Args => opt(c, '--max-size', SIZES, BAD_SIZES);

/** Each command: its arguments, and how long it may run before it is stopped as by Ctrl-C. */
interface Fuzzed {
  readonly name: string;
  readonly runs: number;
  readonly args: (ctx: Ctx) => Args;
  readonly deadlineMs?: number;
  /** Exit statuses beyond 0, 1, 2 that its help documents. */
  readonly codes?: readonly number[];
  /** decrypt prints the plaintext it was asked for, secrets and all. */
  readonly printsPlaintext?: boolean;
}

const COMMANDS: readonly Fuzzed[] = [
  {
    name: 'provision',
    runs: 50,
    args: (c) =>
      argv(
        c,
        ['provision'],
        whereArgs(c),
        ...phoneArgs(c, [c.p.state, join(c.p.dir, 'new.json')]),
        ...wireArgs(c),
        maxSize(c),
        flag('--json'),
        flag('--show-secrets'),
      ),
  },
  {
    name: 'check',
    runs: 40,
    args: (c) =>
      argv(
        c,
        ['check'],
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom([c.p.tree], [c.p.tree2]) },
          { weight: c.hostile ? 1 : 0, arbitrary: fc.constantFrom([c.p.missing], [c.p.inventory], []) },
        ),
        opt(c, '--inventory', [c.p.inventory], hostilePaths(c.p)),
        opt(c, '--model', MODELS, BAD_MODELS),
        opt(c, '--format', ['text', 'json', 'junit', 'sarif', 'github'], ['xml', '']),
        flag('--strict'),
        opt(c, '--path-prefix', ['provisioning', '../..'], ['', '%', 'a\nb']),
        maxSize(c),
      ),
  },
  {
    name: 'diff',
    runs: 25,
    args: (c) =>
      argv(
        c,
        ['diff'],
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom([c.p.tree, c.p.tree2], [c.p.tree2, c.p.tree]) },
          { weight: c.hostile ? 1 : 0, arbitrary: fc.constantFrom([c.p.tree], [c.p.tree, c.p.missing], []) },
        ),
        opt(c, '--git', [], ['HEAD', 'no-such-rev']),
        opt(c, '--repo', [], [c.p.dir, c.p.missing]),
        opt(c, '--inventory', [c.p.inventory], [c.p.missing, c.p.dir]),
        opt(c, '--model', MODELS, BAD_MODELS),
        opt(c, '--format', ['text', 'json', 'markdown'], ['html']),
        flag('--show-secrets'),
        maxSize(c),
      ),
  },
  {
    name: 'explain',
    runs: 30,
    args: (c) =>
      argv(
        c,
        ['explain'],
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom([c.p.tree], [c.p.tree2]) },
          {
            weight: c.hostile ? 1 : 0,
            arbitrary: fc.constantFrom([c.p.missing], [join(c.p.tree, 'site.cfg')]),
          },
        ),
        fc.subarray(['account.1.password', 'account.1.label', 'static.auto_provision.server.url', 'x', '%']),
        ...phoneArgs(c, [c.p.state]),
        maxSize(c),
        flag('--json'),
        flag('--show-secrets'),
      ),
  },
  {
    name: 'set',
    runs: 25,
    args: (c) =>
      argv(
        c,
        ['set'],
        needed(c, '--state', [c.p.state], hostilePaths(c.p)),
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc.subarray(
              [
                `account.1.password=${c.w.secret}`,
                'account.1.label=from the UI',
                'static.auto_provision.custom.protect=1',
                'static.auto_provision.custom.sync=1',
                'features.dnd.enable=',
                `${'k'.repeat(3000)}=1`,
                'static.network.vlan.internet_port_vid=7',
              ],
              { minLength: 1 },
            ),
          },
          { weight: c.hostile ? 1 : 0, arbitrary: fc.constantFrom(['novalue'], ['=x'], []) },
        ),
        ...wireArgs(c),
      ),
  },
  {
    name: 'dial',
    runs: 20,
    args: (c) =>
      argv(
        c,
        ['dial'],
        fc.constantFrom(['123'], ['45'], ['123'], ['#*'], ['1'.repeat(40)], ['12ab'], ['']),
        needed(c, '--state', [c.p.state], hostilePaths(c.p)),
        ...wireArgs(c),
        maxSize(c),
        flag('--json'),
        flag('--show-secrets'),
      ),
  },
  {
    name: 'pin',
    runs: 15,
    args: (c) =>
      argv(
        c,
        ['pin'],
        fc.constantFrom(['123'], ['123'], ['../x'], ['%zz'], ['a'.repeat(300)], ['']),
        needed(c, '--state', [c.p.state], hostilePaths(c.p)),
        ...wireArgs(c),
        maxSize(c),
        flag('--json'),
      ),
  },
  {
    name: 'run',
    runs: 20,
    deadlineMs: 4000,
    args: (c) =>
      fc.oneof(
        {
          weight: 4,
          arbitrary: argv(
            c,
            ['run', '--virtual'],
            whereArgs(c),
            ...phoneArgs(c, [join(c.p.dir, 'run.json')]),
            needed(c, '--for', ['1h', '1d', '3d'], ['0s', '-1d', 'abc', '']),
            opt(c, '--start', ['2026-01-05T00:00:00Z', '1970-01-01'], ['275760-09-13T00:00:00Z', 'x', '']),
            opt(c, '--seed', ['s1', '%'], ['']),
            opt(c, '--call', ['1h/30m', '0s/0s'], ['x/y', '1d', '/']),
            opt(c, '--boot', ['1m', '0s'], ['x', '']),
            ...wireArgs(c),
            maxSize(c),
            flag('--json'),
          ),
        },
        {
          weight: 1,
          arbitrary: argv(
            c,
            ['run', '--for', '1s', '--sip-port', '0'],
            needed(c, '--tree', [c.p.tree]),
            ...phoneArgs(c, [join(c.p.dir, 'run.json')]),
            flag('--no-sip'),
            opt(c, '--boot', ['0s', '100ms']),
          ),
        },
      ),
  },
  {
    name: 'notify',
    runs: 15,
    args: (c) =>
      fc.oneof(
        argv(
          c,
          ['notify', `127.0.0.1:${c.s.sip}`],
          flag('--reboot'),
          opt(c, '--user', ['1001', '%41'], ['a b@c', '']),
          opt(c, '--timeout', ['500ms', '2000', '5s'], BAD_TIMEOUTS),
        ),
        argv(
          c,
          ['notify'],
          fc.constantFrom(['127.0.0.1:1'], ['[::1]:1'], ['localhost:1']),
          fc.constantFrom(['--timeout', '50'], ['--timeout', '200ms']),
        ),
        argv(
          c,
          ['notify'],
          fc.constantFrom(['a:b:c'], [''], ['127.0.0.1:99999'], ['[zz]:1'], ['x'.repeat(300)], []),
        ),
      ),
  },
  {
    name: 'encrypt',
    runs: 25,
    args: (c) =>
      argv(
        c,
        ['encrypt'],
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc.constantFrom([c.p.plainCfg], [c.p.plainCfg, join(c.p.tree2, 'site.cfg')]),
          },
          {
            weight: 2,
            arbitrary: fc.subarray([
              join(c.p.tree, 'site.cfg'),
              join(c.p.tree, 'y000000000000.boot'),
              c.p.encrypted,
              c.p.missing,
              c.p.dir,
            ]),
          },
        ),
        fc.oneof(
          fc.constantFrom(['--key', c.w.key16], ['--key', c.w.key32], ['--key-file', c.p.keyFile]),
          fc.constantFrom(
            ['--key-file', join(c.p.dir, 'new.key')],
            ['--key-file', join(c.p.dir, 'new.key'), '--key-length', '32'],
          ),
          {
            weight: c.hostile ? 1 : 0,
            arbitrary: fc.constantFrom(
              ['--key-file', c.p.dir],
              ['--key-file', join(c.p.missing, 'k')],
              [],
              ['--key', 'short'],
              ['--key', ''],
              ['--key', c.w.key16, '--key-length', '8'],
            ),
          },
        ),
        flag('--security'),
        fc.oneof(
          { weight: 6, arbitrary: fc.constant(['--out', c.p.out]) },
          { weight: 2, arbitrary: fc.constant(['--in-place']) },
          {
            weight: c.hostile ? 2 : 0,
            arbitrary: fc.constantFrom(
              ['--out', c.p.plainCfg],
              ['--out', c.p.dir],
              ['--out', join(c.p.missing, 'out')],
              [],
              ['--out', c.p.out, '--in-place'],
            ),
          },
        ),
        flag('--show-key'),
      ),
  },
  {
    name: 'decrypt',
    runs: 20,
    printsPlaintext: true,
    args: (c) =>
      argv(
        c,
        ['decrypt'],
        fc.oneof(
          { weight: 6, arbitrary: fc.constant([c.p.encrypted]) },
          {
            weight: c.hostile ? 2 : 0,
            arbitrary: fc.constantFrom(
              [c.p.plainCfg],
              [c.p.missing],
              [c.p.dir],
              [join(c.p.tree, 'binary.cfg')],
            ),
          },
        ),
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              ['--key', c.w.key16],
              ['--key-file', c.p.keyFile],
              ['--security', c.p.security],
              ['--key', c.w.key32],
            ),
          },
          {
            weight: c.hostile ? 2 : 0,
            arbitrary: fc.constantFrom(
              ['--key', 'short'],
              ['--key-file', c.p.missing],
              ['--key-file', c.p.dir],
              ['--security', c.p.plainCfg],
              ['--security', c.p.missing],
              ['--security', c.p.dir],
              [],
              ['--key', c.w.key16, '--security', c.p.security],
            ),
          },
        ),
      ),
  },
  {
    name: 'serve',
    runs: 12,
    deadlineMs: 300,
    args: (c) =>
      argv(
        c,
        ['serve'],
        fc.oneof(
          { weight: 6, arbitrary: fc.constant([c.p.tree]) },
          { weight: c.hostile ? 1 : 0, arbitrary: fc.constantFrom([c.p.missing], [c.p.plainCfg]) },
        ),
        opt(c, '--http', ['0'], ['99999', 'x', '']),
        opt(c, '--https', ['0'], ['x']),
        opt(c, '--tftp', ['0'], ['-1']),
        opt(c, '--cert', [], [c.p.ca, c.p.missing, c.p.dir]),
        opt(c, '--key', [], [c.p.ca, c.p.missing]),
        opt(c, '--host', ['127.0.0.1', 'localhost', '::1'], ['x', '10.255.255.1']),
        fc.oneof(
          { weight: 4, arbitrary: none },
          { weight: 2, arbitrary: fc.constant(['--user', 'prov', '--password-file', c.p.passwordFile]) },
          { weight: 1, arbitrary: fc.constant(['--user', 'prov', '--password', c.w.secret]) },
          {
            weight: c.hostile ? 1 : 0,
            arbitrary: fc.constantFrom(
              ['--user', 'prov'],
              ['--password-file', c.p.missing],
              ['--password-file', '/dev/null'],
            ),
          },
        ),
        opt(c, '--auth', ['basic', 'digest'], ['ntlm']),
      ),
  },
  {
    name: 'pnp-server',
    runs: 8,
    deadlineMs: 300,
    args: (c) =>
      argv(
        c,
        ['pnp-server', '--port', '0', '--group', ''],
        needed(c, '--url', [c.s.http, withUser(c.s.http, c.w.secret)], ['file:///x/', 'x', '', 'http://[']),
        opt(c, '--address', ['127.0.0.1'], ['x', '::1']),
        opt(c, '--port', [], ['99999', 'x']),
        opt(c, '--group', [], ['10.0.0.1', 'x']),
      ),
  },
  {
    name: 'demo',
    runs: 3,
    deadlineMs: 20_000,
    args: (c) => argv(c, ['demo'], opt(c, '--tree', [c.p.tree], [c.p.missing, c.p.plainCfg]), maxSize(c)),
  },
  {
    name: 'fleet',
    runs: 25,
    deadlineMs: 10_000,
    codes: [74],
    args: (c) =>
      argv(
        c,
        ['fleet', '--virtual', '--no-progress'],
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              ['--count', '3', '--models', 'T46U:70%,T23G:30%'],
              ['--count', '2', '--models', 'T46U:100%'],
              ['--inventory', c.p.inventory],
            ),
          },
          {
            weight: c.hostile ? 1 : 0,
            arbitrary: fc.constantFrom(
              ['--count', '0', '--models', 'T46U:100%'],
              ['--count', 'x'],
              ['--count', '2', '--models', 'XX:100%'],
              ['--inventory', c.p.missing],
            ),
          },
        ),
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(['--tree', c.p.tree], ['--server', withUser(c.s.http, c.w.secret)]),
          },
          { weight: c.hostile ? 1 : 0, arbitrary: fc.constantFrom(['--tree', c.p.missing], []) },
        ),
        opt(c, '--seed', ['s1'], ['']),
        fc.oneof(
          {
            weight: 3,
            arbitrary: fc.constantFrom(
              [],
              ['--scenario', 'boot-storm'],
              ['--scenario', 'life', '--for', '1d'],
              ['--for', '2d'],
              ['--scenario', 'notify-storm'],
              ['--scenario', 'x'],
            ),
          },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              ['--rollout-tree', c.p.tree2, '--rollout-at', '1h', '--for', '1d'],
              [
                '--scenario',
                'rollout',
                '--rollout-tree',
                c.p.tree2,
                '--rollout-at',
                '30m',
                '--rollout-notify',
              ],
            ),
          },
          {
            weight: c.hostile ? 1 : 0,
            arbitrary: fc.constantFrom(
              ['--rollout-tree', c.p.missing, '--rollout-at', '1h'],
              ['--rollout-at', 'x'],
            ),
          },
        ),
        opt(c, '--shard', [], ['0/2', '2/2', 'x']),
        opt(c, '--fail-on', ['never', 'failed>1', '50%'], ['x']),
        opt(c, '--json-out', [join(c.p.dir, 'r.json')], [c.p.missing, c.p.dir]),
        opt(c, '--html', [join(c.p.dir, 'r.html')], [join(c.p.missing, 'r.html')]),
        flag('--json'),
        opt(c, '--ca', [], [c.p.ca, c.p.missing]),
      ),
  },
];

/** What every run of every command must hold, whatever it was given. */
function judge(
  fuzzed: Fuzzed,
  args: readonly string[],
  world: WorldSpec,
  result: { code: number | null; stdout: string; stderr: string },
): void {
  const shown = `autop ${args.map((a) => (a.length > 80 ? `${a.slice(0, 80)}…` : a)).join(' ')}`;
  expect([0, 1, 2, ...(fuzzed.codes ?? [])], `${shown}: exit status\n${result.stderr}`).toContain(
    result.code,
  );
  expect(result.stderr, `${shown}: no internal error`).not.toMatch(/internal error/);
  expect(result.stdout + result.stderr, `${shown}: no stack trace`).not.toMatch(STACK);
  const output = result.stdout + result.stderr;
  if (!args.includes('--show-secrets') && !fuzzed.printsPlaintext)
    expect(output.includes(world.secret), `${shown}: the secret ${world.secret} is not shown`).toBe(false);
  if (!args.includes('--show-key')) {
    expect(output.includes(world.key16), `${shown}: the AES key is not shown`).toBe(false);
    expect(output.includes(world.key32), `${shown}: the AES key is not shown`).toBe(false);
  }
}

describe('#13 every command under generated arguments and files', () => {
  let base: string;
  let http: RunningHttpServer;
  let tftp: RunningTftpServer;
  let sip: SipEndpoint;

  beforeAll(async () => {
    base = await tempDir('cli-fuzz');
    http = await startHttpServer({ root: base, port: 0 });
    tftp = await startTftpServer({ root: base, port: 0 });
    sip = await startSipEndpoint({
      port: 0,
      userAgent: 'Yealink SIP-T46U 108.86.0.90',
      onCheckSync: () => {},
    });
  });
  afterAll(async () => {
    await Promise.all([http?.close(), tftp?.close(), sip?.close()]);
    if (base) await rm(base, { recursive: true, force: true });
  });

  function context(name: string): { paths: WorldPaths; servers: Servers } {
    const paths = worldPaths(join(base, name));
    const servers = { http: `${http.url}${name}/tree/`, tftp: `${tftp.url}${name}/tree/`, sip: sip.port };
    return { paths, servers };
  }

  for (const fuzzed of COMMANDS) {
    it(`${fuzzed.name}: exit 0, 1, 2${fuzzed.codes ? ` or ${fuzzed.codes.join(', ')}` : ''}; no stack, no secret`, async () => {
      const { paths, servers } = context(fuzzed.name);
      const cases = fc
        .tuple(worldArb(paths, servers), HOSTILE)
        .chain(([w, hostile]) =>
          fuzzed.args({ p: paths, w, s: servers, hostile }).map((args) => ({ w, args })),
        );
      await fc.assert(
        fc.asyncProperty(cases, async ({ w, args }) => {
          await rm(paths.dir, { recursive: true, force: true });
          await writeWorld(paths, w);
          const result: InProcessResult = await runInProcess(args, {
            deadlineMs: fuzzed.deadlineMs ?? 5000,
            env: { NO_COLOR: '1', GITHUB_ACTIONS: undefined },
          });
          judge(fuzzed, args, w, result);
        }),
        { seed: SEED, numRuns: Math.ceil(fuzzed.runs * RUNS), endOnFailure: true },
      );
    }, 240_000);
  }

  it('the built binary holds the same (a sample of every command but the servers)', async () => {
    const spawned = COMMANDS.filter((c) => !['serve', 'pnp-server', 'demo', 'run'].includes(c.name));
    const { paths, servers } = context('binary');
    const cases = fc.constantFrom(...spawned).chain((fuzzed) =>
      fc.tuple(worldArb(paths, servers), HOSTILE).chain(([w, hostile]) =>
        fuzzed
          .args({ p: paths, w, s: servers, hostile })
          // A NUL cannot be in a process's arguments at all.
          .filter((args) => !args.some((a) => a.includes('\u0000')))
          .map((args) => ({ fuzzed, w, args })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ fuzzed, w, args }) => {
        await rm(paths.dir, { recursive: true, force: true });
        await writeWorld(paths, w);
        judge(fuzzed, args, w, await runCli([...args], { timeoutMs: 30_000, env: { GITHUB_ACTIONS: '' } }));
      }),
      { seed: SEED, numRuns: Math.ceil(8 * RUNS), endOnFailure: true },
    );
  }, 240_000);
});
