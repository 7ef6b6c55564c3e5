// `autop fleet` (issue #8): many phones in one process against one server: a boot storm, a normal
// life in virtual time, a NOTIFY storm or a rollout; a summary for people, the report as JSON and
// HTML, live figures for Prometheus. `autop fleet merge` adds up the reports of `--shard` runs.
// Exit status (issue #15): 0 the run completed (failed phones, if any, within --fail-on), 1 it
// completed with failed phones over --fail-on, 130 it was interrupted (Ctrl-C, SIGTERM: a partial
// report), 2 usage error, 74 a report file could not be written (the report still goes to
// stdout), 70 internal error (a bug).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { durationOf } from '../api/inputs.js';
import { SCENARIO_DEFAULTS, SCENARIOS, scenarioPlan } from '../api/scenarioPlan.js';
import { colourWanted } from '../check/output/colour.js';
import { parseMac } from '../core/mac.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import {
  fleetFromInventory,
  generateFleet,
  parseModelMix,
  type FleetPhone,
} from '../fleet/fleetInventory.js';
import { DEFAULT_FAIL_ON, failOnText, judgeFailures, parseFailOn, type FailOn } from '../fleet/failOn.js';
import { mergeReports } from '../fleet/merge.js';
import { finishedPhones } from '../fleet/phonesSection.js';
import { checkOutputFiles, writeOutputFile, type OutputFile } from '../fleet/outputFiles.js';
import { startMetricsServer } from '../fleet/prometheus.js';
import { createProgress } from '../fleet/progress.js';
import { renderFleetHtml } from '../fleet/render/html.js';
import { renderFleetText } from '../fleet/render/text.js';
import type { FleetReport, LiveStats } from '../fleet/report.js';
import { startFleetRun, type FleetRunOptions, type FleetSource } from '../fleet/runner.js';
import { startHttpServer } from '../server/provisioningServer.js';
import { parseShard, takeShard, type Shard } from '../fleet/shard.js';
import { formatCount, formatDuration } from '../fleet/render/figures.js';
import { EXIT, UsageError } from './usage.js';

export interface FleetOptions {
  inventory?: string;
  count?: string;
  models?: string;
  macBase?: string;
  server?: string;
  tree?: string;
  scenario?: string;
  virtual?: boolean;
  for?: string;
  start?: string;
  ramp?: string;
  boot?: string;
  concurrency?: string;
  seed?: string;
  notifyReboot?: boolean;
  rolloutTree?: string;
  rolloutServer?: string;
  rolloutAt?: string;
  rolloutNotify?: boolean;
  shard?: string;
  ca?: string[];
  json?: boolean;
  jsonOut?: string;
  html?: string;
  metricsPort?: string;
  progress?: boolean;
  discover?: boolean;
  interface?: string;
  pnpTimeout?: string;
  dhcpTimeout?: string;
  metricsHost?: string;
  metricsLinger?: string;
  failOn?: string;
}

export interface FleetMergeOptions {
  json?: boolean;
  jsonOut?: string;
  html?: string;
  failOn?: string;
}

export const FLEET_DEFAULTS = {
  ramp: SCENARIO_DEFAULTS.ramp,
  boot: SCENARIO_DEFAULTS.boot,
  concurrency: String(SCENARIO_DEFAULTS.concurrency),
  failOn: DEFAULT_FAIL_ON,
  /** Longer than the usual scrape intervals (15 s, 30 s): the last scrape sees the final figures. */
  metricsLinger: '30s',
} as const;

/**
 * Exit status of `autop fleet` and `autop fleet merge`. "Completed" means the run went to its end and
 * its report was made: failed phones are a finding of the run, not a failure of it.
 */
