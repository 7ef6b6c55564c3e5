// Spec R3: the firmware URL, the ROM name it points at, and whether the phone would install it.
import { compareFirmware, parseFirmware, type FirmwareVersion } from '../core/firmware.js';
import { familiesText, runsFamily, type ModelEntry } from '../models/catalogue.js';

export interface RomName {
  readonly name: string;
  /** The name before the model list or version: `T46U` in `T46U(T43U,...)-108.86.0.90.rom`. */
  readonly prefix: string;
  /** Models named in brackets, when there are any. */
  readonly models: readonly string[];
  readonly version: FirmwareVersion;
}

// A build date may follow the version, as Wazo publishes `T54W(…)-96.86.0.45(20211130).rom`.
const ROM = /^(?<prefix>[^()]*?)(?:\((?<models>[^)]*)\))?-(?<version>\d+\.\d+\.\d+\.\d+)(?:\(\d+\))?\.rom$/i;

export function parseRomName(name: string): RomName | undefined {
  const match = ROM.exec(name.trim());
  const version = match?.groups?.version && parseFirmware(match.groups.version);
  if (!match?.groups || !version) return undefined;
  const models = (match.groups.models ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  return { name: name.trim(), prefix: match.groups.prefix ?? '', models, version };
}

/**
 * R3: does the ROM's name list the model, as its leading model or one in brackets? undefined when
 * the name has no list in brackets (`T48-35.83.0.120.rom`), which says nothing either way.
 */
export function romListsModel(rom: RomName, model: ModelEntry): boolean | undefined {
  if (rom.models.length === 0) return undefined;
  const names = new Set(
    [model.id, model.token, ...(model.firmware.romNames ?? [])].flatMap((n) => (n ? [n.toUpperCase()] : [])),
  );
  return [rom.prefix, ...rom.models].some((listed) => names.has(listed.trim().toUpperCase()));
}

/**
 * The order of two versions of one model. Within a family, number by number; across families (a
 * T57W from 97.84.0.125 to 96.85.0.5), the family number says nothing, so the generation decides.
 */
export function compareModelFirmware(a: FirmwareVersion, b: FirmwareVersion): number {
  if (a.family === b.family) return compareFirmware(a, b);
  const rest = (v: FirmwareVersion): FirmwareVersion => ({ ...v, parts: v.parts.slice(1) });
  return compareFirmware(rest(a), rest(b)) || a.family - b.family;
}

export type FirmwareDecision =
  | { readonly install: true; readonly reason: 'newer' | 'older'; readonly rom: RomName }
  | {
      readonly install: false;
      readonly reason: 'same-version' | 'other-family' | 'unreadable-name';
      readonly rom?: RomName;
    };

/** R3 decision: a ROM of a family the model never ran, or of the running version, is not installed. */
export function decideFirmware(
  romFile: string,
  model: ModelEntry,
  running: FirmwareVersion,
): FirmwareDecision {
  const rom = parseRomName(romFile);
  if (!rom) return { install: false, reason: 'unreadable-name' };
  if (!runsFamily(model, rom.version.family)) return { install: false, reason: 'other-family', rom };
  const order = compareModelFirmware(rom.version, running);
  if (order === 0) return { install: false, reason: 'same-version', rom };
  return { install: true, reason: order > 0 ? 'newer' : 'older', rom };
}

export function describeDecision(
  decision: FirmwareDecision,
  running: FirmwareVersion,
  model?: ModelEntry,
): string {
  const version = decision.rom?.version.text;
  switch (decision.reason) {
    case 'newer':
      return `upgrade ${running.text} → ${version}`;
    case 'older':
      return `downgrade ${running.text} → ${version} (the guide advises against downgrades)`;
    case 'same-version':
      return `already running ${running.text}`;
    case 'other-family': {
      const families = model && model.firmware.families.length > 1 ? 'families' : 'family';
      const runs = model
        ? `the ${model.id} runs ${families} ${familiesText(model)}`
        : `this phone runs family ${running.family}`;
      return `${decision.rom?.name ?? ''} is for firmware family ${decision.rom?.version.family}, ${runs}; not installed`;
    }
    case 'unreadable-name':
      return 'the ROM name carries no version (NAME-F.M.x.y.rom); not installed';
  }
}
