// Issue #15: the README's fleet examples give a newcomer phones with a life, not a run of 404s.
// Every `npx autop fleet` line of README.md's fleet section, and the shard Job of
// deploy/k8s/fleet-job.yaml, is run as written but at a small count (a server of ours standing for
// http://prov.example/, short ramps in real time, files in a temporary folder): every phone
// provisions, no file the boot file names is missing (the only "not found" is each phone's own
// <mac>.boot, asked for first as spec B1 says), and a week shows rounds, reboots and upgrades.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';
import type { FleetReport } from '../../src/fleet/report.js';
import { startHttpServer } from '../../src/server/provisioningServer.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/servers.js';

const { loadAll } = createRequire(import.meta.url)('js-yaml') as { loadAll: (text: string) => unknown[] };

/** The `npx autop fleet …` commands of the README's fleet section, continuation lines joined. */
function readmeFleetExamples(): string[][] {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## Thousands of phones: `autop fleet`');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const commands: string[][] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s#.*$/, '').trim();
      if (command.startsWith('npx autop fleet ')) commands.push(command.split(/\s+/).slice(2));
    }
  }
  return commands;
}

function flagValue(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function setFlag(args: string[], name: string, value: string): void {
  const at = args.indexOf(name);
  if (at >= 0) args[at + 1] = value;
  else args.push(name, value);
}

/** The example at a small count, against our server, writing into `out` (the report: its own --json-out, else `reportFile`). */
function small(example: readonly string[], server: string, out: string, reportFile: string): string[] {
  const args = [...example];
  const count = flagValue(args, '--count');
  if (count !== undefined) setFlag(args, '--count', String(Math.min(Number(count), 24)));
  if (flagValue(args, '--server') !== undefined) setFlag(args, '--server', server);
  for (const file of ['--html', '--json-out']) {
    const path = flagValue(args, file);
    if (path !== undefined) setFlag(args, file, join(out, basename(path)));
  }
  if (flagValue(args, '--metrics-port') !== undefined) {
    setFlag(args, '--metrics-port', '0');
    setFlag(args, '--metrics-linger', '0s');
  }
  if (!args.includes('--virtual')) {
    setFlag(args, '--ramp', '1s');
    setFlag(args, '--boot', '0s');
  }
  if (flagValue(args, '--json-out') === undefined) args.push('--json-out', reportFile);
  args.push('--no-progress');
  return args;
}

/** No file missing but each phone's own boot file (B1), no transfer failed, every phone provisioned. */
function expectProvisionedWithoutMissingFiles(report: FleetReport): void {
  expect(report.phones.total).toBeGreaterThan(0);
  expect(report.phones).toMatchObject({ failed: 0, provisioned: report.phones.total });
  expect(Object.keys(report.requests.byStatus).filter((s) => s !== 'ok' && s !== 'not-found')).toEqual([]);
  const missing = Object.entries(report.requests.byFile)
    .filter(([, statuses]) => statuses['not-found'] !== undefined)
    .map(([file]) => file);
  expect(missing.filter((file) => !/^\/[0-9a-f]{12}\.boot$/.test(file))).toEqual([]);
  expect(report.requests.byFile['/y000000000000.boot']?.ok).toBeGreaterThanOrEqual(report.phones.total);
  expect(report.requests.byFile['/fleet.cfg']?.ok).toBeGreaterThanOrEqual(report.phones.total);
  // The VLAN needs a reboot: every phone rebooted at least once.
  expect(report.phones.reboots).toBeGreaterThanOrEqual(report.phones.total);
}

const rounds = (report: FleetReport): number => report.outcomes.reduce((sum, o) => sum + o.rounds, 0);

describe("issue #15: the README's fleet examples, at small counts", () => {
  let server: { url: string; close(): Promise<void> };
  let out: string;
  beforeAll(async () => {
    server = await startHttpServer({ root: join(fixturesDir, 'fleet'), port: 0 });
    out = await tempDir('readme-fleet');
  });
  afterAll(async () => {
    await server.close();
  });

  const examples = readmeFleetExamples();

  it('finds the examples, every one on the fleet fixture or a server', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const example of examples) {
      const tree = flagValue(example, '--tree');
      if (tree !== undefined) expect(tree).toBe('fixtures/fleet');
      else expect(flagValue(example, '--server')).toBeDefined();
    }
  });

  examples.forEach((example, i) => {
    it(`npx autop ${example.join(' ')}`, async () => {
      const own = flagValue(example, '--json-out');
      const reportFile = own !== undefined ? join(out, basename(own)) : join(out, `example-${i}.json`);
      const result = await runCli(small(example, server.url, out, reportFile), { timeoutMs: 90_000 });
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.code).toBe(0);
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport;
      expectProvisionedWithoutMissingFiles(report);
      const phones = report.phones.total;
      if (report.run.scenario === 'life') {
        // A week: the power-on round, the one after the reboot, then the schedule's rounds.
        expect(rounds(report) / phones).toBeGreaterThanOrEqual(7);
        expect(report.phones.byModel.T46U?.upgrades).toBe(report.phones.byModel.T46U?.total);
      }
      if (report.run.scenario === 'rollout') {
        // Tree B's VLAN reboots every phone once more; its firmware upgrades every T23G.
        expect(report.phones.reboots).toBeGreaterThanOrEqual(2 * phones);
        expect(report.phones.byModel.T23G?.upgrades).toBe(report.phones.byModel.T23G?.total);
      }
      if (report.run.scenario === 'notify-storm') expect(rounds(report)).toBeGreaterThanOrEqual(3 * phones);
      for (const file of ['--html', '--json-out'])
        if (flagValue(example, file) !== undefined)
          expect(
            (await readFile(join(out, basename(flagValue(example, file)!)), 'utf8')).length,
          ).toBeGreaterThan(0);
    }, 120_000);
  });

  it('the Indexed Job of deploy/k8s/fleet-job.yaml: every shard, then the merge', async () => {
    const job = (
      loadAll(readFileSync(join(packageRoot, 'deploy/k8s/fleet-job.yaml'), 'utf8')) as {
        kind?: string;
        spec: { completions: number; template: { spec: { containers: { args: string[] }[] } } };
      }[]
    ).find((m) => m?.kind === 'Job')!;
    const args = job.spec.template.spec.containers[0]!.args;
    const shards: string[] = [];
    for (let index = 0; index < job.spec.completions; index++) {
      const file = join(out, `shard-${index}.json`);
      const shardArgs = args.map((a) =>
        a.replaceAll('$(JOB_COMPLETION_INDEX)', String(index)).replace(/^\/results\//, `${out}/`),
      );
      const result = await runCli(small(shardArgs, server.url, out, file), { timeoutMs: 90_000 });
      expect(result.code).toBe(0);
      expect(flagValue(shardArgs, '--json-out')).toBe(file);
      shards.push(file);
    }
    const merged = await runCli(['fleet', 'merge', ...shards, '--json'], { timeoutMs: 30_000 });
    expect(merged.code).toBe(0);
    const report = JSON.parse(merged.stdout) as FleetReport;
    expect(report.phones.total).toBe(24);
    expectProvisionedWithoutMissingFiles(report);
  }, 180_000);
});
