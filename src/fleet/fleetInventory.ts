// The phones of a fleet run (issue #8 §1): an inventory file, or N phones generated from a model mix
// (`--count 1000 --models T46U:70%,T23G:30%`) with MACs from `--mac-base` or drawn from a seed.
import { createHash } from 'node:crypto';
import {
  inventoryFromRows,
  readInventory,
  stateFits,
  type InventoryPhone,
  type InventoryProblem,
} from '../check/inventory.js';
import { UnreadableInput } from '../core/unreadableInput.js';
import { UsageError } from '../core/usageError.js';
import { macOrThrow, macWithColons, type Mac } from '../core/mac.js';
import type { ModelCatalogue, ModelEntry } from '../models/catalogue.js';
import type { PhoneState } from '../phone/state.js';
import { readStateFile } from '../phone/stateFile.js';

export interface FleetPhone {
  readonly mac: Mac;
  readonly model: ModelEntry;
  /** The running firmware: the inventory's, else the model's current one in the catalogue. */
  readonly firmware: string;
  /** The inventory's `name` column, when there is one. */
  readonly name?: string;
  /** The saved flash the inventory's `state` column names (read and checked with the inventory). */
  readonly state?: PhoneState;
}

export interface ModelShare {
  /** The catalogue id (`T46U`), whatever alias the user typed. */
  readonly model: string;
  readonly percent: number;
}

/** `T46U:70%,T23G:30%` (or `T46U:70,T23G:30`; a single model may go without a share). */
export function parseModelMix(text: string, catalogue: ModelCatalogue): ModelShare[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) {
    throw new UsageError(`--models "${text}" names no model; write e.g. --models T46U:70%,T23G:30%`);
  }
  const shares: ModelShare[] = [];
  for (const item of items) {
    const colon = item.indexOf(':');
    const name = (colon < 0 ? item : item.slice(0, colon)).trim();
    const found = catalogue.lookup(name);
    if (!found.ok) throw new UsageError(`--models: ${found.message.replace(/^--model /, '')}`);
    const id = found.model.id;
    if (shares.some((s) => s.model === id)) {
      throw new UsageError(`--models ${text}: ${id} is listed twice; give each model once with its share`);
    }
    const shareText =
      colon < 0
        ? undefined
        : item
            .slice(colon + 1)
            .trim()
            .replace(/\s*%$/, '');
    let percent: number;
    if (shareText === undefined) {
      if (items.length > 1) {
        throw new UsageError(`--models ${text}: ${item} has no share; write ${id}:NN% for each model`);
      }
      percent = 100;
    } else {
      percent = /^\d+(\.\d+)?$/.test(shareText) ? Number(shareText) : Number.NaN;
      if (!(percent > 0 && percent <= 100)) {
        throw new UsageError(
          `--models ${text}: "${shareText}" is not a share for ${id}; write a percentage above 0 and at most 100, e.g. ${id}:70%`,
        );
      }
    }
    shares.push({ model: id, percent });
  }
  const sum = shares.reduce((total, s) => total + s.percent, 0);
  if (Math.abs(sum - 100) > 1e-9) {
    throw new UsageError(`--models ${text}: the shares add up to ${+sum.toFixed(6)}%, not 100%`);
  }
  return shares;
}

/** Yealink's OUI: generated MACs without `--mac-base` are 00:15:65:xx:xx:xx. */
const YEALINK_OUI = 0x001565;
const OUI_SPACE = 0x1000000;
const LAST_MAC = 0xffffffffffff;

/**
 * `count` phones in the exact proportions of `mix` (largest remainder), the models spread over the
 * MACs in an order shuffled by `seed`; MACs `macBase`+0… or, without it, distinct MACs of Yealink's
 * OUI drawn from `seed`. The same arguments give the same fleet. Sorted by MAC.
 */
export function generateFleet(
  options: { count: number; mix: readonly ModelShare[]; macBase?: Mac; seed: string },
  catalogue: ModelCatalogue,
): FleetPhone[] {
  const { count, mix, macBase, seed } = options;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`--count ${count}: give a whole number of phones, at least 1`);
  }
  if (mix.length === 0) throw new UsageError('--models: give at least one model, e.g. --models T46U:100%');
  const models = mix.map((share) => {
    const model = catalogue.find(share.model);
    if (!model) throw new UsageError(`--models: ${share.model} is not a known model`);
    return model;
  });

  const perModel = largestRemainder(
    count,
    mix.map((s) => s.percent),
  );
  const assignment: ModelEntry[] = [];
  perModel.forEach((n, i) => {
    for (let k = 0; k < n; k++) assignment.push(models[i]!);
  });
  shuffle(assignment, seededRandom(seed, 'models'));

  const macs =
    macBase === undefined ? randomYealinkMacs(count, seededRandom(seed, 'macs')) : macRange(macBase, count);
  return macs.map((mac, i) => {
    const model = assignment[i]!;
    return { mac, model, firmware: model.firmware.current };
  });
}

