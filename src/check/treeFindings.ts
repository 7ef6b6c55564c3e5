// Findings about the tree as a whole, once every phone has had its round: MAC boot files beside
// the common one (B1), MAC file names (C4), model includes nobody takes (B5) and include targets
// no round followed that are not in the tree (B3), and the files no phone read, whose own mistakes
// still count (the only findings a MAC file of unknown model gets: they do not depend on the model).
import { parseBootFile } from '../config/bootFile.js';
import { parseCfgFile } from '../config/cfgFile.js';
import { macWithColons, type Mac } from '../core/mac.js';
import { labelFor, resolveIncludeUrl } from '../engine/serverUrl.js';
import { analysisOf, treeText, type CheckRun } from './checkRun.js';
import type { NewFinding } from './finding.js';
import { COMMON_BOOT } from './treeFiles.js';

export async function treeFindings(run: CheckRun): Promise<void> {
  macBootsBesideCommon(run);
  macFileNames(run);
  unusedModelIncludes(run);
  for (const include of run.modelIncludes.values()) {
    if (!include.taken) missingTarget(run, include.file, include.line, include.target, include.models);
  }
  await unreadFiles(run);
}

function add(run: CheckRun, f: NewFinding): number {
  return run.table.add(f);
}

function rootMacBoots(run: CheckRun) {
  return run.files.filter((f) => f.kind === 'mac-boot' && !f.path.includes('/'));
}

/** B1 (the guide's troubleshooting case): phones with a MAC boot file never read the common one. */
function macBootsBesideCommon(run: CheckRun): void {
  const macBoots = rootMacBoots(run);
  if (!run.byPath.has(COMMON_BOOT) || macBoots.length === 0) return;
  const id = add(run, {
    kind: 'mac-boot-with-common-boot',
    rule: 'B1',
    severity: 'warning',
    file: COMMON_BOOT,
    message: `${macBoots.length} <mac>.boot file${macBoots.length === 1 ? '' : 's'} beside it: those phones use only their own boot file and never read this one or what it includes`,
  });
  for (const f of macBoots) run.table.attach(id, macWithColons(f.mac!.toLowerCase() as Mac));
}

/** C4: MAC files must be lower case; and (with an inventory) belong to a phone of it. */
function macFileNames(run: CheckRun): void {
  const inventory = run.input.inventory !== undefined;
  const macs = new Set<string>(run.input.phones.map((p) => p.mac));
  const withMacFile = new Set<string>();
  for (const f of run.files) {
    if (!f.mac) continue;
    const mac = f.mac.toLowerCase();
    withMacFile.add(mac);
    const rule = f.kind === 'mac-boot' ? 'B1' : f.kind === 'mac-cfg' ? 'C4' : 'K2';
    if (f.mac !== mac) {
      add(run, {
        kind: 'orphan-mac-file',
        rule,
        severity: 'warning',
        file: f.path,
        message: `the phone asks for ${f.path.replace(f.mac, mac)} (lower case); it never asks for this name`,
      });
    } else if (inventory && !macs.has(mac)) {
      add(run, {
        kind: 'orphan-mac-file',
        rule,
        severity: 'warning',
        file: f.path,
        message: `no phone of the inventory has the MAC ${macWithColons(mac as Mac)}: a phone that left, or a MAC mistyped`,
      });
    }
  }
  if (!inventory) return;
  const missing = run.input.phones.filter((p) => !withMacFile.has(p.mac));
  if (missing.length === 0) return;
  const id = add(run, {
    kind: 'phone-without-mac-file',
    rule: 'C4',
    severity: 'warning',
    message:
      'inventory phones with no <mac>.boot or <mac>.cfg anywhere in the tree: they get only what is common to their model',
  });
  for (const p of missing) run.table.attach(id, macWithColons(p.mac));
}

