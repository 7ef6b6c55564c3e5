// The model catalogue (models/models.json): every phone model the guide covers (and current models it
// predates), with the firmware gates of spec B5/B7, its common CFG name, account count (C5), firmware
// families (R3) and User-Agent form (S7).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelsDir } from '../core/packageRoot.js';
import { parseFirmware, type FirmwareVersion } from '../core/firmware.js';

export type ModelKind = 'desk' | 'android' | 'conference' | 'dect';

/** One firmware family of a model: the first number of its versions, and the generation it begins. */
export interface FirmwareFamily {
  readonly family: number;
  /** The firmware generation (second number, e.g. 85) from which the model runs this family. */
  readonly since: number;
  /** A ROM of this family, as published. */
  readonly rom?: string;
  readonly source?: string;
}

export interface ModelEntry {
  readonly id: string;
  readonly product: string;
  readonly aliases: readonly string[];
  /** The `[$MODEL]` token, or null for models the guide's token list leaves out. */
  readonly token: string | null;
  readonly commonCfg: string;
  readonly accounts: number;
  readonly kind: ModelKind;
  readonly firmware: {
    /** Every firmware family the model has run, oldest first (spec R3: T57W 97 at V84, then 96). */
    readonly families: readonly FirmwareFamily[];
    readonly current: string;
    /** The current ROM's name, where one is published. */
    readonly rom?: string;
    /** Other names ROM file names list the model by (`T58V` for the T58A), beside its id and token. */
    readonly romNames?: readonly string[];
    readonly confidence?: string;
    readonly source?: string;
  };
  /** Firmware major from which boot files work (the guide's table). */
  readonly bootSince: number;
  /** Firmware major from which `[$MODEL]` prefixes work (B5, C3); null: never. */
  readonly modelFilterSince: number | null;
  /** Firmware major from which `specific_model.excluded_mode` works (B7); null: never. */
  readonly excludedModeSince: number | null;
  readonly userAgent: { readonly product: string; readonly mac: 'colon' | 'bare' };
  /** Default of `static.auto_provision.url_wildcard.pn` (S4). */
  readonly pn: string;
  readonly notes?: string;
}

interface CatalogueFile {
  models: ModelEntry[];
}

export class ModelCatalogue {
  readonly models: readonly ModelEntry[];
  private readonly byName = new Map<string, ModelEntry>();
  private readonly byToken = new Map<string, ModelEntry[]>();

  constructor(models: readonly ModelEntry[]) {
    this.models = models;
    for (const model of models) {
      for (const name of [model.id, model.product, ...model.aliases]) {
        this.byName.set(normaliseModelName(name), model);
      }
      if (model.token) {
        const list = this.byToken.get(model.token.toUpperCase()) ?? [];
        list.push(model);
        this.byToken.set(model.token.toUpperCase(), list);
      }
    }
  }

  /** `T46U`, `SIP-T46U`, `sip-t46u` and product names all find the T46U. */
  find(name: string): ModelEntry | undefined {
    return this.byName.get(normaliseModelName(name));
  }

  lookup(name: string): { ok: true; model: ModelEntry } | { ok: false; message: string } {
    const model = this.find(name);
    if (model) return { ok: true, model };
    return {
      ok: false,
      message: `--model ${name} is not a known model; known: ${this.models.map((m) => m.id).join(', ')}`,
    };
  }

  /** Is this a `[$MODEL]` token of the guide's list? */
  isToken(token: string): boolean {
    return this.byToken.has(token.trim().toUpperCase());
  }

  get tokens(): string[] {
    return [...new Set(this.models.flatMap((m) => (m.token ? [m.token] : [])))];
  }
}

function normaliseModelName(name: string): string {
  return name
    .trim()
    .toUpperCase()
    .replace(/^SIP[- ]/, '')
    .replace(/[\s_()-]+/g, '');
}

/** Does the phone's firmware understand `[$MODEL]` prefixes (B5, C3)? */
export function supportsModelFilter(model: ModelEntry, firmware: FirmwareVersion): boolean {
  return model.modelFilterSince !== null && firmware.major >= model.modelFilterSince;
}

/** Does the phone's firmware honour `specific_model.excluded_mode` (B7)? */
export function supportsExcludedMode(model: ModelEntry, firmware: FirmwareVersion): boolean {
  return model.excludedModeSince !== null && firmware.major >= model.excludedModeSince;
}

/** Does the phone's firmware look for boot files at all (B1)? */
export function supportsBootFiles(model: ModelEntry, firmware: FirmwareVersion): boolean {
  return firmware.major >= model.bootSince;
}

/** Is `family` one of the families the model has run (R3)? */
export function runsFamily(model: ModelEntry, family: number): boolean {
  return model.firmware.families.some((f) => f.family === family);
}

/** `97 (V84), 96 (V85+)`: the model's families for messages. */
export function familiesText(model: ModelEntry): string {
  const list = model.firmware.families;
  if (list.length === 1) return String(list[0]!.family);
  return list
    .map((f, i) => `${f.family} (V${f.since}${i === list.length - 1 ? '+' : ''})`)
    .join(', ');
}

/**
 * Why `version` cannot be this model's running firmware, or undefined when it can: a malformed
 * version, or one of a family the model never ran (R3).
 */
export function firmwareProblem(model: ModelEntry, version: string): string | undefined {
  const parsed = parseFirmware(version);
  if (!parsed) return `${version} is not a version such as ${model.firmware.current}`;
  if (!runsFamily(model, parsed.family)) {
    const families = model.firmware.families.length === 1 ? 'family' : 'families';
    return `${version} is family ${parsed.family}; ${model.id} runs ${families} ${familiesText(model)} (for example ${model.firmware.current})`;
  }
  return undefined;
}

export function currentFirmware(model: ModelEntry): FirmwareVersion {
  const version = parseFirmware(model.firmware.current);
  if (!version) throw new Error(`models.json: ${model.id} has a malformed firmware.current`);
  return version;
}

let cached: ModelCatalogue | undefined;

export function loadModelCatalogue(): ModelCatalogue {
  cached ??= new ModelCatalogue(
    (JSON.parse(readFileSync(join(modelsDir, 'models.json'), 'utf8')) as CatalogueFile).models,
  );
  return cached;
}
