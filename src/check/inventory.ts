// The phones a site owns (issue #4 §1): a CSV with a header row, or JSON, of MAC, model, optional
// firmware, optional saved state. A bad row is a finding with its line, not the end of the run.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseMac, type Mac } from '../core/mac.js';
import { firmwareProblem, type ModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import type { PhoneState } from '../phone/state.js';

/** The phone's flash before the check: new from the factory, or a state file `autop provision --state` wrote. */
export type StateSource = { readonly kind: 'factory' } | { readonly kind: 'file'; readonly path: string };

export interface InventoryPhone {
  readonly mac: Mac;
  readonly model: ModelEntry;
  readonly firmware: string;
  readonly name?: string;
  readonly state: StateSource;
  /** Where the phone is listed: the CSV line, absent for JSON (whose rows are counted in messages). */
  readonly line?: number;
  /**
   * A phone the tree does not tell the model of (a MAC boot file without an inventory): `model`
   * only stands in for the firmware gates, and no finding depends on it (issue #12).
   */
  readonly modelUnknown?: true;
}

export interface InventoryProblem {
  readonly message: string;
  readonly line?: number;
}

export type InventoryRead =
  | { readonly kind: 'ok'; readonly phones: InventoryPhone[]; readonly problems: InventoryProblem[] }
  | { readonly kind: 'unreadable'; readonly message: string };

/** One phone as a JSON inventory lists it, and as the library takes it (`inventory: [...]`). */
export interface InventoryRow {
  /** Colons, dashes or bare, any case. */
  readonly mac: string;
  /** A catalogue model: `T46U`, `SIP-T46U`, ... */
  readonly model: string;
  /** The running firmware (default: the model's current one). */
  readonly firmware?: string;
  /** A state file `autop provision --state` wrote (relative to the inventory's folder). */
  readonly state?: string;
  readonly name?: string;
}

interface Row {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly line?: number;
  readonly label: string;
}

/** Reads `path` (`.json` is JSON; anything else CSV) and checks every row against the catalogue. */
export async function readInventory(path: string, models: ModelCatalogue): Promise<InventoryRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { kind: 'unreadable', message: `cannot read the inventory ${path}: ${(e as Error).message}` };
  }
  const rows = /\.json$/i.test(path) ? jsonRows(text) : csvRows(text);
  if (!Array.isArray(rows)) return { kind: 'unreadable', message: `${path}: ${rows.message}` };
  return { kind: 'ok', ...checkRows(rows, dirname(resolve(path)), models) };
}

function csvRows(text: string): Row[] | { message: string } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
      comment: '#',
      info: true,
    });
  } catch (e) {
    return { message: `not a CSV file: ${(e as Error).message}` };
  }
  const first = records[0]?.record;
  if (first && !('mac' in first)) {
    return { message: 'the first line must name the columns: mac,model[,firmware][,state][,name]' };
  }
  return records.map(({ record, info }) => ({
    fields: record,
    line: info.lines,
    label: `line ${info.lines}`,
  }));
}

function jsonRows(text: string): Row[] | { message: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { message: `not JSON: ${(e as Error).message}` };
  }
  const list = Array.isArray(data) ? data : (data as { phones?: unknown } | null)?.phones;
  if (!Array.isArray(list)) return { message: 'expected an array of phones, or { "phones": [...] }' };
  return objectRows(list);
}

function objectRows(list: readonly unknown[]): Row[] {
  return list.map((fields, i) => ({
    fields: typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {},
    label: `phone #${i + 1}`,
  }));
}

/**
 * Phones handed over as objects (the library's `inventory: [...]`), checked as a JSON inventory's
 * rows are; a relative `state` path is relative to `base`.
 */
export function inventoryFromRows(
  rows: readonly unknown[],
  base: string,
  models: ModelCatalogue,
): { phones: InventoryPhone[]; problems: InventoryProblem[] } {
  return checkRows(objectRows(rows), resolve(base), models);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

function checkRows(
  rows: readonly Row[],
  base: string,
  models: ModelCatalogue,
): { phones: InventoryPhone[]; problems: InventoryProblem[] } {
  const phones: InventoryPhone[] = [];
  const problems: InventoryProblem[] = [];
  const seen = new Map<string, string>();
  for (const row of rows) {
    const where = row.line !== undefined ? { line: row.line } : {};
    const problem = (message: string): void => {
      problems.push({ message: row.line !== undefined ? message : `${row.label}: ${message}`, ...where });
    };
    const macText = text(row.fields.mac);
    const modelText = text(row.fields.model);
    if (!macText || !modelText) {
      problem('every phone needs a mac and a model');
      continue;
    }
    const mac = parseMac(macText);
    if (!mac.ok) {
      problem(mac.message);
      continue;
    }
    const found = models.lookup(modelText);
    if (!found.ok) {
      problem(found.message.replace(/^--model /, 'model '));
      continue;
    }
    const model = found.model;
    const firmware = text(row.fields.firmware) ?? model.firmware.current;
    // R3: a version of any family the model has run (a T57W on 97.84 before the shared 96.x).
    const wrong = firmwareProblem(model, firmware);
    if (wrong !== undefined) {
      problem(`firmware ${wrong}`);
      continue;
    }
    const earlier = seen.get(mac.mac);
    if (earlier !== undefined) {
      problem(`${macText} is listed twice (first at ${earlier}); the second row is ignored`);
      continue;
    }
    seen.set(mac.mac, row.label);
    // A relative state path is relative to the inventory, so that the two can move together.
    const statePath = text(row.fields.state);
    const state: StateSource = statePath
      ? { kind: 'file', path: resolve(base, statePath) }
      : { kind: 'factory' };
    const name = text(row.fields.name);
    phones.push({ mac: mac.mac, model, firmware, ...(name && { name }), state, ...where });
  }
  return { phones, problems };
}

/** A saved state checked against the inventory row it belongs to; a message when it does not fit. */
export function stateFits(
  state: PhoneState,
  phone: InventoryPhone,
  models: ModelCatalogue,
): string | undefined {
  if (state.mac !== phone.mac) return `the saved state is for ${state.mac}, not ${phone.mac}`;
  if (models.find(state.model)?.id !== phone.model.id)
    return `the saved state is for a ${state.model}, not a ${phone.model.id}`;
  return undefined;
}
