// The state of one `autop check` run, explicit (issue #16 §4): the tree's files, the one caching
// fetcher and engine every phone shares, the findings so far, and what the rounds taught about the
// tree (which files were read, which model includes were taken). Functions over it, no closure.
import { parseCfgFile } from '../config/cfgFile.js';
import type { Engine } from '../engine/round.js';
import { TreeReader } from '../fetch/treeReader.js';
import type { RoundReport } from '../engine/report.js';
import { analyseCfgFile, type FileAnalysis } from './fileAnalysis.js';
import { FindingTable } from './finding.js';
import type { InventoryPhone, InventoryProblem } from './inventory.js';
import type { ModelChoice } from './modelChoice.js';
import type { PhoneSummary } from './checkResult.js';

export type { CheckResult, PhoneSummary } from './checkResult.js';
import { classify, listTree, type TreeFile } from './treeFiles.js';

export interface CheckInput {
  /** The tree's folder. */
  readonly tree: string;
  readonly phones: readonly InventoryPhone[];
  /** The inventory, when the phones came from one: its name in findings, and its bad rows. */
  readonly inventory?: {
    /** Absent for phones handed over as objects (the library's `inventory: [...]`). */
    readonly file?: string;
    readonly problems: readonly InventoryProblem[];
  };
  /** How the phones were chosen, said in every output (default: from the inventory). */
  readonly choice?: ModelChoice;
  readonly engine: Engine;
  readonly now?: Date;
  /** Warnings are errors (`--strict`), in the findings themselves. */
  readonly strict?: boolean;
  /** Called with each phone's summary and full report before the report is dropped (bench, streaming). */
  readonly onPhone?: (summary: PhoneSummary, report: RoundReport) => void;
}

/** A `[$MODEL]` include line of a boot file, as the rounds met it (B5). */
export interface ModelInclude {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly models: readonly string[];
  /** Taken by at least one phone (downloaded, or tried). */
  taken: boolean;
  /** Skipped as another model's by a phone whose model is known. */
  skippedByKnownModel: boolean;
}

export interface CheckRun {
  readonly input: CheckInput;
  readonly engine: Engine;
  readonly table: FindingTable;
  readonly files: readonly TreeFile[];
  readonly byPath: ReadonlyMap<string, TreeFile>;
  /** The tree, read through one cache by every round and by the findings. */
  readonly reader: TreeReader;
  readonly now: Date;
  /** The largest account count of the catalogue, the bound of `account.N` in names. */
  readonly maxAccounts: number;
  /** Per file and MD5: the file's analysis, made once. */
  readonly analyses: Map<string, FileAnalysis>;
  /** Per file, MD5, model and model filter: the C5 findings' numbers. */
  readonly accountFindings: Map<string, number[]>;
  /** How many phones read each file. */
  readonly fetchedBy: Map<string, number>;
  /** B5: the model include lines the rounds met, by `file:line`. */
  readonly modelIncludes: Map<string, ModelInclude>;
  readonly summaries: PhoneSummary[];
}

export async function openRun(input: CheckInput): Promise<CheckRun> {
  const files = await listTree(input.tree);
  const tree = input.tree;
  return {
    input,
    engine: input.engine,
    table: new FindingTable(input.strict ?? false),
    files,
    byPath: new Map(files.map((f) => [f.path, f])),
    reader: new TreeReader(tree),
    now: input.now ?? new Date(),
    maxAccounts: Math.max(...input.engine.catalogues.models.models.map((m) => m.accounts)),
    analyses: new Map(),
    accountFindings: new Map(),
    fetchedBy: new Map(),
    modelIncludes: new Map(),
    summaries: [],
  };
}

export function fileKind(run: CheckRun, file: string): TreeFile['kind'] {
  return (run.byPath.get(file) ?? classify(file)).kind;
}

/** The text of a file of the tree: the fetcher's cache answers for a file a round read already. */
export async function treeText(
  run: CheckRun,
  file: string,
): Promise<{ text: string; md5: string } | undefined> {
  const read = await run.reader.read(file, 'autop check');
  return read && { md5: read.md5, text: run.engine.cache.text(read.md5, read.bytes) };
}

/** A CFG file's analysis, made once per file and content (the engine's parse cache shared). */
export async function analysisOf(
  run: CheckRun,
  file: string,
  md5: string,
): Promise<FileAnalysis | undefined> {
  const key = `${file}\u0000${md5}`;
  const known = run.analyses.get(key);
  if (known) return known;
  const got = await treeText(run, file);
  if (!got) return undefined;
  const { models, params } = run.engine.catalogues;
  const parsed = run.engine.cache.cfg(file, got.md5, got.text, (text) =>
    parseCfgFile(text, { file, isToken: (t) => models.isToken(t) }),
  );
  const analysis = analyseCfgFile(file, fileKind(run, file), parsed, got.text, params, {
    maxAccounts: run.maxAccounts,
  });
  run.analyses.set(key, analysis);
  return analysis;
}
