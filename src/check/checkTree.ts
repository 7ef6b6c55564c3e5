// `autop check`: one round of the real engine per phone against a tree on disk, its diagnostics and
// the catalogue's checks gathered as deduplicated findings (issue #4 §1, §6). One engine and one
// caching fetcher serve every phone, so a shared file is read, hashed and parsed once; each report
// is reduced to findings and a small summary as soon as its round ends, and then dropped.
import { pathToFileURL } from 'node:url';
import { parseBootFile, type BootFile } from '../config/bootFile.js';
import { parseCfgFile } from '../config/cfgFile.js';
import { parseFirmware } from '../core/firmware.js';
import { macWithColons, type Mac } from '../core/mac.js';
import type { Engine } from '../engine/round.js';
import type { ReportDiagnostic, RoundReport } from '../engine/report.js';
import { FileFetcher } from '../fetch/fileFetcher.js';
import { supportsModelFilter } from '../models/catalogue.js';
import { factoryState, type PhoneState } from '../phone/state.js';
import { readStateFile } from '../phone/stateFile.js';
import { accountFindings, analyseCfgFile, type FileAnalysis } from './fileAnalysis.js';
import { FindingTable, type Finding, type NewFinding, type Severity } from './finding.js';
import { stateFits, type InventoryPhone, type InventoryProblem } from './inventory.js';
import { classify, COMMON_BOOT, listTree, type TreeFile } from './treeFiles.js';

export interface PhoneSummary {
  readonly mac: string;
  readonly model: string;
  readonly firmware: string;
  readonly name?: string;
  readonly status: RoundReport['status'];
  readonly mechanism: RoundReport['mechanism'];
  readonly applied: readonly string[];
  readonly reboot: boolean;
  readonly upgrade: boolean;
  /** R3: the firmware the phone would install, and why (absent when no ROM is named). */
  readonly firmwareDecision?: { readonly rom: string; readonly install: boolean; readonly reason: string };
  /** Numbers (in `CheckResult.findings`) of the error findings that concern this phone. */
  readonly errors: number[];
  warnings: number;
}

export interface CheckInput {
  /** The tree's folder. */
  readonly tree: string;
  readonly phones: readonly InventoryPhone[];
  /** The inventory, when the phones came from one: its name in findings, and its bad rows. */
  readonly inventory?: { readonly file: string; readonly problems: readonly InventoryProblem[] };
  readonly engine: Engine;
  readonly now?: Date;
  /** Called with each phone's summary and full report before the report is dropped (bench, streaming). */
  readonly onPhone?: (summary: PhoneSummary, report: RoundReport) => void;
}

export interface CheckResult {
  readonly findings: readonly Finding[];
  readonly phones: readonly PhoneSummary[];
  readonly files: number;
}

/** Severity of an engine diagnostic in a check: M1 ("nothing new") is a fact about state, not the tree. */
function severityOf(d: ReportDiagnostic, base: 'error' | 'warning'): Severity {
  return d.rule === 'M1' ? 'note' : base;
}

const CONCURRENCY = 8;
const WINDOW = 64;

interface Done {
  readonly phone: InventoryPhone;
  readonly mac: string;
  readonly ids: ReadonlySet<number>;
  readonly firmware: string;
  readonly report: RoundReport;
}