export const FLEET_EXIT = {
  /** Completed; failed phones, if any, within --fail-on. */
  completed: EXIT.ok,
  /** Completed, with failed phones over --fail-on (default: any failed phone). */
  failedOverThreshold: EXIT.couldNotRun,
  /** Usage error, before any phone started: nothing ran. */
  usage: EXIT.usage,
  /** A bug (uncaught error): see the message. */
  internal: 70,
  /** Completed, but a report file (--json-out, --html) could not be written; stdout has the report. */
  cannotWrite: 74,
  /**
   * Interrupted (Ctrl-C, SIGTERM; for `fleet merge`, any shard was): the report covers what happened
   * until then, phones not finished counted apart; 128 + SIGINT, as shells report a Ctrl-C.
   */
  interrupted: 130,
} as const;

/** A seed of 8 hex digits for a run without --seed: shown, so that the run can be repeated. */
export function generateSeed(): string {
  return randomBytes(4).toString('hex');
}

function positiveInteger(flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max)
    throw new UsageError(`${flag} ${text}: give a whole number from 1 to ${max}`);
  return n;
}

/** The whole inventory, before any shard is taken (so MACs and draws equal the unsharded run's). */
async function inventoryOf(options: FleetOptions, seed: string): Promise<FleetPhone[]> {
  const catalogue = loadModelCatalogue();
  if (options.inventory !== undefined && options.count !== undefined)
    throw new UsageError('give either --inventory FILE or --count N --models MIX, not both');
  if (options.inventory !== undefined) {
    if (options.models !== undefined || options.macBase !== undefined)
      throw new UsageError('--models and --mac-base go with --count; the inventory names its phones');
    const { phones, problems } = await fleetFromInventory(options.inventory, catalogue);
    for (const problem of problems) process.stderr.write(`autop: ${problem} (phone left out)\n`);
    if (phones.length === 0) throw new UsageError(`--inventory ${options.inventory}: no phone to run`);
    return phones;
  }
  if (options.count === undefined)
    throw new UsageError('say which phones: --inventory FILE, or --count N --models T46U:70%,T23G:30%');
  const count = positiveInteger('--count', options.count);
  if (options.models === undefined)
    throw new UsageError('--count needs --models, the model mix, e.g. --models T46U:70%,T23G:30%');
  const mix = parseModelMix(options.models, catalogue);
  let macBase;
  if (options.macBase !== undefined) {
    const parsed = parseMac(options.macBase);
    if (!parsed.ok) throw new UsageError(`--mac-base: ${parsed.message}`);
    macBase = parsed.mac;
  }
  return generateFleet({ count, mix, seed, ...(macBase && { macBase }) }, catalogue);
}

/** Checks the command line and builds the run; every mistake is a UsageError (exit 2). */
export async function fleetRunOptions(options: FleetOptions): Promise<FleetRunOptions> {
  // Shards must draw one fleet: a seed of their own each would give each pod other MACs.
  if (options.shard !== undefined && options.seed === undefined)
    throw new UsageError(
      '--shard needs --seed: every shard draws the whole fleet from it and keeps its slice (e.g. --seed storm-1)',
    );
  const seed = options.seed ?? generateSeed();
  // What the scenario is, where from and when: checked as `simulate` checks it (issue #17).
  const { source: given, ...plan } = scenarioPlan(options);
  if (options.discover && given)
    throw new UsageError('--discover finds the server for each phone: leave out --server and --tree');
  const main: FleetSource | undefined = options.discover
    ? {
        kind: 'discover',
        discover: {
          ...(options.interface !== undefined && { interfaceName: options.interface }),
          pnpTimeoutMs: durationOf('--pnp-timeout', options.pnpTimeout ?? '5s'),
          dhcpTimeoutMs: durationOf('--dhcp-timeout', options.dhcpTimeout ?? '5s'),
        },
      }
    : given;
  if (!main)
    throw new UsageError('say where the phones provision from: --server URL, --tree DIR or --discover');
  if (options.discover && options.virtual)
    throw new UsageError('--discover asks the real network: it runs in real time, without --virtual');
  const virtual = options.virtual ?? false;
  if (plan.start !== undefined && !virtual)
    throw new UsageError('--start sets the virtual clock: it needs --virtual');
  const concurrency = positiveInteger(
    '--concurrency',
    options.concurrency ?? FLEET_DEFAULTS.concurrency,
    100_000,
  );
  const shard: Shard | undefined = options.shard !== undefined ? parseShard(options.shard) : undefined;

  const everyone = await inventoryOf(options, seed);
  const phones = shard ? takeShard(everyone, shard) : everyone;
  return {
    ...plan,
    phones,
    inventory: everyone.length,
    ...(shard && { shard }),
    seed,
    source: main,
    time: virtual ? 'virtual' : 'real',
    concurrency,
    ...(options.notifyReboot && { notifyReboot: true }),
    ...(options.ca && { caFiles: options.ca }),
  };
}

