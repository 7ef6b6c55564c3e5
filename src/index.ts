// autop as a library (issue #17): the public entry of the package `autop-emulator`. Plain objects in,
// plain typed objects out, the same documents the CLI's JSON prints (schemas/ holds a JSON Schema
// for each); every failure is an AutopError with a code. Nothing here exits the process or prints.
export { provision, type ProvisionOptions, type ProvisionResult } from './api/provision.js';
export { check, type CheckOptions } from './api/check.js';
export { diff, type DiffOptions } from './api/diff.js';
export { explain, type ExplainOptions } from './api/explain.js';
export { encrypt, type EncryptOptions, type Encrypted } from './api/encrypt.js';
export { decrypt, type DecryptOptions } from './api/decrypt.js';
export { simulate, type SimulateOptions } from './api/simulate.js';
export { AutopError, type AutopErrorCode } from './api/errors.js';

// The documents, as the CLI prints them and the schemas describe them.
export type { ProvisionReport } from './report/provisionJson.js';
export type { CheckDocument } from './check/output/json.js';
export type { DiffDocument } from './diff/diffJson.js';
export type { ExplainDocument } from './explain/explainJson.js';
export type { FleetReport, PhoneOutcome, Scenario } from './fleet/report.js';
export type { PhoneStateFile } from './phone/stateFile.js';
export type { InventoryRow } from './check/inventory.js';
export type { InventoryInput } from './api/inputs.js';

// The parts of the documents a test is likely to name.
export type {
  Change,
  Download,
  DownloadKind,
  FirmwareReport,
  Mechanism,
  Provenance,
  RebootReason,
  ReportDiagnostic,
  RoundStatus,
} from './engine/report.js';
export type { Finding, Severity } from './check/finding.js';
export type { PhoneSummary } from './check/checkResult.js';
export type { PhoneDiff } from './diff/diffResult.js';
export type { Explanation, ChainEntry, Verdict } from './explain/explanation.js';
export type { Origin } from './phone/state.js';