export async function checkTree(input: CheckInput): Promise<CheckResult> {
  const { engine, tree } = input;
  const { models, params } = engine.catalogues;
  const table = new FindingTable();
  const files = await listTree(tree);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const fetcher = new FileFetcher(tree, { cache: true });
  const rootUrl = new URL(pathToFileURL(tree.endsWith('/') ? tree : `${tree}/`).href);
  const server = { url: rootUrl.href, source: 'autop check' };
  const now = input.now ?? new Date();

  const analyses = new Map<string, FileAnalysis>();
  const accountIds = new Map<string, number[]>();
  const fetchedBy = new Map<string, number>();
  const bootsRead = new Map<string, BootFile>();
  const tokens = new Set<string>();
  const summaries: PhoneSummary[] = [];

  for (const problem of input.inventory?.problems ?? []) {
    table.add({
      kind: 'inventory',
      rule: 'inventory',
      severity: 'error',
      file: input.inventory!.file,
      ...(problem.line !== undefined && { line: problem.line }),
      message: problem.message,
    });
  }

  /** The bytes of a file the round downloaded: the fetcher's cache answers, without a new read. */
  const textOf = async (file: string): Promise<{ text: string; md5: string } | undefined> => {
    const outcome = await fetcher.fetch({
      url: new URL(file.split('/').map(encodeURIComponent).join('/'), rootUrl),
      userAgent: 'autop check',
      transfer: { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true },
    });
    if (outcome.kind !== 'ok') return undefined;
    const md5 = outcome.md5!;
    return { md5, text: engine.cache.text(md5, outcome.bytes) };
  };

  const analysisOf = async (file: string, md5: string): Promise<FileAnalysis | undefined> => {
    const key = `${file}\u0000${md5}`;
    const known = analyses.get(key);
    if (known) return known;
    const got = await textOf(file);
    if (!got) return undefined;
    const parsed = engine.cache.cfg(file, got.md5, got.text, (text) =>
      parseCfgFile(text, { file, isToken: (t) => models.isToken(t) }),
    );
    const analysis = analyseCfgFile(
      file,
      (byPath.get(file) ?? classify(file)).kind,
      parsed,
      got.text,
      params,
    );
    analyses.set(key, analysis);
    return analysis;
  };

  const checkPhone = async (phone: InventoryPhone): Promise<Done> => {
    const mac = macWithColons(phone.mac);
    const ids = new Set<number>();
    const add = (f: NewFinding): void => void ids.add(table.add(f));

    const state = await loadState(phone, models, input.inventory?.file, add);
    const { report } = await engine.runRound({
      model: phone.model,
      state,
      server,
      fetcher,
      now,
      detail: 'lean',
    });

    // Every diagnostic the round reports (the same as `provision` prints); an include that is not in
    // the tree is an error of the tree here, where the engine only warns that a file was missing.
    for (const [list, base] of [
      [report.errors, 'error'],
      [report.warnings, 'warning'],
    ] as const) {
      for (const d of list) {
        const missing = report.downloads.find(
          (download) =>
            download.outcome === 'not-found' &&
            d.rule === 'D' &&
            download.requestedBy?.file === d.file &&
            download.requestedBy?.line === d.line,
        );
        if (missing) {
          const target = missing.file;
          add({
            kind: 'missing-include',
            rule: 'B3',
            severity: 'error',
            ...(d.file !== undefined && { file: d.file }),
            line: d.line,
            message: `the include target ${target} is not in the tree: phones that take this include do without it`,
          });
          continue;
        }
        add({
          kind: 'diagnostic',
          rule: d.rule,
          severity: severityOf(d, base),
          ...(d.file !== undefined && { file: d.file }),
          ...(d.line !== undefined && { line: d.line }),
          message: d.message,
        });
      }
    }

    // B6: overwrite mode, from the boot file the round used (the engine has it parsed already).
    let overwrite = false;
    const boot = report.downloads.find((d) => d.kind === 'boot' && d.outcome === 'ok');
    if (boot?.md5) {
      const got = await textOf(boot.file);
      if (got) {
        const parsed = engine.cache.boot(boot.file, got.md5, got.text, (text) =>
          parseBootFile(text, { file: boot.file, isToken: (t) => models.isToken(t) }),
        );
        overwrite = parsed.hasHeader && (parsed.overwriteMode?.value ?? 1) === 1;
        bootsRead.set(boot.file, parsed);
      }
    }
    if (phone.model.token) tokens.add(phone.model.token.toUpperCase());

    const firmware = parseFirmware(state.firmware);
    const modelFilter = firmware !== undefined && supportsModelFilter(phone.model, firmware);
    const seenFiles = new Set<string>();
    for (const d of report.downloads) {
      if (d.outcome !== 'ok' || !d.md5 || seenFiles.has(d.file)) continue;
      seenFiles.add(d.file);
      fetchedBy.set(d.file, (fetchedBy.get(d.file) ?? 0) + 1);
      if (d.kind !== 'config' && d.kind !== 'mac-local') continue;
      const analysis = await analysisOf(d.file, d.md5);
      if (!analysis) continue;
      for (const f of analysis.always) add(f);
      if (overwrite) for (const f of analysis.underOverwrite) add(f);
      const key = `${d.file}\u0000${d.md5}\u0000${phone.model.id}\u0000${modelFilter}`;
      let accounts = accountIds.get(key);
      if (!accounts) {
        const kind = (byPath.get(d.file) ?? classify(d.file)).kind;
        accounts = accountFindings(d.file, kind, analysis.accounts, phone.model, modelFilter).map((f) =>
          table.add(f),
        );
        accountIds.set(key, accounts);
      }
      for (const id of accounts) ids.add(id);
    }

    if (report.applied.length === 0) add(noConfig(report, phone.model.commonCfg));

    return { phone, mac, ids, firmware: state.firmware, report };
  };

  /** Counts the phone against its findings and keeps its summary; in inventory order. */
  const finish = ({ phone, mac, ids, firmware, report }: Done): void => {
    const errors: number[] = [];
    let warnings = 0;
    for (const id of ids) {
      table.attach(id, mac);
      const severity = table.all[id]!.severity;
      if (severity === 'error') errors.push(id);
      else if (severity === 'warning') warnings++;
    }
    const summary: PhoneSummary = {
      mac,
      model: phone.model.id,
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
    summaries.push(summary);
    input.onPhone?.(summary, report);
  };

  // A few rounds at a time, so that one phone's file reads overlap another's work; results are
  // committed in inventory order (deterministic counts, samples and onPhone), and at most WINDOW
  // finished reports wait for a slower one.
  const done = new Map<number, Done>();
  let committed = 0;
  let next = 0;
  let wake: (() => void)[] = [];
  const worker = async (): Promise<void> => {
    while (next < input.phones.length) {
      const index = next++;
      while (index >= committed + WINDOW) await new Promise<void>((resolve) => wake.push(resolve));
      done.set(index, await checkPhone(input.phones[index]!));
      while (done.has(committed)) {
        finish(done.get(committed)!);
        done.delete(committed++);
      }
      const waiting = wake;
      wake = [];
      for (const resolve of waiting) resolve();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, input.phones.length) }, worker));

  await treeFindings({ files, table, input, fetchedBy, bootsRead, tokens, analysisOf, textOf });
  return { findings: table.all, phones: summaries, files: files.length };
}