/** The files the report goes to, checked before any phone starts (a usage error otherwise). */
async function outputFiles(options: FleetMergeOptions): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  if (options.jsonOut !== undefined) files.push({ flag: '--json-out', path: options.jsonOut });
  if (options.html !== undefined) files.push({ flag: '--html', path: options.html });
  await checkOutputFiles(files);
  return files;
}

/**
 * The report to the files asked for (atomically) and to stdout (text or JSON); the exit status from
 * --fail-on. A file that cannot be written after all (a full disk) is said on stderr, and the report
 * still goes to stdout, so that the run is not lost.
 */
async function output(
  report: FleetReport,
  options: FleetMergeOptions,
  files: readonly OutputFile[],
  failOn: FailOn,
): Promise<number> {
  const json = JSON.stringify(report, null, 2) + '\n';
  let unwritten = false;
  for (const file of files) {
    try {
      await writeOutputFile(file, file.flag === '--html' ? renderFleetHtml(report) : json);
    } catch (e) {
      unwritten = true;
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      process.stderr.write(`autop: ${file.flag} ${file.path}: could not write the report (${code})\n`);
    }
  }
  process.stdout.write(options.json ? json : renderFleetText(report, { color: colourWanted() }) + '\n');
  // --fail-on judges the phones whose part was over: an interrupted phone has not failed.
  const finished = finishedPhones(report.phones);
  const verdict = judgeFailures(finished, failOn);
  const stopped = interruptedText(report);
  if (stopped) {
    const judged = `${formatCount(finished.failed)} of the ${formatCount(finished.total)} finished phones failed, ${verdict.overThreshold ? 'over' : 'within'} --fail-on ${failOnText(failOn)}`;
    process.stderr.write(`autop: ${stopped}; ${judged}; exit ${FLEET_EXIT.interrupted}\n`);
  } else {
    process.stderr.write(`autop: ${verdict.text}\n`);
  }
  if (unwritten) return FLEET_EXIT.cannotWrite;
  if (stopped) return FLEET_EXIT.interrupted;
  return verdict.overThreshold ? FLEET_EXIT.failedOverThreshold : FLEET_EXIT.completed;
}

/** `run interrupted by SIGINT after 3.2s: 38 of 50 phones not finished (...)`; '' for a run that ended. */
function interruptedText(report: FleetReport): string {
  const shard = report.run.shards.runs?.find((r) => r.interrupted);
  const stopped = report.run.interrupted ?? shard?.interrupted;
  if (!stopped) return '';
  const { total, interrupted = 0, notStarted = 0 } = report.phones;
  const where = report.run.interrupted ? '' : ` (shard ${shard!.indexes.join(', ')})`;
  return `run interrupted by ${stopped.signal} after ${formatDuration(stopped.atMs)}${where}: ${formatCount(interrupted + notStarted)} of ${formatCount(total)} phones not finished (${formatCount(interrupted)} interrupted, ${formatCount(notStarted)} not started)`;
}

