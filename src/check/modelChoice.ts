// Without an inventory, which phones `check` makes up for a tree (issue #12): the models the tree
// itself names (its `[$MODEL]` tokens, spec B5/C3, and its model CFG names, C4/L1), never every
// model of the catalogue; and phones of unknown model for the MAC files and for a boot file that
// names no model, checked for what does not depend on the model.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { splitLines, splitModelPrefix } from '../config/lines.js';
import { macOrThrow } from '../core/mac.js';
import { parseFirmware } from '../core/firmware.js';
import { supportsBootFiles, type ModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import type { InventoryPhone } from './inventory.js';
import { COMMON_BOOT, listTree, type TreeFile } from './treeFiles.js';

/** Why a model was assumed: where the tree names it. */
export type ModelReason =
  | { readonly kind: 'option' }
  | { readonly kind: 'token'; readonly file: string; readonly line: number; readonly token: string }
  | { readonly kind: 'common-cfg'; readonly file: string };

export interface AssumedModel {
  readonly model: ModelEntry;
  /** The first few places that name it (the count of all in `named`). */
  readonly reasons: readonly ModelReason[];
  readonly named: number;
  /** false when the tree names the model but gives its phones nothing to read (no boot file, no common CFG). */
  readonly checked: boolean;
}

export interface ModelChoice {
  readonly source: 'inventory' | 'option' | 'tree';
  readonly models: readonly AssumedModel[];
  /** Phones whose model the tree does not tell (issue #12: "MAC files are phones of unknown model"). */
  readonly unknown: {
    /** `<mac>.boot` files at the root: each a phone whose boot file and unmarked includes are followed. */
    readonly macBoots: number;
    /** `<mac>.cfg` and `<mac>-local.cfg` files: read alone, for syntax, parameters and values. */
    readonly macCfgs: number;
    /** A common boot file that names no model, followed once as a phone of unknown model. */
    readonly commonBoot: boolean;
  };
  /** The phones to run rounds for, in this order: the assumed models', then the unknown ones'. */
  readonly phones: readonly InventoryPhone[];
}

/** The model choice of a run with an inventory: its phones, as listed. */
export function inventoryChoice(phones: readonly InventoryPhone[]): ModelChoice {
  const byModel = new Map<string, ModelEntry>();
  for (const p of phones) byModel.set(p.model.id, p.model);
  return {
    source: 'inventory',
    models: [...byModel.values()].map((model) => ({ model, reasons: [], named: 0, checked: true })),
    unknown: { macBoots: 0, macCfgs: 0, commonBoot: false },
    phones,
  };
}

const REASONS_KEPT = 3;
const MODEL_LINE = /^\s*\[/;
const MODEL_CFG = /^y0000000000\d\d\.cfg$|^y000000000\d{3}\.cfg$/;

/**
 * The phones to check a tree with when no inventory says which: one per model the tree names (or
 * per `--model`), and phones of unknown model for its MAC boot files and for a common boot file
 * that names no model. `phones` is empty when the tree holds nothing a phone asks for.
 */
export async function chooseModels(
  root: string,
  catalogue: ModelCatalogue,
  only?: readonly ModelEntry[],
): Promise<ModelChoice> {
  const files = await listTree(root);
  const top = new Set(files.filter((f) => !f.path.includes('/')).map((f) => f.path));
  const commonBoot = top.has(COMMON_BOOT);
  const option: ModelReason = { kind: 'option' };
  const named = only
    ? new Map(only.map((m) => [m.id, { model: m, reasons: [option], count: 1 }]))
    : await modelsNamed(root, files, catalogue);

  const taken = new Set(files.flatMap((f) => (f.mac ? [f.mac.toLowerCase()] : [])));
  const macs = syntheticMacs(taken);
  const phones: InventoryPhone[] = [];
  const models: AssumedModel[] = [];
  for (const { model, reasons, count } of named.values()) {
    const firmware = parseFirmware(model.firmware.current);
    // A phone of this model reads the common boot file (B1), or else its common CFG (L1).
    const readable =
      (firmware !== undefined && supportsBootFiles(model, firmware) && commonBoot) ||
      top.has(model.commonCfg);
    models.push({ model, reasons: reasons.slice(0, REASONS_KEPT), named: count, checked: readable });
    if (!readable) continue;
    phones.push({
      mac: macs.next(),
      model,
      firmware: model.firmware.current,
      name: `synthetic ${model.id}`,
      state: { kind: 'factory' },
    });
  }

  const standIn = standInModel(catalogue);
  // With one --model, the MAC boot files are phones of that model; else their model is unknown.
  const sole = only?.length === 1 ? only[0] : undefined;
  const macBoots = files.filter((f) => f.kind === 'mac-boot' && !f.path.includes('/'));
  for (const f of macBoots) {
    const model = sole ?? standIn;
    phones.push({
      mac: macOrThrow(f.mac!.toLowerCase()),
      model,
      firmware: model.firmware.current,
      name: sole ? f.path : `${f.path}, model unknown`,
      state: { kind: 'factory' },
      ...(!sole && { modelUnknown: true as const }),
    });
  }
  // A common boot file that no assumed model reads is still followed once, by a phone of unknown
  // model: its includes, their syntax and their parameters do not depend on the model.
  const bootUnread = commonBoot && !phones.some((p) => !p.modelUnknown);
  if (bootUnread) {
    phones.push({
      mac: macs.next(),
      model: standIn,
      firmware: standIn.firmware.current,
      name: `${COMMON_BOOT}, model unknown`,
      state: { kind: 'factory' },
      modelUnknown: true,
    });
  }
  return {
    source: only ? 'option' : 'tree',
    models,
    unknown: {
      macBoots: sole ? 0 : macBoots.length,
      macCfgs: files.filter((f) => f.kind === 'mac-cfg' || f.kind === 'mac-local').length,
      commonBoot: bootUnread,
    },
    phones,
  };
}

/** The catalogue models the tree names, in catalogue order, with where it names them. */
async function modelsNamed(
  root: string,
  files: readonly TreeFile[],
  catalogue: ModelCatalogue,
): Promise<Map<string, { model: ModelEntry; reasons: ModelReason[]; count: number }>> {
  const found = new Map<string, { reasons: ModelReason[]; count: number }>();
  const note = (model: ModelEntry, reason: ModelReason): void => {
    const entry = found.get(model.id) ?? { reasons: [], count: 0 };
    entry.count++;
    if (entry.reasons.length < REASONS_KEPT) entry.reasons.push(reason);
    found.set(model.id, entry);
  };
  for (const f of files) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    // C4/L1: a model CFG name anywhere in the tree says which models it serves.
    if (MODEL_CFG.test(name)) {
      for (const model of catalogue.models)
        if (model.commonCfg === name) note(model, { kind: 'common-cfg', file: f.path });
    }
    if (f.kind === 'other') continue;
    // B5, C3: `[T46U]` prefixes, read line by line (a linear scan, whatever the file's size).
    const text = await readFile(join(root, f.path), 'utf8').catch(() => '');
    for (const { number, text: line } of splitLines(text)) {
      if (!MODEL_LINE.test(line)) continue;
      const prefix = splitModelPrefix(line);
      if (prefix.kind !== 'models') continue;
      for (const token of prefix.models) {
        for (const model of catalogue.models) {
          if (model.token?.toUpperCase() === token.toUpperCase())
            note(model, { kind: 'token', file: f.path, line: number, token });
        }
      }
    }
  }
  const out = new Map<string, { model: ModelEntry; reasons: ModelReason[]; count: number }>();
  for (const model of catalogue.models) {
    const entry = found.get(model.id);
    if (entry) out.set(model.id, { model, ...entry });
  }
  return out;
}

/**
 * The model a phone of unknown model runs as: the gates of a current desk phone (boot files,
 * `[$MODEL]`, excluded mode), no `[$MODEL]` token (so no model's lines are its own) and the largest
 * account count of the catalogue (so no account is beyond it). Its findings never depend on it.
 */
export function standInModel(catalogue: ModelCatalogue): ModelEntry {
  const base =
    catalogue.models.find((m) => m.kind === 'desk' && m.excludedModeSince !== null && m.token !== null) ??
    catalogue.models[0]!;
  return {
    ...base,
    id: 'unknown',
    product: 'a phone of unknown model',
    aliases: [],
    token: null,
    accounts: Math.max(...catalogue.models.map((m) => m.accounts)),
    notes: `stands in for a phone whose model the tree does not tell; gates of the ${base.id}`,
  };
}

/** MACs of Yealink's OUI that no file of the tree is named for: phones that are nobody in particular. */
function syntheticMacs(taken: ReadonlySet<string>): { next(): ReturnType<typeof macOrThrow> } {
  let next = 0xf00000;
  return {
    next() {
      let mac: string;
      do mac = `001565${(next++).toString(16).padStart(6, '0')}`;
      while (taken.has(mac));
      return macOrThrow(mac);
    },
  };
}