async function loadState(
  phone: InventoryPhone,
  models: Engine['catalogues']['models'],
  inventoryFile: string | undefined,
  add: (f: NewFinding) => void,
): Promise<PhoneState> {
  const factory = factoryState(phone.mac, phone.model.id, phone.firmware);
  if (phone.state.kind === 'factory') return factory;
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
        : stateFits(read.state, phone, models);
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

function noConfig(report: RoundReport, commonCfg: string): NewFinding {
  const boot = report.downloads.find((d) => d.kind === 'boot' && d.outcome === 'ok');
  const why =
    report.status === 'nothing-found'
      ? `no <mac>.boot, no ${COMMON_BOOT}, no ${commonCfg} and no <mac>.cfg for it in the tree (B1, L1)`
      : report.status === 'failed'
        ? 'its round failed (see the errors)'
        : boot
          ? `${boot.file} gives it no file it can apply`
          : 'no file of the tree applies to it';
  return {
    kind: 'no-config',
    rule: 'B1',
    severity: 'error',
    ...(boot && { file: boot.file }),
    message: `the phone gets no configuration at all: ${why}`,
  };
}

interface TreeContext {
  readonly files: readonly TreeFile[];
  readonly table: FindingTable;
  readonly input: CheckInput;
  readonly fetchedBy: ReadonlyMap<string, number>;
  readonly bootsRead: ReadonlyMap<string, BootFile>;
  /** The `[$MODEL]` tokens of the phones checked, upper case. */
  readonly tokens: ReadonlySet<string>;
  readonly analysisOf: (file: string, md5: string) => Promise<FileAnalysis | undefined>;
  readonly textOf: (file: string) => Promise<{ text: string; md5: string } | undefined>;
}

/** Findings about the tree as a whole, once every phone has had its round. */
async function treeFindings(ctx: TreeContext): Promise<void> {
  const { files, table, input, fetchedBy, bootsRead, tokens } = ctx;
  const { models } = input.engine.catalogues;
  const inventory = input.inventory !== undefined;
  const macs = new Set<string>(input.phones.map((p) => p.mac));
  const tree = (f: NewFinding): number => table.add(f);

  // B1 (the guide's troubleshooting case): with both boot files, phones with a MAC boot file
  // never read the common one.
  const rootMacBoots = files.filter((f) => f.kind === 'mac-boot' && !f.path.includes('/'));
  if (files.some((f) => f.path === COMMON_BOOT) && rootMacBoots.length > 0) {
    const id = tree({
      kind: 'mac-boot-with-common-boot',
      rule: 'B1',
      severity: 'warning',
      file: COMMON_BOOT,
      message: `${rootMacBoots.length} <mac>.boot file${rootMacBoots.length === 1 ? '' : 's'} beside it: those phones use only their own boot file and never read this one or what it includes`,
    });
    for (const f of rootMacBoots) table.attach(id, macWithColons(f.mac!.toLowerCase() as Mac));
  }

  // Names: MAC files must be lower case; and (with an inventory) belong to a phone of it.
  const withMacFile = new Set<string>();
  for (const f of files) {
    if (!f.mac) continue;
    const mac = f.mac.toLowerCase();
    withMacFile.add(mac);
    const rule = f.kind === 'mac-boot' ? 'B1' : f.kind === 'mac-cfg' ? 'C4' : 'K2';
    if (f.mac !== mac) {
      tree({
        kind: 'orphan-mac-file',
        rule,
        severity: 'warning',
        file: f.path,
        message: `the phone asks for ${f.path.replace(f.mac, mac)} (lower case); it never asks for this name`,
      });
    } else if (inventory && !macs.has(mac)) {
      tree({
        kind: 'orphan-mac-file',
        rule,
        severity: 'warning',
        file: f.path,
        message: `no phone of the inventory has the MAC ${macWithColons(mac as Mac)}: a phone that left, or a MAC mistyped`,
      });
    }
  }
  if (inventory) {
    const missing = input.phones.filter((p) => !withMacFile.has(p.mac));
    if (missing.length > 0) {
      const id = tree({
        kind: 'phone-without-mac-file',
        rule: 'C4',
        severity: 'warning',
        message:
          'inventory phones with no <mac>.boot or <mac>.cfg anywhere in the tree: they get only what is common to their model',
      });
      for (const p of missing) table.attach(id, macWithColons(p.mac));
    }
  }

  // B5: model-specific includes for models that no phone checked is: dead lines, or a model
  // token mistyped as another real one.
  for (const [file, boot] of bootsRead) {
    for (const include of boot.includes) {
      if (include.models === null) continue;
      if (include.models.some((m) => tokens.has(m.toUpperCase()))) continue;
      if (!include.models.some((m) => models.isToken(m))) continue; // already an error: unknown token
      tree({
        kind: 'unused-model-include',
        rule: 'B5',
        severity: 'warning',
        file,
        line: include.line,
        message: `no phone ${inventory ? 'of the inventory' : 'checked'} takes this include: none is a ${include.models.join(' or ')}`,
      });
    }
  }

  // Files no phone read: their own mistakes still count, and that nobody reads them is a finding.
  const shadowedCommon = files.some((f) => f.path === COMMON_BOOT) && rootMacBoots.length > 0;
  for (const f of files) {
    if (f.kind === 'other' || (fetchedBy.get(f.path) ?? 0) > 0) continue;
    const got = await ctx.textOf(f.path);
    if (!got) continue;
    if (f.kind === 'mac-boot' || f.kind === 'common-boot' || f.kind === 'boot') {
      const parsed = input.engine.cache.boot(f.path, got.md5, got.text, (text) =>
        parseBootFile(text, { file: f.path, isToken: (t) => models.isToken(t) }),
      );
      for (const d of parsed.diagnostics) tree({ kind: 'diagnostic', ...d });
    } else {
      const analysis = await ctx.analysisOf(f.path, got.md5);
      const parsed = input.engine.cache.cfg(f.path, got.md5, got.text, (text) =>
        parseCfgFile(text, { file: f.path, isToken: (t) => models.isToken(t) }),
      );
      for (const d of parsed.diagnostics) tree({ kind: 'diagnostic', ...d });
      for (const finding of analysis?.always ?? []) tree(finding);
    }
    const macFile = f.mac !== undefined;
    // A MAC file nobody reads is reported above (with an inventory) or is not for a checked phone.
    if (macFile && (!inventory || !macs.has(f.mac.toLowerCase()))) continue;
    if (f.kind === 'common-boot' && shadowedCommon) continue;
    tree({
      kind: 'unused-file',
      rule: f.kind === 'cfg' || f.kind === 'mac-cfg' ? 'B3' : 'B1',
      severity: 'warning',
      file: f.path,
      message: `no phone ${inventory ? 'of the inventory' : 'checked'} reads this file`,
    });
  }
}
