// `autop fleet` and `autop fleet merge` from the command line (issue #8 §1, §4, §6): exit status
// 0 when every phone provisioned, 1 when any failed, 2 for a usage error with a message that says
// what to type; the JSON report; shard reports written with --json-out merged into the unsharded
// run's report; live Prometheus metrics while a run goes on.
import { spawn } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';
import type { FleetReport } from '../../src/fleet/report.js';
import { CLI, runCli, type CliResult } from '../support/cli.js';
import { freePort, tempDir } from '../support/servers.js';

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
    expect(result.stderr).not.toMatch(/autop:/);
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
    [['--count', '5', ...MIX, '--tree', 'fixtures/site', '--shard', '3/3'], /with 3 shards it is 0 to 2/],
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

  it('serves live Prometheus metrics while it runs', async () => {
    const args = ['fleet', '--count', '100', ...MIX, '--tree', tree, '--ramp', '4s', '--boot', '1s'];
    const child = spawn(process.execPath, [CLI, ...args, '--metrics-port', '0', '--json'], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const found = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr);
        if (found) resolve(Number(found[1]));
      });
      child.once('exit', () => reject(new Error(`exited first: ${stderr}`)));
    });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^autop_fleet_\w+/m);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  }, 60_000);
});

describe('autop fleet, Ctrl-C', () => {
  it('ends a real-time life early and still prints the report of what happened', async () => {
    const args = [
      'fleet',
      '--count',
      '20',
      ...MIX,
      '--tree',
      tree,
      '--scenario',
      'life',
      '--for',
      '1h',
      '--ramp',
      '1s',
      '--boot',
      '0s',
      '--json',
    ];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as FleetReport;
    expect(report.phones).toMatchObject({ total: 20, provisioned: 20 });
    expect(report.outcomes.every((o) => o.rounds === 2)).toBe(true);
  }, 30_000);
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
    expect(mergedReport.run.shards).toEqual({ count: 3, indexes: [0, 1, 2] });
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
