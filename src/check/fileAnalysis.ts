// Checks of one CFG file against the parameter catalogue, made once per file however many phones
// read it (issue #4 §1, §6): unknown parameters, values out of range, static parameters that
// overwrite mode will not reset (B6) or that MAC-local never applies (K1), and accounts beyond a
// model's count (C5), the one check that depends on who reads the file. One pass over the lines,
// linear in the file's size.
import { shownValue } from '../report/mask.js';
import { settingValue, type CfgFile } from '../config/cfgFile.js';
import { splitLines } from '../config/lines.js';
import type { ModelEntry } from '../models/catalogue.js';
import { ParameterCatalogue } from '../models/parameters.js';
import type { NewFinding } from './finding.js';
import type { TreeFileKind } from './treeFiles.js';
import { checkValue } from './valueRange.js';

export interface AccountLine {
  readonly line: number;
  readonly param: string;
  readonly account: number;
  readonly models: readonly string[] | null;
}

export interface FileAnalysis {
  /** Findings about the file whoever reads it. */
  readonly always: readonly NewFinding[];
  /** B6: findings that hold only for phones that read the file under overwrite mode 1. */
  readonly underOverwrite: readonly NewFinding[];
  /** C5: `account.N.*` lines, checked against each reading phone's model. */
  readonly accounts: readonly AccountLine[];
  /** R3: the last line that sets the firmware URL (`static.firmware.url`, older `firmware.url`). */
  readonly firmwareUrlLine?: number;
}

export interface AnalysisOptions {
  /**
   * The largest account count of any model (the W90DM's 250): the bound of `account.N` in names,
   * which the parameter catalogue gives for the guide's desk phones (16); C5 checks each model's own.
   */
  readonly maxAccounts: number;
}

const ACCOUNT = /^account\.(\d+)\./;
/** A commented-out static line: `# static.x = 1`, `#[T46U] static.x = 1`. */
const COMMENTED_STATIC = /^#+\s*(?:\[[^\]]*\]\s*)?(static\.[A-Za-z0-9_.-]+)\s*=/;

export function analyseCfgFile(
  file: string,
  kind: TreeFileKind,
  parsed: CfgFile,
  text: string,
  params: ParameterCatalogue,
  options: AnalysisOptions,
): FileAnalysis {
  const always: NewFinding[] = [];
  const underOverwrite: NewFinding[] = [];
  const accounts: AccountLine[] = [];
  let firmwareUrlLine: number | undefined;
  if (!parsed.hasHeader) return { always, underOverwrite, accounts };

  for (const setting of parsed.settings) {
    const { param, line } = setting;
    const account = ACCOUNT.exec(param);
    if (account) accounts.push({ line, param, account: Number(account[1]), models: setting.models });
    if (param === 'static.firmware.url' || param === 'firmware.url') firmwareUrlLine = line;

    if (kind === 'mac-local' && ParameterCatalogue.isStatic(param)) {
      always.push({
        kind: 'static-in-mac-local',
        rule: 'K1',
        severity: 'warning',
        file,
        line,
        message: `${param} is static: the phone never applies static settings from its MAC-local file; set it in a file the boot file includes`,
      });
    }

    const match = params.find(param);
    if (!match) {
      always.push({
        kind: 'unknown-parameter',
        rule: 'catalogue',
        severity: 'warning',
        file,
        line,
        message: `${param} is not in the parameter catalogue (models/parameters.json): a misspelling, or a parameter the catalogue lacks`,
      });
      continue;
    }
    const value = settingValue(setting.value);
    if (value === undefined) continue;
    const verdict = checkValue(match, value, account ? { n: [1, options.maxAccounts] } : undefined);
    if (!verdict.ok) {
      const shown = shownValue(param, value, params);
      // A range the catalogue itself marks as a guess (confidence L) only warns.
      const guessed = match.spec.confidence === 'L';
      always.push({
        kind: 'out-of-range',
        rule: 'catalogue',
        severity: guessed ? 'warning' : 'error',
        file,
        line,
        message: `${param} = ${shown}: expected ${verdict.expected}${guessed ? ' (the documented range is uncertain)' : ''}`,
      });
    }
  }

  // B6: under overwrite mode 1 a deleted or commented-out non-static parameter returns to its
  // default, but a static one keeps its value, silently.
  if (kind !== 'mac-local') {
    for (const { number, text: raw } of splitLines(text)) {
      const commented = COMMENTED_STATIC.exec(raw.trim());
      if (!commented || number === 1) continue;
      underOverwrite.push({
        kind: 'static-not-reset',
        rule: 'B6',
        severity: 'warning',
        file,
        line: number,
        message: `${commented[1]} is commented out, but overwrite mode does not reset static parameters that are removed: phones that had it keep the old value; write "${commented[1]} =" (blank) to reset it`,
      });
    }
  }
  return { always, underOverwrite, accounts, ...(firmwareUrlLine !== undefined && { firmwareUrlLine }) };
}

/**
 * C5: the `account.N.*` lines a phone of this model applies but cannot use. The phone ignores
 * them, so they are warnings (errors only with `--strict`): a template written for the largest
 * model of a family (FusionPBX's per-model files always write six accounts) is not broken.
 */
export function accountFindings(
  file: string,
  lines: readonly AccountLine[],
  model: ModelEntry,
  modelFilter: boolean,
): NewFinding[] {
  const token = model.token?.toUpperCase();
  // One finding per account, at its first line: a template's block for account 4 is one mistake.
  const byAccount = new Map<number, { first: AccountLine; last: number; count: number }>();
  for (const a of lines) {
    if (a.account <= model.accounts) continue;
    const named = a.models !== null && token !== undefined && a.models.some((m) => m.toUpperCase() === token);
    if (a.models !== null && (!modelFilter || !named)) continue; // C3: the line is not for this phone
    const block = byAccount.get(a.account);
    if (block) {
      block.count++;
      block.last = a.line;
    } else byAccount.set(a.account, { first: a, last: a.line, count: 1 });
  }
  const accounts = `${model.accounts} account${model.accounts === 1 ? '' : 's'}`;
  return [...byAccount].map(([account, { first, last, count }]) => ({
    kind: 'account-beyond-model',
    rule: 'C5',
    severity: 'warning',
    file,
    line: first.line,
    message:
      count === 1
        ? `${first.param}: the ${model.id} has ${accounts}, so it ignores this line of account ${account}`
        : `account.${account}.*: the ${model.id} has ${accounts}, so it ignores these ${count} lines of account ${account} (lines ${first.line}-${last})`,
  }));
}
