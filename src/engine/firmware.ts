// Spec R3: the firmware URL, the ROM name it points at, and whether the phone would install it.
import { compareFirmware, parseFirmware, type FirmwareVersion } from '../core/firmware.js';
import type { ModelEntry } from '../models/catalogue.js';

export interface RomName {
  readonly name: string;
  /** The name before the model list or version: `T46U` in `T46U(T43U,...)-108.86.0.90.rom`. */
  readonly prefix: string;
  /** Models named in brackets, when there are any. */
  readonly models: readonly string[];
  readonly version: FirmwareVersion;
}

const ROM = /^(?<prefix>[^()]*?)(?:\((?<models>[^)]*)\))?-(?<version>\d+\.\d+\.\d+\.\d+)\.rom$/i;

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

export type FirmwareDecision =
  | { readonly install: true; readonly reason: 'newer' | 'older'; readonly rom: RomName }
  | {
      readonly install: false;
      readonly reason: 'same-version' | 'other-family' | 'unreadable-name';
      readonly rom?: RomName;
    };

/** R3 decision: a ROM of another family, or of the running version, is not installed. */
export function decideFirmware(
  romFile: string,
  model: ModelEntry,
  running: FirmwareVersion,
): FirmwareDecision {
  const rom = parseRomName(romFile);
  if (!rom) return { install: false, reason: 'unreadable-name' };
  if (rom.version.family !== running.family || rom.version.family !== model.firmware.family) {
    return { install: false, reason: 'other-family', rom };
  }
  const order = compareFirmware(rom.version, running);
  if (order === 0) return { install: false, reason: 'same-version', rom };
  return { install: true, reason: order > 0 ? 'newer' : 'older', rom };
}

export function describeDecision(decision: FirmwareDecision, running: FirmwareVersion): string {
  const version = decision.rom?.version.text;
  switch (decision.reason) {
    case 'newer':
      return `upgrade ${running.text} → ${version}`;
    case 'older':
      return `downgrade ${running.text} → ${version} (the guide advises against downgrades)`;
    case 'same-version':
      return `already running ${running.text}`;
    case 'other-family':
      return `${decision.rom?.name ?? ''} is for firmware family ${decision.rom?.version.family}, this phone runs family ${running.family}; not installed`;
    case 'unreadable-name':
      return 'the ROM name carries no version (NAME-F.M.x.y.rom); not installed';
  }
}
