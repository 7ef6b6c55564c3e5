// A fleet scenario's options, checked once for `simulate` and `autop fleet` (issue #17: the CLI and
// the library say the same thing about the same mistake): which scenario, where the phones provision
// from, and its times. Not part of the public entry: its types reach the fleet's internals.
import { parseServerUrl } from '../engine/serverUrl.js';
import { UsageError } from '../core/usageError.js';
import type { Scenario } from '../fleet/report.js';
import type { FleetSource } from '../fleet/runner.js';
import type { ScenarioTimes } from '../fleet/scenarios.js';
import { durationOf, treeFolder } from './inputs.js';

export const SCENARIOS: readonly Scenario[] = ['boot-storm', 'life', 'notify-storm', 'rollout'];

/** The defaults of a scenario, the CLI's and the library's. */
export const SCENARIO_DEFAULTS = { ramp: '1m', boot: '5s', concurrency: 64 } as const;

/** The options of a scenario, the same for `simulate` and `autop fleet` (whose flags they are). */
export interface ScenarioOptions {
  readonly scenario?: string;
  readonly tree?: string;
  readonly server?: string;
  readonly for?: string;
  readonly start?: string;
  readonly ramp?: string;
  readonly boot?: string;
  readonly rolloutTree?: string;
  readonly rolloutServer?: string;
  readonly rolloutAt?: string;
  readonly rolloutNotify?: boolean;
}

/** A scenario's options, checked: what the run is, where from, and its times. */
export interface ScenarioPlan extends ScenarioTimes {
  readonly scenario: Scenario;
  /** The tree or server given (none: `autop fleet --discover` finds one per phone). */
  readonly source?: FleetSource;
  readonly rolloutSource?: FleetSource;
  /** The virtual clock's start (epoch ms), when given. */
  readonly start?: number;
}

/** Checks a scenario's options, the CLI's and the library's alike; each mistake is a UsageError. */
export function scenarioPlan(options: ScenarioOptions): ScenarioPlan {
  const scenario = scenarioOf(options);
  const source = sourceOf('--server', options.server, '--tree', options.tree);
  const rollout = sourceOf('--rollout-server', options.rolloutServer, '--rollout-tree', options.rolloutTree);
  const forMs = options.for !== undefined ? durationOf('--for', options.for) : undefined;
  if ((scenario === 'life' || scenario === 'rollout') && forMs === undefined)
    throw new UsageError(`--scenario ${scenario} needs --for DURATION (for example --for 7d)`);
  if ((scenario === 'boot-storm' || scenario === 'notify-storm') && forMs !== undefined)
    throw new UsageError(
      `--for is for --scenario life or rollout; a ${scenario} ends when every phone is done`,
    );
  let rolloutAtMs: number | undefined;
  if (scenario === 'rollout') {
    if (!rollout)
      throw new UsageError('--scenario rollout needs tree B: --rollout-tree DIR or --rollout-server URL');
    if (options.rolloutAt === undefined)
      throw new UsageError('--scenario rollout needs --rollout-at, e.g. --rollout-at 1d');
    rolloutAtMs = durationOf('--rollout-at', options.rolloutAt);
    if (forMs !== undefined && rolloutAtMs >= forMs)
      throw new UsageError(
        `--rollout-at ${options.rolloutAt} is not before the end of the run (--for ${options.for})`,
      );
  } else if (rollout || options.rolloutAt !== undefined || options.rolloutNotify) {
    throw new UsageError(
      '--rollout-tree, --rollout-server, --rollout-at and --rollout-notify go with --scenario rollout',
    );
  }
  const start = options.start !== undefined ? Date.parse(options.start) : undefined;
  if (start !== undefined && Number.isNaN(start))
    throw new UsageError(`--start ${options.start}: write an ISO 8601 time such as 2026-01-05T00:00:00Z`);
  return {
    scenario,
    ...(source && { source }),
    ...(rollout && { rolloutSource: rollout }),
    ...(start !== undefined && { start }),
    rampMs: durationOf('--ramp', options.ramp ?? SCENARIO_DEFAULTS.ramp),
    bootMs: durationOf('--boot', options.boot ?? SCENARIO_DEFAULTS.boot),
    ...(forMs !== undefined && { forMs }),
    ...(rolloutAtMs !== undefined && { rolloutAtMs }),
    ...(options.rolloutNotify && { rolloutNotify: true }),
  };
}

function sourceOf(
  serverName: string,
  server: string | undefined,
  treeName: string,
  tree: string | undefined,
): FleetSource | undefined {
  if (server !== undefined && tree !== undefined)
    throw new UsageError(`give either ${treeName} DIR or ${serverName} URL, not both`);
  if (tree !== undefined) return { kind: 'tree', dir: treeFolder(tree, treeName) };
  if (server !== undefined) {
    if (typeof server !== 'string' || server.trim() === '')
      throw new UsageError(`${serverName}: give the server's URL`);
    const parsed = parseServerUrl(server);
    if (!parsed.ok) throw new UsageError(`${serverName}: ${parsed.message}`);
    return { kind: 'server', url: server };
  }
  return undefined;
}

function scenarioOf(options: ScenarioOptions): Scenario {
  if (options.scenario !== undefined) {
    const found = SCENARIOS.find((s) => s === options.scenario);
    if (!found)
      throw new UsageError(`--scenario ${String(options.scenario)}: choose ${SCENARIOS.join(', ')}`);
    return found;
  }
  if (options.rolloutTree !== undefined || options.rolloutServer !== undefined) return 'rollout';
  if (options.for !== undefined) return 'life';
  return 'boot-storm';
}