/** Splits `count` by `percents` (summing to 100): floors first, then the largest remainders, ties to the earlier. */
export function largestRemainder(count: number, percents: readonly number[]): number[] {
  const quotas = percents.map((p) => (count * p) / 100);
  const result = quotas.map(Math.floor);
  let left = count - result.reduce((a, b) => a + b, 0);
  // Remainders are compared at 1e-9, so that float noise (1.7 - 1 vs 6.7 - 6) does not break ties.
  const order = quotas
    .map((q, i) => ({ i, rest: Math.round((q - Math.floor(q)) * 1e9) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    result[i]!++;
    left--;
  }
  return result;
}

function macRange(base: Mac, count: number): Mac[] {
  const first = parseInt(base, 16);
  if (first + count - 1 > LAST_MAC) {
    throw new UsageError(
      `--mac-base ${base} with --count ${count} runs past ff:ff:ff:ff:ff:ff; choose a lower base or fewer phones`,
    );
  }
  return Array.from({ length: count }, (_, i) => macFromNumber(first + i));
}

/** Floyd's sampling: `count` distinct device numbers with exactly `count` draws, then sorted. */
function randomYealinkMacs(count: number, random: () => number): Mac[] {
  if (count > OUI_SPACE) {
    throw new UsageError(
      `--count ${count} is more than the ${OUI_SPACE} MACs of Yealink's OUI 00:15:65; give --mac-base for a larger fleet`,
    );
  }
  const chosen = new Set<number>();
  for (let j = OUI_SPACE - count; j < OUI_SPACE; j++) {
    const t = randomBelow(j + 1, random);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Array.from(Float64Array.from(chosen).sort(), (device) =>
    macFromNumber(YEALINK_OUI * OUI_SPACE + device),
  );
}

function macFromNumber(n: number): Mac {
  return macOrThrow(n.toString(16).padStart(12, '0'));
}

/** A PRNG (sfc32) seeded from SHA-256 of the seed and a stream name: independent draws per purpose. */
function seededRandom(seed: string, stream: string): () => number {
  const digest = createHash('sha256').update(`${stream}\0${seed}`).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** An unbiased integer in [0, n) from 32-bit draws (n <= 2^32). */
function randomBelow(n: number, random: () => number): number {
  const limit = Math.floor(0x100000000 / n) * n;
  for (;;) {
    const r = random();
    if (r < limit) return r % n;
  }
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomBelow(i + 1, random);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/**
 * The phones of an inventory file (CSV or JSON, as `autop check` reads them), sorted by MAC; the
 * rows that cannot be used (bad MAC, unknown model, duplicate MAC…) as `inventory.csv:7: …` lines.
 */
export async function fleetFromInventory(
  path: string,
  catalogue: ModelCatalogue,
): Promise<{ phones: FleetPhone[]; problems: string[] }> {
  const read = await readInventory(path, catalogue);
  if (read.kind === 'unreadable') throw new UnreadableInput(`--inventory: ${read.message}`);
  return fleetPhones(read.phones, read.problems, path, catalogue);
}

/**
 * The phones handed over as rows (the library's `phones: [...]`), checked as a JSON inventory's;
 * a relative `state` path is relative to `base`. Problems as `phone #3: …` lines.
 */
export async function fleetFromRows(
  rows: readonly unknown[],
  base: string,
  catalogue: ModelCatalogue,
): Promise<{ phones: FleetPhone[]; problems: string[] }> {
  const read = inventoryFromRows(rows, base, catalogue);
  return fleetPhones(read.phones, read.problems, undefined, catalogue);
}

async function fleetPhones(
  listed: readonly InventoryPhone[],
  rowProblems: readonly InventoryProblem[],
  path: string | undefined,
  catalogue: ModelCatalogue,
): Promise<{ phones: FleetPhone[]; problems: string[] }> {
  const problems = rowProblems.map((p) =>
    path === undefined
      ? p.message
      : p.line !== undefined
        ? `${path}:${p.line}: ${p.message}`
        : `${path}: ${p.message}`,
  );
  const phones: FleetPhone[] = [];
  for (const p of listed) {
    const where =
      path === undefined
        ? macWithColons(p.mac)
        : p.line !== undefined
          ? `${path}:${p.line}`
          : `${path}: ${p.mac}`;
    let state: PhoneState | undefined;
    if (p.state.kind === 'file') {
      // A bad saved state leaves its phone out, named by its row, like any other bad row.
      const saved = await readStateFile(p.state.path);
      const problem =
        saved.kind === 'invalid'
          ? saved.message
          : saved.kind === 'absent'
            ? `state file ${p.state.path} does not exist`
            : stateFits(saved.state, p, catalogue);
      if (problem !== undefined) {
        problems.push(`${where}: ${problem}`);
        continue;
      }
      if (saved.kind === 'ok') state = saved.state;
    }
    phones.push({
      mac: p.mac,
      model: p.model,
      firmware: p.firmware,
      ...(p.name !== undefined && { name: p.name }),
      ...(state && { state }),
    });
  }
  phones.sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
  return { phones, problems };
}
