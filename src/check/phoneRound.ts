// One phone of `autop check`: a round of the real engine, and the findings its report gives (its
// diagnostics, the files it read and their analyses, C5 against its model), taken from the report
// alone (issue #16 §4: the boot file's modes come from `report.boot`, never from a new parse).
import { macWithColons } from '../core/mac.js';
import { parseFirmware } from '../core/firmware.js';
import type { ReportDiagnostic, RoundReport } from '../engine/report.js';
import { supportsModelFilter } from '../models/catalogue.js';
import { factoryState, type PhoneState } from '../phone/state.js';
import { readStateFile } from '../phone/stateFile.js';
import { analysisOf, type CheckRun, type PhoneSummary } from './checkRun.js';
import { accountFindings, type FileAnalysis } from './fileAnalysis.js';
import type { NewFinding, Severity } from './finding.js';
import { stateFits, type InventoryPhone } from './inventory.js';
import { COMMON_BOOT } from './treeFiles.js';

export interface PhoneDone {
  readonly phone: InventoryPhone;
  readonly mac: string;
  /** The numbers of the findings that concern the phone. */
  readonly ids: ReadonlySet<number>;
  readonly firmware: string;
  readonly report: RoundReport;
}

/** Runs the phone's round and records what its report says about the tree. */
export async function checkPhone(run: CheckRun, phone: InventoryPhone): Promise<PhoneDone> {
  const mac = macWithColons(phone.mac);
  const ids = new Set<number>();
  const add = (f: NewFinding): void => void ids.add(run.table.add(f));

  const state = await loadState(run, phone, add);
  const { report } = await run.engine.runRound({
    model: phone.model,
    state,
    server: { url: run.reader.root.href, source: 'autop check' },
    fetcher: run.reader,
    now: run.now,
    detail: 'lean',
  });

  const applied = await analysesRead(run, report);
  reportDiagnostics(report, applied, add);
  recordModelIncludes(run, phone, report);
  for (const [file, { analysis, md5 }] of applied) {
    for (const f of analysis.always) add(f);
    // B6: only under overwrite mode (the boot file's, from the report) does a commented-out static
    // line matter.
    if (report.boot?.overwrite) for (const f of analysis.underOverwrite) add(f);
    if (!phone.modelUnknown) for (const id of accountIds(run, file, md5, analysis, phone, state)) ids.add(id);
  }
  if (report.applied.length === 0) add(noConfig(report, phone));
  return { phone, mac, ids, firmware: state.firmware, report };
}

/** Counts the phone against its findings and keeps its summary (in inventory order). */
export function commitPhone(run: CheckRun, { phone, mac, ids, firmware, report }: PhoneDone): void {
  const errors: number[] = [];
  const warnings: number[] = [];
  for (const id of ids) {
    run.table.attach(id, mac);
    const severity = run.table.all[id]!.severity;
    if (severity === 'error') errors.push(id);
    else if (severity === 'warning') warnings.push(id);
  }
  const summary: PhoneSummary = {
    mac,
    model: phone.modelUnknown ? 'unknown' : phone.model.id,
    firmware,
    ...(phone.name !== undefined && { name: phone.name }),
    status: report.status,
    mechanism: report.mechanism,
    applied: report.applied,
    reboot: report.reboot,
    upgrade: report.firmware?.install ?? false,
    ...(report.firmware && {
      firmwareDecision: {
        rom: report.firmware.rom,
        install: report.firmware.install,
        reason: report.firmware.reason,
      },
    }),
    errors,
    warnings,
  };
  run.summaries.push(summary);
  run.input.onPhone?.(summary, report);
}

type Applied = Map<string, { analysis: FileAnalysis; md5: string }>;

