// `simulate`: a fleet's life in virtual time (issue #17, issue #8): phones from an inventory or
// drawn from a model mix, a boot storm, a normal life, a NOTIFY storm or a rollout, the clock
// jumping from event to event; the report `autop fleet --virtual --json` prints. Virtual time only:
// a week of a thousand phones runs in seconds, and the same seed gives the same report (but for its
// measured `emulator` section).
import { randomBytes } from 'node:crypto';
import { parseMac, type Mac } from '../core/mac.js';
import { UsageError } from '../core/usageError.js';
import { fleetDocument } from '../fleet/fleetJson.js';
import {
  fleetFromInventory,
  fleetFromRows,
  generateFleet,
  parseModelMix,
  type FleetPhone,
} from '../fleet/fleetInventory.js';
import type { FleetReport, Scenario } from '../fleet/report.js';
import { runFleet } from '../fleet/runner.js';
import { AutopError, guarded } from './errors.js';
import { caFilesOf, catalogues, type InventoryInput } from './inputs.js';
import { SCENARIO_DEFAULTS, scenarioPlan } from './scenarioPlan.js';

export interface SimulateOptions {
  /** The tree the phones provision from, read in-process. Give this or `server`. */
  readonly tree?: string;
  /** Or a provisioning server of yours (the virtual clock stands still during transfers). */
  readonly server?: string;
  /** The phones: an inventory (a CSV or JSON file, or its rows), as for `check`. Or `count` and `models`. */
  readonly phones?: InventoryInput;
  /** This many phones, drawn from the seed (with `models`). */
  readonly count?: number;
  /** The model mix of `count`: `'T46U:70%,T23G:30%'`, or `{ T46U: 70, T23G: 30 }` (percent). */
  readonly models?: string | Readonly<Record<string, number>>;
  /** The MACs of `count` from this one up (default: drawn from the seed in Yealink's 00:15:65). */
  readonly macBase?: string;
  /** Default: `rollout` with a rollout tree or server, `life` with `for`, else `boot-storm`. */
  readonly scenario?: Scenario;
  /** How long a life or rollout lasts: `'7d'`, `'12h'`, `'90m'`. */
  readonly for?: string;
  /** The virtual clock's start, ISO 8601 (default 2026-01-05T00:00:00Z, a Monday). */
  readonly start?: string;
  /** Every phone is powered on at a seeded instant within this (default `'1m'`). */
  readonly ramp?: string;
  /** How long a boot takes, power-on (or reboot) to the first round (default `'5s'`). */
  readonly boot?: string;
  /** Transfers (and NOTIFYs) at once, all phones together (default 64). */
  readonly concurrency?: number;
  /** The seed of every draw: MACs, models, power-on instants, schedules (default: a new one, in `run.seed`). */
  readonly seed?: string;
  /** NOTIFYs say `Event: check-sync;reboot=true`. */
  readonly notifyReboot?: boolean;
  /** rollout: tree B, served at the same address from `rolloutAt` on. */
  readonly rolloutTree?: string;
  /** rollout: or a server B whose files replace those of `server`. */
  readonly rolloutServer?: string;
  /** rollout: when B replaces A, from the start (`'1d'`). */
  readonly rolloutAt?: string;
  /** rollout: also send every phone a check-sync NOTIFY at that moment. */
  readonly rolloutNotify?: boolean;
  /** Extra trusted CA certificates (PEM files) for an HTTPS server. */
  readonly ca?: readonly string[];
  /**
   * Rows of the inventory that cannot be used: without this, an AutopError (`inventory`) listing
   * them; with it, each is handed here and the phone is left out, as `autop fleet` does on stderr.
   */
  readonly onInventoryProblem?: (message: string) => void;
}

function wholeNumber(flag: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max)
    throw new UsageError(`${flag} ${String(value)}: give a whole number from 1 to ${max}`);
  return value;
}

function mixText(models: SimulateOptions['models']): string {
  if (typeof models === 'string') return models;
  if (typeof models !== 'object' || models === null)
    throw new UsageError('--count needs --models, the model mix, e.g. --models T46U:70%,T23G:30%');
  return Object.entries(models)
    .map(([model, percent]) => `${model}:${String(percent)}%`)
    .join(',');
}

async function phonesOf(options: SimulateOptions, seed: string): Promise<FleetPhone[]> {
  const catalogue = catalogues().models;
  if (options.phones !== undefined && options.count !== undefined)
    throw new UsageError('give either phones (an inventory) or count and models, not both');
  if (options.phones !== undefined) {
    if (options.models !== undefined || options.macBase !== undefined)
      throw new UsageError('models and macBase go with count; the inventory names its phones');
    const inventory = options.phones;
    let read: { phones: FleetPhone[]; problems: string[] };
    if (typeof inventory === 'string') read = await fleetFromInventory(inventory, catalogue);
    else if (Array.isArray(inventory)) read = await fleetFromRows(inventory, process.cwd(), catalogue);
    else throw new UsageError('phones: give a CSV or JSON file, or an array of { mac, model } rows');
    if (read.problems.length > 0 && !options.onInventoryProblem)
      throw new AutopError(
        'inventory',
        `${read.problems.length} ${read.problems.length === 1 ? 'row' : 'rows'} of the inventory cannot be used: ${read.problems.join('; ')}`,
        { problems: read.problems },
      );
    for (const problem of read.problems) options.onInventoryProblem?.(`${problem} (phone left out)`);
    if (read.phones.length === 0) throw new UsageError('phones: no phone to run');
    return read.phones;
  }
  if (options.count === undefined)
    throw new UsageError('say which phones: phones (an inventory), or count and models (T46U:70%,T23G:30%)');
  const count = wholeNumber('--count', options.count);
  if (options.models === undefined)
    throw new UsageError('--count needs --models, the model mix, e.g. --models T46U:70%,T23G:30%');
  const mix = parseModelMix(mixText(options.models), catalogue);
  let macBase: Mac | undefined;
  if (options.macBase !== undefined) {
    const parsed = parseMac(String(options.macBase));
    if (!parsed.ok) throw new UsageError(`--mac-base: ${parsed.message}`);
    macBase = parsed.mac;
  }
  return generateFleet({ count, mix, seed, ...(macBase && { macBase }) }, catalogue);
}

/** Runs the scenario in virtual time; the report, as `autop fleet --virtual --json` prints it. */
export function simulate(options: SimulateOptions): Promise<FleetReport> {
  return guarded(async () => {
    const seed = options.seed ?? randomBytes(4).toString('hex');
    if (typeof seed !== 'string') throw new UsageError('seed: give a text');
    const plan = scenarioPlan(options);
    if (!plan.source) throw new UsageError('say where the phones provision from: tree or server');
    const { source, ...scenario } = plan;
    const concurrency = wholeNumber(
      '--concurrency',
      options.concurrency ?? SCENARIO_DEFAULTS.concurrency,
      100_000,
    );
    const caFiles = caFilesOf(options.ca);
    const phones = await phonesOf(options, seed);
    const report = await runFleet({
      ...scenario,
      source,
      phones,
      inventory: phones.length,
      seed,
      time: 'virtual',
      concurrency,
      ...(options.notifyReboot && { notifyReboot: true }),
      ...(caFiles.length > 0 && { caFiles }),
    });
    return fleetDocument(report, source.kind === 'tree' ? source.dir : undefined);
  });
}
