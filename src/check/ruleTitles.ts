// One-line titles of the spec rules and of check's own finding kinds, for SARIF's rule list and the
// text report's legend.
import type { FindingKind } from './finding.js';

const SPEC: Readonly<Record<string, string>> = {
  B1: 'Boot file lookup: <mac>.boot, then y000000000000.boot, then the legacy mechanism',
  B2: 'Boot file header and line grammar',
  B3: 'include:config names one .cfg file, relative to the boot file or absolute',
  B4: 'Includes are read in order; later files override earlier ones',
  B5: '[$MODEL] include lines apply to the listed models (firmware 83+)',
  B6: 'overwrite_mode: blank and removed non-static parameters return to their defaults',
  B7: 'specific_model.excluded_mode',
  C1: 'CFG file header',
  C2: 'CFG lines: parameter = value, last occurrence wins',
  C3: '[$MODEL] parameter lines apply to the listed models (firmware 83+)',
  C4: 'MAC CFG and common CFG names',
  C5: 'Accounts per model',
  L1: 'Legacy mechanism: common CFG, then <mac>.cfg',
  K1: 'MAC-local file holds non-static UI changes',
  K2: 'MAC-local upload and download (custom.sync)',
  K3: 'MAC-local applied last (custom.protect)',
  M1: 'Unchanged MD5s: nothing is updated',
  R1: 'Reboot when a changed setting needs it',
  R2: 'Forced reboot after an update',
  R3: 'Firmware upgrade from static.firmware.url',
  S1: 'Where the server address comes from',
  S5: 'Provisioning protocols and credentials',
  D: 'A file could not be downloaded',
  E1: 'Encrypted CFG files',
  E4: 'Encrypted-only mode',
  inventory: 'The inventory of phones',
  catalogue: 'The parameter catalogue (models/parameters.json)',
};

const KIND: Readonly<Record<Exclude<FindingKind, 'diagnostic'>, string>> = {
  'missing-include': 'An include target that is not in the tree',
  'unused-model-include': 'A [$MODEL] include that no checked phone takes',
  'unused-file': 'A configuration or boot file that no checked phone reads',
  'orphan-mac-file': 'A MAC file that no phone of the inventory asks for',
  'phone-without-mac-file': 'An inventory phone with no MAC file',
  'unknown-parameter': 'A parameter the catalogue does not know',
  'out-of-range': 'A value outside its documented type or range',
  'account-beyond-model': "account.N beyond the model's account count",
  'static-not-reset': 'A commented-out static parameter that overwrite mode will not reset',
  'static-in-mac-local': 'A static parameter in a MAC-local file, where it is never applied',
  'mac-boot-with-common-boot': 'MAC boot files beside the common boot file',
  'no-config': 'A phone that gets no configuration at all',
  'firmware-not-fetched': 'A firmware ROM outside the tree, which a check does not fetch',
  inventory: 'A row of the inventory that cannot be checked',
};

export function ruleTitle(kind: FindingKind, rule: string): string {
  if (kind !== 'diagnostic') return KIND[kind];
  return SPEC[rule] ?? SPEC[rule.replace(/[a-z]+$/, '')] ?? `Spec rule ${rule}`;
}