/** The configuration files the round downloaded, once each, with their analyses; and every file read. */
async function analysesRead(run: CheckRun, report: RoundReport): Promise<Applied> {
  const applied: Applied = new Map();
  const seen = new Set<string>();
  for (const d of report.downloads) {
    if (d.outcome !== 'ok' || !d.md5 || seen.has(d.file)) continue;
    seen.add(d.file);
    run.fetchedBy.set(d.file, (run.fetchedBy.get(d.file) ?? 0) + 1);
    if (d.kind !== 'config' && d.kind !== 'mac-local') continue;
    const analysis = await analysisOf(run, d.file, d.md5);
    if (analysis) applied.set(d.file, { analysis, md5: d.md5 });
  }
  return applied;
}

/** M1 ("nothing new") is a fact about the phone's state, not about the tree. */
function severityOf(d: ReportDiagnostic, base: 'error' | 'warning'): Severity {
  return d.rule === 'M1' ? 'note' : base;
}

/** Every diagnostic of the round (as `provision` prints them), as check's findings. */
function reportDiagnostics(report: RoundReport, applied: Applied, add: (f: NewFinding) => void): void {
  const firmwareLine = firmwareUrlPlace(applied);
  const offline = firmwareOutsideTree(report);
  for (const [list, base] of [
    [report.errors, 'error'],
    [report.warnings, 'warning'],
  ] as const) {
    for (const d of list) {
      // An include that is not in the tree is an error of the tree here, where the engine only
      // warns that a file was missing.
      const missing = report.downloads.find(
        (download) =>
          download.outcome === 'not-found' &&
          d.rule === 'D' &&
          download.requestedBy?.file === d.file &&
          download.requestedBy?.line === d.line,
      );
      if (missing) {
        add({
          kind: 'missing-include',
          rule: 'B3',
          severity: 'error',
          ...(d.file !== undefined && { file: d.file }),
          line: d.line,
          message: `the include target ${missing.file} is not in the tree: phones that take this include do without it`,
        });
        continue;
      }
      // R3 findings name no file: they are about the line that sets the firmware URL.
      const place =
        d.file !== undefined
          ? { file: d.file, ...(d.line !== undefined && { line: d.line }) }
          : d.rule === 'R3'
            ? firmwareLine
            : undefined;
      if (d.rule === 'R3' && (offline !== undefined || d.message.includes('not fetched'))) {
        // spec R3, issue #12: a ROM outside the tree is not fetched by a check; not a mistake.
        add({
          kind: 'firmware-not-fetched',
          rule: 'R3',
          severity: 'note',
          ...place,
          message: `the firmware ROM ${offline ?? report.firmware?.url ?? ''} is outside the tree: not fetched (a check reads nothing outside the tree), so its download is not checked`,
        });
        continue;
      }
      add({
        kind: 'diagnostic',
        rule: d.rule,
        severity: severityOf(d, base),
        ...place,
        message: d.message,
      });
    }
  }
}

/** The URL of a firmware ROM the round could not read because it is not a file of the tree. */
function firmwareOutsideTree(report: RoundReport): string | undefined {
  const rom = report.downloads.find(
    (d) => d.kind === 'firmware' && (d.outcome === 'failed' || d.outcome === 'not-fetched'),
  );
  if (!rom || rom.url.startsWith('file:')) return undefined;
  return rom.cause === 'outside-root' || rom.cause === 'unsupported' || (rom.cause as string) === 'offline'
    ? rom.url
    : undefined;
}

/** The file and line of the last line, in download order, that sets the firmware URL (R3). */
function firmwareUrlPlace(applied: Applied): { file: string; line: number } | undefined {
  let place: { file: string; line: number } | undefined;
  for (const [file, { analysis }] of applied)
    if (analysis.firmwareUrlLine !== undefined) place = { file, line: analysis.firmwareUrlLine };
  return place;
}