/** `--tree` in real time: the tree served over HTTP by this process, as the phones fetch it. */
interface ServedTree {
  readonly source: FleetSource;
  readonly tree?: string;
  close(): Promise<void>;
}

/**
 * In real time the phones fetch a --tree over an embedded HTTP server on 127.0.0.1: started here,
 * so that the report names the address the phones really used (not the tree's file:// URL), with
 * the tree beside it. In virtual time the tree is read in-process, and its file URL is the address.
 */
async function serveTree(source: FleetSource, time: 'real' | 'virtual'): Promise<ServedTree> {
  if (source.kind !== 'tree') return { source, close: () => Promise.resolve() };
  const tree = pathToFileURL(resolve(source.dir) + '/').href;
  if (time === 'virtual') return { source, tree, close: () => Promise.resolve() };
  const http = await startHttpServer({ root: source.dir, port: 0 });
  return { source: { kind: 'server', url: http.url }, tree, close: () => http.close() };
}

function parseMetricsPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new UsageError(`--metrics-port ${text}: a TCP port (0 picks a free one)`);
  return port;
}

/** Waits `ms`, or less when Ctrl-C (or SIGTERM) comes first. */
function linger(ms: number): Promise<void> {
  return new Promise((done) => {
    const end = () => {
      clearTimeout(timer);
      process.off('SIGINT', end);
      process.off('SIGTERM', end);
      done();
    };
    const timer = setTimeout(end, ms);
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}

export async function fleetCommand(options: FleetOptions): Promise<number> {
  const runOptions = await fleetRunOptions(options);
  const failOn = parseFailOn(options.failOn ?? FLEET_DEFAULTS.failOn);
  const metricsPort = parseMetricsPort(options.metricsPort);
  const lingerMs = durationOf('--metrics-linger', options.metricsLinger ?? FLEET_DEFAULTS.metricsLinger);
  if (options.metricsLinger !== undefined && metricsPort === undefined)
    throw new UsageError('--metrics-linger goes with --metrics-port');
  if (runOptions.phones.length === 0) {
    throw new UsageError(
      `--shard ${options.shard}: none of the ${runOptions.inventory} phones falls in this shard; use fewer shards`,
    );
  }
  // Before any phone starts: a report that cannot be saved is a usage error, not a lost storm.
  const files = await outputFiles(options);
  if (options.seed === undefined)
    process.stderr.write(`autop: seed ${runOptions.seed} (--seed ${runOptions.seed} repeats this run)\n`);

  // The metrics server first: a port in use is a usage error before any phone has started.
  let live: () => LiveStats = () => {
    throw new Error('no run yet');
  };
  const metrics =
    metricsPort !== undefined
      ? await startMetricsServer({
          port: metricsPort,
          ...(options.metricsHost !== undefined && { host: options.metricsHost }),
          live: () => live(),
        }).catch((error: unknown) => {
          throw new UsageError(error instanceof Error ? error.message : String(error));
        })
      : undefined;
  const served: ServedTree[] = [];
  let report: FleetReport;
  try {
    const main = await serveTree(runOptions.source, runOptions.time);
    served.push(main);
    const b = runOptions.rolloutSource && (await serveTree(runOptions.rolloutSource, runOptions.time));
    if (b) served.push(b);
    const run = startFleetRun({
      ...runOptions,
      source: main.source,
      ...(b && { rolloutSource: b.source }),
    });
    live = () => run.live();
    if (metrics)
      process.stderr.write(`autop: Prometheus metrics on http://127.0.0.1:${metrics.port}/metrics\n`);
    const progress =
      options.progress !== false
        ? createProgress({
            total: runOptions.phones.length,
            stream: process.stderr,
            tty: process.stderr.isTTY === true,
            live: () => run.live(),
            ...(runOptions.forMs !== undefined && { durationMs: runOptions.forMs }),
          })
        : undefined;
    progress?.start();
    // Ctrl-C ends the run early: rounds under way finish, and the report covers what happened (a
    // second Ctrl-C, with no handler left, ends the process at once).
    const onInterrupt = () => run.stop('SIGINT');
    const onTerminate = () => run.stop('SIGTERM');
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onTerminate);
    try {
      report = await run.report;
    } finally {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      progress?.stop();
    }
    if (main.tree !== undefined) report = { ...report, run: { ...report.run, tree: main.tree } };
  } catch (e) {
    await metrics?.close();
    throw e;
  } finally {
    for (const tree of served) await tree.close().catch(() => undefined);
  }
  const code = await output(report, options, files, failOn);
  if (metrics) {
    // The endpoint outlives the run, so the last scrape sees the final figures.
    if (lingerMs > 0) {
      process.stderr.write(
        `autop: metrics stay up ${formatLinger(lingerMs)} for a last scrape (--metrics-linger; Ctrl-C ends it)\n`,
      );
      await linger(lingerMs);
    }
    await metrics.close();
  }
  return code;
}

function formatLinger(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms} ms`;
}

export async function fleetMergeCommand(
  files: readonly string[],
  options: FleetMergeOptions,
): Promise<number> {
  if (files.length === 0) throw new UsageError('autop fleet merge: give the JSON report of each shard');
  const failOn = parseFailOn(options.failOn ?? FLEET_DEFAULTS.failOn);
  const outputs = await outputFiles(options);
  const reports = await Promise.all(
    files.map(async (file) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      try {
        return JSON.parse(text) as FleetReport;
      } catch {
        throw new UsageError(`${file}: not JSON; give the reports written with autop fleet --json-out FILE`);
      }
    }),
  );
  let merged: FleetReport;
  try {
    merged = mergeReports(reports);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  return output(merged, options, outputs, failOn);
}

const FAIL_ON_HELP =
  'when failed phones fail the run (exit 1): any (default), never, failed>N phones, failed>N% of the phones';

const EXIT_HELP = `Exit status: 0 the run completed (failed phones within --fail-on), 1 it completed with failed
phones over --fail-on, 130 it was interrupted (Ctrl-C, SIGTERM; for merge: a shard was): the report
covers what happened until then, unfinished phones counted apart and --fail-on judging the finished
ones, 2 usage error (nothing ran; output files are checked before any phone starts), 74 a report
file could not be written (the report still went to stdout), 70 internal error.`;

type Action = (...args: never[]) => Promise<number>;

function run<A extends Action>(action: A) {
  return async (...args: Parameters<A>): Promise<void> => {
    process.exitCode = await action(...args);
  };
}

/** Adds `autop fleet` and `autop fleet merge` to the program. */
export function registerFleetCommands(program: Command): Command {
  const fleet = program
    .command('fleet')
    .description('many phones in one process: a boot storm, a virtual life, a NOTIFY storm or a rollout')
    .option('--inventory <file>', 'the phones: CSV (mac,model[,firmware][,state][,name]) or JSON')
    .option('--count <n>', 'or N generated phones (with --models)')
    .option('--models <mix>', 'the model mix of --count, e.g. T46U:70%,T23G:30%')
    .option('--mac-base <mac>', 'MACs of --count from this one up (default: drawn from the seed in 00:15:65)')
    .option('--server <url>', 'a provisioning server of yours (user info is never shown)')
    .option(
      '--tree <dir>',
      'a tree on disk: served by an embedded HTTP server on 127.0.0.1 (real time), read in-process (--virtual)',
    )
    .addOption(
      new Option(
        '--scenario <name>',
        'default: rollout with --rollout-tree/--rollout-server, life with --for, else boot-storm',
      ).choices(SCENARIOS),
    )
    .option(
      '--virtual',
      'virtual time: the clock jumps from event to event and stands still during transfers',
    )
    .option('--for <duration>', 'how long a life or rollout lasts: 7d, 12h, 90m')
    .option('--start <time>', 'virtual start time, ISO 8601 (default 2026-01-05T00:00:00Z, a Monday)')
    .option(
      '--ramp <duration>',
      'every phone is powered on at a seeded instant within this',
      FLEET_DEFAULTS.ramp,
    )
    .option(
      '--boot <duration>',
      'how long a boot takes, power-on (or reboot) to the first round',
      FLEET_DEFAULTS.boot,
    )
    .option(
      '--concurrency <n>',
      'transfers (and NOTIFY transactions) at once, all phones together',
      FLEET_DEFAULTS.concurrency,
    )
    .option(
      '--seed <text>',
      'seed of every draw: MACs, models, power-on instants, schedules (default: a new one, shown; needed with --shard)',
    )
    .option('--notify-reboot', 'NOTIFYs say Event: check-sync;reboot=true')
    .option('--rollout-tree <dir>', 'rollout: tree B, served at the same address from --rollout-at on')
    .option('--rollout-server <url>', 'rollout: or a server B whose files replace those of --server')
    .option('--rollout-at <duration>', 'rollout: when B replaces A, from the start (e.g. 1d)')
    .option('--rollout-notify', 'rollout: also send every phone a check-sync NOTIFY at that moment')
    .option('--shard <i/n>', 'run shard I of N (from 0): a disjoint slice of the inventory by MAC')
    .option(
      '--discover',
      'each phone finds its server at boot as the firmware does (S1: PnP, DHCP, flash), one phone at a time',
    )
    .option('--interface <name>', '--discover: the interface for DHCPv6')
    .option('--pnp-timeout <duration>', '--discover: how long to wait for a PnP NOTIFY', '5s')
    .option('--dhcp-timeout <duration>', '--discover: how long to wait for DHCP answers', '5s')
    .option('--ca <file...>', 'extra trusted CA certificates (PEM) for an HTTPS server')
    .option('--json', 'print the report as JSON instead of the summary')
    .option('--json-out <file>', 'also write the report as JSON (what autop fleet merge reads)')
    .option('--html <file>', 'also write the report as a self-contained HTML page')
    .option('--metrics-port <port>', 'serve live Prometheus metrics on 127.0.0.1:PORT/metrics while running')
    .option(
      '--metrics-host <address>',
      'address for --metrics-port (0.0.0.0 in a pod to be scraped)',
      '127.0.0.1',
    )
    .option(
      '--metrics-linger <duration>',
      `with --metrics-port: how long the endpoint stays up after the run, for a last scrape (default ${FLEET_DEFAULTS.metricsLinger}; 0 for none)`,
    )
    .option('--fail-on <threshold>', FAIL_ON_HELP)
    .option('--no-progress', 'no progress on stderr')
    .addHelpText(
      'after',
      `
NOTIFY storms: in real time over UDP SIP to one endpoint on 127.0.0.1 where each phone is the user
sip:<mac>@127.0.0.1:PORT (responses sent by the shared user agent server); in virtual time handed to
each phone in-process.

${EXIT_HELP}`,
    )
    .action(run(fleetCommand));

  fleet
    .command('merge')
    .description('add up the JSON reports of --shard runs into the report of the whole run')
    .argument('<reports...>', 'the JSON report of each shard (autop fleet --json-out FILE)')
    .option('--json', 'print the merged report as JSON instead of the summary')
    .option('--json-out <file>', 'also write the merged report as JSON')
    .option('--html <file>', 'also write the merged report as HTML')
    .option('--fail-on <threshold>', FAIL_ON_HELP)
    .addHelpText('after', `\n${EXIT_HELP}`)
    // `fleet merge A B --json`: commander gives --json, --json-out and --html to `fleet`, which has
    // them too, unless the program parses positionally; merge takes them from either.
    .action((files: string[], _options: FleetMergeOptions, command: Command) =>
      run(fleetMergeCommand)(files, command.optsWithGlobals<FleetMergeOptions>()),
    );
  return fleet;
}
