// `autop fleet` and `autop fleet merge` from the command line (issue #8 §1, §4, §6): exit status
// 0 when every phone provisioned, 1 when any failed, 2 for a usage error with a message that says
// what to type; the JSON report; shard reports written with --json-out merged into the unsharded
// run's report; live Prometheus metrics while a run goes on.
import { spawn, spawnSync } from 'node:child_process';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';
import type { Mac } from '../../src/core/mac.js';
import { powerOnOffset } from '../../src/fleet/phoneDraw.js';
import type { FleetReport } from '../../src/fleet/report.js';
import { CLI, runCli, type CliResult } from '../support/cli.js';
import { startHttpServer } from '../../src/server/provisioningServer.js';
import { freePort, skipUnlessInstalled, tempDir } from '../support/servers.js';

const PROMTOOL = { binary: 'promtool', debianPackage: 'prometheus' };

function autop(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return runCli(args, { timeoutMs });
}

let tree: string;
let dir: string;
beforeAll(async () => {
  dir = await tempDir('fleet-cli');
  tree = join(dir, 'site');
  await cp(join(fixturesDir, 'site-common-only'), tree, { recursive: true });
});

const MIX = ['--models', 'T46U:50%,T23G:50%'];

describe('autop fleet', () => {
  it('runs a boot storm of 200 phones against the embedded server and prints the report as JSON', async () => {
    const result = await autop([
      'fleet',
      '--count',
      '200',
      ...MIX,
      '--tree',
      tree,
      '--seed',
      'x',
      '--ramp',
      '2s',
      '--boot',
      '0s',
      '--json',
    ]);
    // Nothing to warn about: the only line is the verdict.
    expect(result.stderr).not.toMatch(
      /autop: (?!every phone of 200 provisioned: within --fail-on any, exit 0)/,
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as FleetReport;
    expect(report.run).toMatchObject({
      scenario: 'boot-storm',
      seed: 'x',
      time: 'real',
      inventory: 200,
      concurrency: 64,
    });
    expect(report.phones).toMatchObject({ total: 200, provisioned: 200, failed: 0, reboots: 200 });
    expect(report.phones.byModel).toEqual({
      T23G: { total: 100, provisioned: 100, failed: 0, reboots: 100, upgrades: 0 },
      T46U: { total: 100, provisioned: 100, failed: 0, reboots: 100, upgrades: 0 },
    });
    expect(report.requests.byFile['/y000000000000.boot']).toEqual({ ok: 400 });
    // The progress went to stderr, never into the JSON.
    expect(result.stderr).toMatch(/200\/200/);
  }, 60_000);

  it('prints a summary for people, and writes the JSON and HTML reports asked for', async () => {
    const json = join(dir, 'summary.json');
    const html = join(dir, 'summary.html');
    const result = await autop([
      'fleet',
      '--count',
      '50',
      ...MIX,
      '--tree',
      tree,
      '--virtual',
      '--json-out',
      json,
      '--html',
      html,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/autop fleet: boot-storm/);
    expect(result.stdout).toMatch(/provisioned\s+50/);
    expect((JSON.parse(await readFile(json, 'utf8')) as FleetReport).outcomes).toHaveLength(50);
    expect(await readFile(html, 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('exits 1 when phones fail, with the reason per phone', async () => {
    const port = await freePort();
    const result = await autop([
      'fleet',
      '--count',
      '10',
      ...MIX,
      '--server',
      `http://prov:pw@127.0.0.1:${port}/`,
      '--virtual',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as FleetReport;
    expect(report.phones).toMatchObject({ total: 10, provisioned: 0, failed: 10 });
    expect(report.outcomes.every((o) => o.status === 'failed' && /127\.0\.0\.1/.test(o.failure ?? ''))).toBe(
      true,
    );
    expect(report.run.server).toBe(`http://127.0.0.1:${port}/`);
    expect(result.stdout).not.toContain('pw@');
  });

  it('runs phones of an inventory file', async () => {
    const result = await autop([
      'fleet',
      '--inventory',
      join(fixturesDir, 'site', 'inventory.csv'),
      '--tree',
      join(fixturesDir, 'site'),
      '--virtual',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as FleetReport;
    expect(report.outcomes.map((o) => `${o.mac} ${o.model} ${o.status}`)).toEqual([
      '00156574b150 T46U provisioned',
      '00156574b151 T46U provisioned',
      '00156574b152 T46U provisioned',
      '0015659370f2 T23G provisioned',
      '0015659370f3 T23G provisioned',
      '0015659370f4 T23G provisioned',
    ]);
  });

  for (const [args, message] of [
    [['--tree', 'fixtures/site'], /say which phones: --inventory FILE, or --count N/],
    [['--count', '5', '--tree', 'fixtures/site'], /--count needs --models/],
    [['--count', '5', ...MIX], /--server URL, --tree DIR or --discover/],
    [
      ['--count', '5', ...MIX, '--tree', 'fixtures/site', '--server', 'http://x/'],
      /either --tree DIR or --server URL/,
    ],
    [['--count', 'many', ...MIX, '--tree', 'fixtures/site'], /--count many: give a whole number/],
    [['--count', '5', '--models', 'T46U:70%,T23G:20%', '--tree', 'fixtures/site'], /add up to 90%/],
    [
      ['--count', '5', ...MIX, '--tree', 'fixtures/site', '--scenario', 'life', '--virtual'],
      /needs --for DURATION/,
    ],
    [
      ['--count', '5', ...MIX, '--tree', 'fixtures/site', '--for', 'a week'],
      /--for a week: write a duration/,
    ],
    [
      ['--count', '5', ...MIX, '--tree', 'fixtures/site', '--seed', 's', '--shard', '3/3'],
      /with 3 shards it is 0 to 2/,
    ],
    [['--count', '5', ...MIX, '--tree', 'fixtures/site', '--discover'], /leave out --server and --tree/],
    [['--count', '1', ...MIX, '--server', 'http://alice:S3cretPW@127.0.0.1:99999/'], /is not a URL/],
    [['--count', '5', ...MIX, '--discover', '--virtual'], /--discover asks the real network/],
    [['--count', '5', ...MIX, '--discover', '--dhcp-timeout', 'soon'], /--dhcp-timeout soon/],
    [
      [
        '--count',
        '5',
        ...MIX,
        '--tree',
        'fixtures/site',
        '--rollout-tree',
        'fixtures/site',
        '--for',
        '1d',
        '--virtual',
      ],
      /needs --rollout-at/,
    ],
    [['--count', '5', ...MIX, '--tree', 'no/such/folder'], /--tree no\/such\/folder is not a folder/],
  ] as const) {
    it(`is a usage error (exit 2): ${message.source}`, async () => {
      const result = await autop(['fleet', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toContain('S3cretPW');
    });
  }

  it('a --metrics-port in use is a usage error before any phone starts', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const port = (holder.address() as { port: number }).port;
    const result = await autop([
      'fleet',
      '--count',
      '3',
      ...MIX,
      '--tree',
      'fixtures/site',
      '--metrics-port',
      String(port),
    ]);
    holder.close();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${port}`));
    expect(result.stderr).not.toMatch(/internal error/);
  });

  it('refuses an unknown scenario, naming the choices', async () => {
    const result = await autop(['fleet', '--count', '5', ...MIX, '--tree', tree, '--scenario', 'party']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/boot-storm, life, notify-storm, rollout/);
  });

  it('serves live Prometheus metrics while it runs, and for --metrics-linger after it (the last scrape)', async () => {
    const args = ['fleet', '--count', '100', ...MIX, '--tree', tree, '--ramp', '4s', '--boot', '1s'];
    const child = spawn(
      process.execPath,
      [CLI, ...args, '--metrics-port', '0', '--metrics-linger', '20s', '--json'],
      { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const found = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr);
        if (found) resolve(Number(found[1]));
      });
      void exited.then(() => reject(new Error(`exited first: ${stderr}`)));
    });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^autop_fleet_\w+/m);
    // The run is over (its report printed, its verdict said), and the endpoint is still there.
    await until(() => /metrics stay up 20s/.test(stderr));
    expect((JSON.parse(stdout) as FleetReport).phones.total).toBe(100);
    const last = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(last).toMatch(/^autop_fleet_phones_done 100$/m);
    if (!skipUnlessInstalled(PROMTOOL)) {
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: last, encoding: 'utf8' });
      expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
      expect(lint.status).toBe(0);
    }
    // Ctrl-C ends the linger.
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);

  it('--metrics-linger without --metrics-port is a usage error', async () => {
    const result = await autop(['fleet', '--count', '3', ...MIX, '--tree', tree, '--metrics-linger', '5s']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--metrics-linger goes with --metrics-port/);
  });
});

/** Polls until `check` holds (at most 20 s). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(check()).toBe(true);
}

/** A provisioning server of our own serving fixtures/fleet, counting the requests it got. */
async function countingServer(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const http = await startHttpServer({
    root: join(fixturesDir, 'fleet'),
    port: 0,
    log: () => {
      requests++;
    },
  });
  return { url: http.url, requests: () => requests, close: () => http.close() };
}

describe('exit status and --fail-on (issue #15)', () => {
  const down = async () => [`--server`, `http://127.0.0.1:${await freePort()}/`];

  it('exits 1 when failed phones are over --fail-on (default: any), 0 within it, and says which', async () => {
    const server = await down();
    const base = ['fleet', '--count', '10', ...MIX, ...server, '--virtual', '--seed', 'f', '--json'];
    const any = await autop(base);
    expect(any.code).toBe(1);
    expect(any.stderr).toMatch(/10 of 10 phones failed \(100%\): over --fail-on any, exit 1/);
    const never = await autop([...base, '--fail-on', 'never']);
    expect(never.code).toBe(0);
    expect(never.stderr).toMatch(/within --fail-on never, exit 0/);
    expect((JSON.parse(never.stdout) as FleetReport).phones.failed).toBe(10);
    expect((await autop([...base, '--fail-on', 'failed>9'])).code).toBe(1);
    expect((await autop([...base, '--fail-on', 'failed>10'])).code).toBe(0);
    expect((await autop([...base, '--fail-on', '99.5%'])).code).toBe(1);
  }, 60_000);

  it('a --fail-on it cannot read is a usage error naming the syntax', async () => {
    const result = await autop(['fleet', '--count', '3', ...MIX, '--tree', tree, '--fail-on', 'lots']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--fail-on lots: write any .*failed>N%/);
  });

  it('fleet merge judges the merged phones with its own --fail-on', async () => {
    const server = await down();
    const parts = [0, 1].map((i) => join(dir, `down-${i}.json`));
    for (const [i, part] of parts.entries()) {
      const shard = await autop([
        'fleet',
        '--count',
        '6',
        ...MIX,
        ...server,
        '--virtual',
        '--seed',
        'd',
        '--shard',
        `${i}/2`,
        '--fail-on',
        'never',
        '--json-out',
        part,
      ]);
      expect(shard.code).toBe(0);
    }
    expect((await autop(['fleet', 'merge', ...parts])).code).toBe(1);
    const lenient = await autop(['fleet', 'merge', ...parts, '--fail-on', 'never']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/6 of 6 phones failed/);
  }, 60_000);
});

describe('output files are checked before any phone starts (issue #15)', () => {
  for (const [flag, path, message] of [
    [
      '--json-out',
      '/no/such/folder/report.json',
      /--json-out \/no\/such\/folder\/report\.json: the folder \/no\/such\/folder does not exist/,
    ],
    ['--html', 'fixtures', /--html fixtures is a folder/],
    ['--json-out', 'package.json/report.json', /the folder .*package\.json does not exist/],
  ] as const) {
    it(`${flag} ${path}: a usage error, and the server never asked`, async () => {
      const server = await countingServer();
      try {
        const result = await autop(['fleet', '--count', '5', ...MIX, '--server', server.url, flag, path]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/internal error|at .*\.js/);
        expect(server.requests()).toBe(0);
      } finally {
        await server.close();
      }
    });
  }

  it('the same file for --json-out and --html is a usage error', async () => {
    const same = join(dir, 'same');
    const result = await autop([
      'fleet',
      '--count',
      '3',
      ...MIX,
      '--tree',
      tree,
      '--json-out',
      same,
      '--html',
      same,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--json-out and --html both name/);
  });

  it('replaces an existing report whole, leaving no temporary file beside it', async () => {
    const folder = await tempDir('fleet-atomic');
    const json = join(folder, 'report.json');
    await writeFile(json, 'an older report');
    const result = await autop([
      'fleet',
      '--count',
      '5',
      ...MIX,
      '--tree',
      tree,
      '--virtual',
      '--json-out',
      json,
    ]);
    expect(result.code).toBe(0);
    expect((JSON.parse(await readFile(json, 'utf8')) as FleetReport).phones.total).toBe(5);
    expect(await readdir(folder)).toEqual(['report.json']);
  });
});

describe('the header says what the run really used (issue #15)', () => {
  it('without --seed, draws a seed, shows it, and --seed with it repeats the run', async () => {
    const first = await autop(['fleet', '--count', '12', ...MIX, '--tree', tree, '--virtual', '--json']);
    expect(first.code).toBe(0);
    const seed = /autop: seed (\S+) \(--seed \S+ repeats this run\)/.exec(first.stderr)?.[1];
    expect(seed).toMatch(/^[0-9a-f]{8}$/);
    const report = JSON.parse(first.stdout) as FleetReport;
    expect(report.run.seed).toBe(seed);
    const again = await autop([
      'fleet',
      '--count',
      '12',
      ...MIX,
      '--tree',
      tree,
      '--virtual',
      '--json',
      '--seed',
      seed!,
    ]);
    expect((JSON.parse(again.stdout) as FleetReport).outcomes).toEqual(report.outcomes);
    const text = await autop(['fleet', '--count', '3', ...MIX, '--tree', tree, '--virtual', '--seed', seed!]);
    expect(text.stdout).toContain(`autop fleet: boot-storm, seed ${seed}\n`);
  }, 60_000);

  it('--shard without --seed is a usage error: the shards would draw different fleets', async () => {
    const result = await autop(['fleet', '--count', '3', ...MIX, '--tree', tree, '--shard', '0/2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--shard needs --seed/);
  });

  it('--tree in real time: the server is the embedded HTTP server the phones fetched from, with its tree', async () => {
    const result = await autop([
      'fleet',
      '--count',
      '4',
      ...MIX,
      '--tree',
      tree,
      '--ramp',
      '0s',
      '--boot',
      '0s',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as FleetReport;
    expect(report.run.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(report.run.tree).toBe(pathToFileURL(`${tree}/`).href);
    const text = await autop([
      'fleet',
      '--count',
      '4',
      ...MIX,
      '--tree',
      tree,
      '--ramp',
      '0s',
      '--boot',
      '0s',
    ]);
    expect(text.stdout).toMatch(/^server {7}http:\/\/127\.0\.0\.1:\d+\/ \(embedded, serving file:\/\/.*\)$/m);
  }, 60_000);
});

describe('fleet merge of real-time shards started at different moments (issue #15)', () => {
  it('two shard runs against one server merge: counts add up, the time axis starts at the earliest', async () => {
    const server = await countingServer();
    try {
      const common = [
        '--count',
        '40',
        ...MIX,
        '--seed',
        'rt',
        '--server',
        server.url,
        '--ramp',
        '1s',
        '--boot',
        '0s',
      ];
      const parts = [0, 1].map((i) => join(dir, `rt-${i}.json`));
      // One after the other: the second starts a run's length (over a second) after the first.
      for (const [i, part] of parts.entries()) {
        const shard = await autop(['fleet', ...common, '--shard', `${i}/2`, '--json-out', part]);
        expect(shard.code).toBe(0);
      }
      const shards = await Promise.all(
        parts.map(async (p) => JSON.parse(await readFile(p, 'utf8')) as FleetReport),
      );
      const [a, b] = shards as [FleetReport, FleetReport];
      expect(Date.parse(b.run.start)).toBeGreaterThan(Date.parse(a.run.start));

      const merged = await autop(['fleet', 'merge', ...parts, '--json']);
      expect(merged.stderr).not.toMatch(/has start/);
      expect(merged.code).toBe(0);
      const report = JSON.parse(merged.stdout) as FleetReport;
      expect(report.phones).toMatchObject({ total: 40, provisioned: 40, failed: 0 });
      expect(report.requests.total).toBe(a.requests.total + b.requests.total);
      expect(report.requests.total).toBe(server.requests());
      for (const file of new Set([...Object.keys(a.requests.byFile), ...Object.keys(b.requests.byFile)]))
        expect(report.requests.byFile[file]?.ok ?? 0).toBe(
          (a.requests.byFile[file]?.ok ?? 0) + (b.requests.byFile[file]?.ok ?? 0),
        );
      expect(report.requests.latency.boot?.count).toBe(
        (a.requests.latency.boot?.count ?? 0) + (b.requests.latency.boot?.count ?? 0),
      );
      // The axis: from the first shard's start to the end of the second.
      expect(report.run.start).toBe(a.run.start);
      const offset = Date.parse(b.run.start) - Date.parse(a.run.start);
      expect(report.run.durationMs).toBe(Math.max(a.run.durationMs, offset + b.run.durationMs));
      const perSecond = Object.values(report.load.perSecondFirstHour).reduce((x, y) => x + y, 0);
      expect(perSecond).toBe(report.requests.total);
      const lastSecond = Math.max(...Object.keys(report.load.perSecondFirstHour).map(Number));
      expect(lastSecond).toBeGreaterThanOrEqual(Math.round(offset / 1000));
      expect(report.run.shards.runs?.map((r) => [r.indexes, r.start, r.emulator.verdict])).toEqual([
        [[0], a.run.start, a.emulator.verdict],
        [[1], b.run.start, b.emulator.verdict],
      ]);
      const text = await autop(['fleet', 'merge', ...parts]);
      expect(text.stdout).toMatch(
        /^shards {7}2 processes, started within .*; times from the earliest start$/m,
      );
    } finally {
      await server.close();
    }
  }, 120_000);
});

/**
 * Starts `autop fleet` as a user would, sends it `signal` once it has printed its first progress line
 * (the run is under way: no timing luck), and gives back what it printed and its exit status.
 */
async function interrupt(
  args: readonly string[],
  signal: NodeJS.Signals = 'SIGINT',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: packageRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const progressed = new Promise<void>((resolve) =>
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/^fleet: .* phones done/m.test(stderr)) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await Promise.race([progressed, exited]);
  child.kill(signal);
  const code = await exited;
  return { code, stdout, stderr };
}

describe('autop fleet, Ctrl-C (issue #15: an interrupted run says so)', () => {
  // The run that hung on Ctrl-C with the old life (a stop() during a round was lost), on both trees.
  it.each([
    ['fixtures/site', 'site'],
    ['fixtures/fleet', 'fleet'],
  ])(
    'ends a real-time life on %s at once: exit 130, phones counted apart, partial report written',
    async (_, fixture) => {
      const out = join(dir, `interrupted-${fixture}.json`);
      const life = [
        ...['fleet', '--seed', '799d0196', '--count', '20', ...MIX, '--tree', join(fixturesDir, fixture)],
        ...['--scenario', 'life', '--for', '1h', '--ramp', '1s', '--boot', '0s'],
      ];
      const { code, stdout, stderr } = await interrupt([...life, '--json', '--json-out', out]);
      expect(code).toBe(130);
      const report = JSON.parse(stdout) as FleetReport;
      expect(report.run.interrupted?.signal).toBe('SIGINT');
      expect(report.run.durationMs).toBeLessThan(3_600_000);
      // A life is over at its end only: every phone (all powered on within the 1 s ramp) was cut short.
      expect(report.phones).toMatchObject({ total: 20, provisioned: 0, failed: 0, interrupted: 20 });
      expect(report.phones.failures).toEqual({});
      expect(report.outcomes.every((o) => o.status === 'interrupted')).toBe(true);
      expect(report.outcomes.some((o) => o.rounds > 0)).toBe(true);
      expect(stderr).toMatch(
        /autop: run interrupted by SIGINT after .*: 20 of 20 phones not finished \(20 interrupted, 0 not started\); 0 of the 0 finished phones failed, within --fail-on any; exit 130/,
      );
      // The --json-out file, checked before the run, holds the same partial report.
      expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(report);
      // Merged, it is still the report of an interrupted run.
      const merged = await autop(['fleet', 'merge', out, '--json']);
      expect(merged.code).toBe(130);
      expect((JSON.parse(merged.stdout) as FleetReport).run.interrupted).toEqual(report.run.interrupted);
    },
    60_000,
  );

  it('counts the phones not yet powered on apart from those interrupted, and not as failed', async () => {
    const { code, stdout } = await interrupt(
      [
        ...['fleet', '--seed', 'ramp', '--count', '20', ...MIX, '--tree', tree],
        ...['--ramp', '1h', '--boot', '0s', '--json', '--fail-on', 'never'],
      ],
      'SIGTERM',
    );
    expect(code).toBe(130);
    const report = JSON.parse(stdout) as FleetReport;
    const stop = report.run.interrupted!;
    expect(stop.signal).toBe('SIGTERM');
    const { interrupted = 0, notStarted = 0 } = report.phones;
    expect(report.phones.total).toBe(20);
    expect(report.phones.provisioned + report.phones.failed + interrupted + notStarted).toBe(20);
    expect(notStarted).toBeGreaterThan(0);
    // A phone is powered on at its instant of the ramp (a draw of the seed and its MAC): none whose
    // instant came after the stop has started, and none started before its instant.
    for (const outcome of report.outcomes) {
      const at = powerOnOffset('ramp', outcome.mac as Mac, 3_600_000);
      if (at > stop.atMs) expect(outcome.status, outcome.mac).toBe('not-started');
      if (outcome.status !== 'not-started') expect(at, outcome.mac).toBeLessThanOrEqual(stop.atMs);
      if (outcome.status === 'not-started') expect(outcome.rounds).toBe(0);
    }
  }, 60_000);
});

describe('autop fleet merge', () => {
  it('adds up three shard reports into the report of the unsharded run', async () => {
    const common = [
      '--count',
      '120',
      ...MIX,
      '--tree',
      tree,
      '--virtual',
      '--seed',
      'm',
      '--scenario',
      'life',
      '--for',
      '2d',
    ];
    const whole = join(dir, 'whole.json');
    expect((await autop(['fleet', ...common, '--json-out', whole])).code).toBe(0);
    const parts = [0, 1, 2].map((i) => join(dir, `shard-${i}.json`));
    for (const [i, part] of parts.entries()) {
      const result = await autop(['fleet', ...common, '--shard', `${i}/3`, '--json-out', part, '--json']);
      expect(result.code).toBe(0);
      expect((JSON.parse(result.stdout) as FleetReport).run.shards).toEqual({ count: 3, indexes: [i] });
    }
    const merged = await autop(['fleet', 'merge', ...parts, '--json']);
    expect(merged.code).toBe(0);
    const strip = (report: FleetReport) => {
      const { emulator: _measured, run, ...rest } = report;
      const { shards: _which, ...sameRun } = run;
      return { run: sameRun, ...rest };
    };
    const mergedReport = JSON.parse(merged.stdout) as FleetReport;
    expect(mergedReport.run.shards).toMatchObject({ count: 3, indexes: [0, 1, 2] });
    expect(strip(mergedReport)).toEqual(strip(JSON.parse(await readFile(whole, 'utf8')) as FleetReport));
  }, 120_000);

  it('refuses reports of different runs (exit 2), and files that are not reports', async () => {
    const a = join(dir, 'seed-a.json');
    const b = join(dir, 'seed-b.json');
    await autop([
      'fleet',
      '--count',
      '10',
      ...MIX,
      '--tree',
      tree,
      '--virtual',
      '--seed',
      'a',
      '--shard',
      '0/2',
      '--json-out',
      a,
    ]);
    await autop([
      'fleet',
      '--count',
      '10',
      ...MIX,
      '--tree',
      tree,
      '--virtual',
      '--seed',
      'b',
      '--shard',
      '1/2',
      '--json-out',
      b,
    ]);
    const mismatch = await autop(['fleet', 'merge', a, b]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/seed/);
    const garbage = await autop(['fleet', 'merge', join(tree, 'site.cfg')]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/not JSON/);
  }, 60_000);
});