/** B5: model includes for models that no phone checked is: dead lines, or a token mistyped as another. */
function unusedModelIncludes(run: CheckRun): void {
  const { models } = run.engine.catalogues;
  const tokens = new Set(
    run.input.phones.flatMap((p) => (!p.modelUnknown && p.model.token ? [p.model.token.toUpperCase()] : [])),
  );
  const who = run.input.inventory !== undefined ? 'of the inventory' : 'checked';
  for (const include of run.modelIncludes.values()) {
    if (include.taken || !include.skippedByKnownModel) continue;
    if (include.models.some((m) => tokens.has(m.toUpperCase()))) continue;
    if (!include.models.some((m) => models.isToken(m))) continue; // already an error: unknown token
    add(run, {
      kind: 'unused-model-include',
      rule: 'B5',
      severity: 'warning',
      file: include.file,
      line: include.line,
      message: `no phone ${who} takes this include: none is a ${include.models.join(' or ')}`,
    });
  }
}

/**
 * B3: the target of an include that no round followed (another model's, or in a boot file no phone
 * read) must still be in the tree: the phones it is for would do without it.
 */
function missingTarget(
  run: CheckRun,
  bootFile: string,
  line: number,
  target: string,
  models: readonly string[] | null,
): void {
  // A line for unknown tokens only is an error already (B5), and no phone takes it anyway.
  if (models && models.length > 0 && !models.some((m) => run.engine.catalogues.models.isToken(m))) return;
  const bootUrl = run.reader.urlOf(bootFile);
  const url = resolveIncludeUrl(target, bootUrl);
  if (!url || url.protocol !== 'file:') return; // a URL outside the tree: not the tree's to check
  const path = labelFor(url, run.reader.root);
  if (path.startsWith('file:') || run.byPath.has(path)) return;
  const whose = models && models.length > 0 ? `phones of the ${models.join(' or ')}` : 'phones that take it';
  add(run, {
    kind: 'missing-include',
    rule: 'B3',
    severity: 'error',
    file: bootFile,
    line,
    message: `the include target ${path} is not in the tree: ${whose} would do without it`,
  });
}

/** Files no phone read: their own mistakes still count, and that nobody reads them is a finding. */
async function unreadFiles(run: CheckRun): Promise<void> {
  const { models } = run.engine.catalogues;
  const inventory = run.input.inventory !== undefined;
  const macs = new Set<string>(run.input.phones.map((p) => p.mac));
  const shadowedCommon = run.byPath.has(COMMON_BOOT) && rootMacBoots(run).length > 0;
  const isToken = (t: string): boolean => models.isToken(t);
  for (const f of run.files) {
    if (f.kind === 'other' || (run.fetchedBy.get(f.path) ?? 0) > 0) continue;
    const got = await treeText(run, f.path);
    if (!got) continue;
    if (f.kind === 'mac-boot' || f.kind === 'common-boot' || f.kind === 'boot') {
      const parsed = run.engine.cache.boot(f.path, got.md5, got.text, (text) =>
        parseBootFile(text, { file: f.path, isToken }),
      );
      for (const d of parsed.diagnostics) add(run, { kind: 'diagnostic', ...d });
      for (const include of parsed.includes)
        missingTarget(run, f.path, include.line, include.target, include.models);
    } else {
      const parsed = run.engine.cache.cfg(f.path, got.md5, got.text, (text) =>
        parseCfgFile(text, { file: f.path, isToken }),
      );
      for (const d of parsed.diagnostics) add(run, { kind: 'diagnostic', ...d });
      const analysis = await analysisOf(run, f.path, got.md5);
      for (const finding of analysis?.always ?? []) add(run, finding);
    }
    // A MAC file nobody reads is reported above (with an inventory), or is a phone of unknown model.
    if (f.mac !== undefined && (!inventory || !macs.has(f.mac.toLowerCase()))) continue;
    if (f.kind === 'common-boot' && shadowedCommon) continue;
    add(run, {
      kind: 'unused-file',
      rule: f.kind === 'cfg' || f.kind === 'mac-cfg' ? 'B3' : 'B1',
      severity: 'warning',
      file: f.path,
      message: `no phone ${inventory ? 'of the inventory' : 'checked'} reads this file`,
    });
  }
}