/** B5: the model include lines this round took or skipped, for the tree's findings afterwards. */
function recordModelIncludes(run: CheckRun, phone: InventoryPhone, report: RoundReport): void {
  for (const s of report.skipped) {
    if (s.models === null) continue;
    const entry = modelInclude(run, s.file, s.line, s.target, s.models);
    // A phone of unknown model skips every model's line: that says nothing about who takes it.
    if (s.reason === 'other-model' && !phone.modelUnknown) entry.skippedByKnownModel = true;
  }
  for (const d of report.downloads) {
    if (!d.requestedBy) continue;
    const known = run.modelIncludes.get(`${d.requestedBy.file}:${d.requestedBy.line}`);
    if (known) known.taken = true;
    else
      run.modelIncludes.set(`${d.requestedBy.file}:${d.requestedBy.line}`, {
        file: d.requestedBy.file,
        line: d.requestedBy.line,
        target: d.file,
        models: [],
        taken: true,
        skippedByKnownModel: false,
      });
  }
}

function modelInclude(
  run: CheckRun,
  file: string,
  line: number,
  target: string,
  models: readonly string[],
): { taken: boolean; skippedByKnownModel: boolean } {
  const key = `${file}:${line}`;
  let entry = run.modelIncludes.get(key);
  if (!entry) {
    entry = { file, line, target, models, taken: false, skippedByKnownModel: false };
    run.modelIncludes.set(key, entry);
  } else if (entry.models.length === 0) {
    entry = { ...entry, target, models };
    run.modelIncludes.set(key, entry);
  }
  return entry;
}

/** C5 for one file and model, computed once however many phones of the model read it. */
function accountIds(
  run: CheckRun,
  file: string,
  md5: string,
  analysis: FileAnalysis,
  phone: InventoryPhone,
  state: PhoneState,
): number[] {
  const firmware = parseFirmware(state.firmware);
  const modelFilter = firmware !== undefined && supportsModelFilter(phone.model, firmware);
  const key = `${file}\u0000${md5}\u0000${phone.model.id}\u0000${modelFilter}`;
  let ids = run.accountFindings.get(key);
  if (!ids) {
    ids = accountFindings(file, analysis.accounts, phone.model, modelFilter).map((f) => run.table.add(f));
    run.accountFindings.set(key, ids);
  }
  return ids;
}

/** The phone's flash before the round: new from the factory, or the saved state its row names. */
async function loadState(
  run: CheckRun,
  phone: InventoryPhone,
  add: (f: NewFinding) => void,
): Promise<PhoneState> {
  const factory = factoryState(phone.mac, phone.model.id, phone.firmware);
  if (phone.state.kind === 'factory') return factory;
  const inventoryFile = run.input.inventory?.file;
  const where = {
    ...(inventoryFile !== undefined && { file: inventoryFile }),
    ...(phone.line !== undefined && { line: phone.line }),
  };
  const read = await readStateFile(phone.state.path);
  const problem =
    read.kind === 'absent'
      ? `the saved state ${phone.state.path} does not exist`
      : read.kind === 'invalid'
        ? read.message
        : stateFits(read.state, phone, run.engine.catalogues.models);
  if (problem !== undefined || read.kind !== 'ok') {
    add({
      kind: 'inventory',
      rule: 'inventory',
      severity: 'error',
      ...where,
      message: `${problem ?? ''}; checked as a new phone`,
    });
    return factory;
  }
  return { ...read.state, firmware: phone.firmware };
}

/** B1/L1: a phone that gets no configuration at all. */
function noConfig(report: RoundReport, phone: InventoryPhone): NewFinding {
  const boot =
    report.boot?.file ?? report.downloads.find((d) => d.kind === 'boot' && d.outcome === 'ok')?.file;
  const why =
    report.status === 'nothing-found'
      ? `no <mac>.boot, no ${COMMON_BOOT}, no ${phone.model.commonCfg} and no <mac>.cfg for it in the tree (B1, L1)`
      : report.status === 'failed'
        ? 'its round failed (see the errors)'
        : boot
          ? `${boot} gives it no file it can apply`
          : 'no file of the tree applies to it';
  return {
    kind: 'no-config',
    rule: 'B1',
    severity: 'error',
    ...(boot !== undefined && { file: boot }),
    message: `the phone gets no configuration at all: ${why}`,
  };
}
