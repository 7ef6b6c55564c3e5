// `autop explain`: for one phone and one parameter, every line of the tree that sets it, which one
// won and why each other lost (issue #4 §5). The round is the engine's; this module only reads its
// report (downloads, skipped includes, provenance, changes) and the files it names.
import { shownValue } from '../report/mask.js';
import { parseBootFile } from '../config/bootFile.js';
import { parseCfgFile, settingValue, type CfgSetting } from '../config/cfgFile.js';
import { parseFirmware } from '../core/firmware.js';
import { paramOf } from '../engine/merge.js';
import type { Engine } from '../engine/round.js';
import type { Change, RoundReport, SkipReason } from '../engine/report.js';
import { labelFor } from '../engine/serverUrl.js';
import { TreeReader } from '../fetch/treeReader.js';
import { supportsModelFilter, type ModelEntry } from '../models/catalogue.js';
import { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import type { ChainEntry, ExplainResult, Explanation } from './explanation.js';

export type { ChainEntry, ExplainResult, Explanation, Verdict } from './explanation.js';

export interface ExplainInput {
  readonly engine: Engine;
  readonly tree: string;
  readonly model: ModelEntry;
  readonly state: PhoneState;
  /** Parameter names (or `name:user` keys); none: every parameter that more than one line sets. */
  readonly params: readonly string[];
  readonly showSecrets?: boolean;
  readonly now?: Date;
}

interface Candidate {
  readonly file: string;
  readonly settings: readonly CfgSetting[];
  /** Why the whole file did not apply; undefined: it did. */
  readonly skipped?: { readonly rule: string; readonly reason: string };
  readonly macLocal: boolean;
}

const SKIP: Record<SkipReason, { rule: string; reason: string }> = {
  'other-model': {
    rule: 'B5',
    reason: 'model filter: the boot file includes this file only for other models',
  },
  'excluded-mode': {
    rule: 'B7',
    reason: 'excluded mode: the phone found its own model file, so the unmarked includes are skipped',
  },
  'model-filter-unsupported': { rule: 'B5', reason: 'this firmware ignores [$MODEL] include lines' },
  'bad-url': { rule: 'B3', reason: 'the include target is not a usable URL' },
};

export async function explain(input: ExplainInput): Promise<ExplainResult> {
  const { engine, model, state } = input;
  const params = engine.catalogues.params;
  const isToken = (t: string): boolean => engine.catalogues.models.isToken(t);
  const reader = new TreeReader(input.tree);
  const { root } = reader;
  const { report } = await engine.runRound({
    model,
    state,
    server: { url: root.href, source: 'autop explain' },
    fetcher: reader,
    now: input.now ?? new Date(),
  });

  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const consider = async (file: string, macLocal: boolean, skipped?: Candidate['skipped']): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await read(reader, file);
    if (text === undefined) return;
    const parsed = parseCfgFile(text, { file, isToken });
    const notApplied = parsed.hasHeader
      ? skipped
      : { rule: 'C1', reason: 'the file has no version header, so the phone applies none of it' };
    candidates.push({
      file,
      settings: parsed.settings,
      ...(notApplied && { skipped: notApplied }),
      macLocal,
    });
  };
  // E1-E4: a file the phone refused (a wrong key, a plain file where only encrypted ones are taken)
  // applied none of its lines; the round's error about it says why.
  const refusals = new Map<string, { rule: string; reason: string }>();
  for (const e of report.errors) {
    if (e.file !== undefined && /^E\d$/.test(e.rule) && !refusals.has(e.file))
      refusals.set(e.file, { rule: e.rule, reason: `the phone refused the file: ${e.message}` });
  }
  for (const d of report.downloads) {
    if (d.outcome === 'ok' && (d.kind === 'config' || d.kind === 'mac-local'))
      await consider(d.file, d.kind === 'mac-local', refusals.get(d.file));
  }
  for (const s of report.skipped) {
    const target = labelFor(new URL(s.target, new URL(s.file, root)), root);
    await consider(target, false, SKIP[s.reason]);
  }
  // B1: the common boot file's includes, which a phone with its own boot file never reads.
  if (report.mechanism === 'mac-boot') {
    const commonUrl = new URL('y000000000000.boot', root);
    const common = await read(reader, commonUrl);
    if (common !== undefined) {
      for (const include of parseBootFile(common, { file: 'y000000000000.boot', isToken }).includes) {
        await consider(labelFor(new URL(include.target, commonUrl), root), false, {
          rule: 'B1',
          reason:
            'included only by y000000000000.boot, which this phone never reads: it has its own <mac>.boot',
        });
      }
    }
  }

  const firmware = parseFirmware(state.firmware);
  const modelFilter = firmware !== undefined && supportsModelFilter(model, firmware);
  // B6: the overwrite mode of the boot file the round used, as the round's report carries it.
  const overwrite = report.boot?.overwrite ?? false;

  // Every line of every candidate file, by key: each key's chain is read from its own lines only,
  // so explaining every parameter of a file of 100,000 settings stays linear (#13.2).
  const linesByKey = new Map<string, { candidate: number; setting: CfgSetting }[]>();
  for (const [candidate, c] of candidates.entries()) {
    for (const setting of c.settings) {
      const list = linesByKey.get(setting.key);
      if (list) list.push({ candidate, setting });
      else linesByKey.set(setting.key, [{ candidate, setting }]);
    }
  }
  const wantedParams = new Set(input.params);
  const keys = new Set<string>();
  const named = new Set<string>();
  for (const key of linesByKey.keys()) {
    if (input.params.length > 0 && !wantedParams.has(key) && !wantedParams.has(paramOf(key))) continue;
    keys.add(key);
    named.add(key);
    named.add(paramOf(key));
  }
  for (const p of input.params) if (!named.has(p)) keys.add(p);

  const changes = new Map(report.changes.map((c) => [c.key, c]));
  const explanations: Explanation[] = [];
  for (const key of [...keys].sort()) {
    const lines = linesByKey.get(key) ?? [];
    if (input.params.length === 0 && lines.length < 2) continue;
    explanations.push(
      explainKey(key, lines, {
        report,
        state,
        candidates,
        changes,
        params,
        model,
        modelFilter,
        overwrite,
        showSecrets: input.showSecrets ?? false,
      }),
    );
  }
  return { report, explanations };
}

async function read(reader: TreeReader, file: string | URL): Promise<string | undefined> {
  const got = await reader.read(file, 'autop explain');
  return got && new TextDecoder().decode(got.bytes);
}

interface KeyContext {
  readonly report: RoundReport;
  readonly state: PhoneState;
  readonly candidates: readonly Candidate[];
  readonly changes: ReadonlyMap<string, Change>;
  readonly params: ParameterCatalogue;
  readonly model: ModelEntry;
  readonly modelFilter: boolean;
  readonly overwrite: boolean;
  readonly showSecrets: boolean;
}

function explainKey(
  key: string,
  lines: readonly { readonly candidate: number; readonly setting: CfgSetting }[],
  ctx: KeyContext,
): Explanation {
  const { report, params } = ctx;
  const shown = (v: string | null): string | null => (ctx.showSecrets ? v : shownValue(key, v, params));
  const isStatic = ParameterCatalogue.isStatic(paramOf(key));
  const origin = report.provenance[key]?.origin;
  const token = ctx.model.token?.toUpperCase();
  const entries: ChainEntry[] = [];
  // Entries are listed as the files were considered, each file in line order.
  const order = new Map<ChainEntry, number>();
  const place = (entry: ChainEntry, at: number): void => {
    entries.push(entry);
    order.set(entry, at);
  };

  // The lines that reached the merge, in the order the merge saw them (B4, C2).
  const applied: { entry: Omit<ChainEntry, 'verdict' | 'rule' | 'reason'>; macLocal: boolean; at: number }[] =
    [];
  for (const { candidate: index, setting: s } of lines) {
    const c = ctx.candidates[index]!;
    // Files in the order considered, then lines: a file may have millions of lines.
    const at = index * 2 ** 32 + s.line;
    const value = settingValue(s.value);
    const base = {
      file: c.file,
      line: s.line,
      value: value === undefined ? null : shown(value),
      models: s.models,
    };
    if (c.skipped) {
      place({ ...base, verdict: 'ignored', ...c.skipped }, at);
    } else if (s.models !== null && !ctx.modelFilter) {
      place(
        {
          ...base,
          verdict: 'ignored',
          rule: 'C3',
          reason: 'this firmware ignores [$MODEL] lines',
        },
        at,
      );
    } else if (s.models !== null && (!token || !s.models.some((m) => m.toUpperCase() === token))) {
      place(
        {
          ...base,
          verdict: 'ignored',
          rule: 'C3',
          reason: `model filter: the line is for ${s.models.join(', ')}, not ${ctx.model.id}`,
        },
        at,
      );
    } else if (c.macLocal && isStatic) {
      place(
        {
          ...base,
          verdict: 'ignored',
          rule: 'K1',
          reason: 'static settings are never applied from the MAC-local file',
        },
        at,
      );
    } else {
      applied.push({ entry: base, macLocal: c.macLocal, at });
    }
  }

  const lastFileLine = [...applied].reverse().find((a) => !a.macLocal && a.entry.value !== null);
  const lastAny = [...applied].reverse().find((a) => !a.macLocal);
  for (const a of applied) {
    const { entry } = a;
    const wonByOrigin = origin?.kind === 'file' && origin.file === entry.file && origin.line === entry.line;
    if (a.macLocal) {
      place(
        {
          ...entry,
          verdict: origin?.kind === 'mac-local' ? 'won' : 'lost',
          rule: 'K3',
          reason:
            origin?.kind === 'mac-local'
              ? "MAC-local is applied last (custom.protect = 1): the user's value wins"
              : 'MAC-local applies only with custom.protect = 1',
        },
        a.at,
      );
    } else if (entry.value === null) {
      const resets = ctx.overwrite && a === lastAny;
      place(
        {
          ...entry,
          verdict: resets ? 'reset' : 'lost',
          rule: 'B6',
          reason: ctx.overwrite
            ? resets
              ? 'blank value under overwrite mode: back to the factory default'
              : 'blank value, overridden by a later line'
            : 'blank value: without overwrite mode it changes nothing (B6, L1)',
        },
        a.at,
      );
    } else if (wonByOrigin || (report.status === 'unchanged' && a === lastFileLine)) {
      place(
        {
          ...entry,
          verdict: 'won',
          rule: 'B4',
          reason: 'the last line that applies to this phone',
        },
        a.at,
      );
    } else if (origin?.kind === 'mac-local') {
      place(
        {
          ...entry,
          verdict: 'lost',
          rule: 'K3',
          reason: "MAC-local is applied last and keeps the user's value (custom.protect = 1)",
        },
        a.at,
      );
    } else {
      const later = lastFileLine && lastFileLine !== a ? lastFileLine.entry : undefined;
      const sameFile = later?.file === entry.file;
      place(
        {
          ...entry,
          verdict: 'lost',
          rule: later ? (sameFile ? 'C2' : 'B4') : 'B6',
          reason: later
            ? sameFile
              ? `set again later in the same file (line ${later.line}): the last occurrence wins`
              : `overridden by ${later.file}:${later.line}, which comes later in the include order`
            : ctx.overwrite
              ? 'reset later by a blank value (overwrite mode)'
              : 'overridden later',
        },
        a.at,
      );
    }
  }
  entries.sort((x, y) => order.get(x)! - order.get(y)!);

  const notes: string[] = [];
  const change = ctx.changes.get(key);
  if (change?.how === 'reset-deleted')
    notes.push(
      'B6: the server set it before and no file sets it now, so overwrite mode returned it to its factory default',
    );
  const previous = ctx.state.config[key];
  if (applied.length === 0 && previous !== undefined && report.config[key] !== undefined) {
    if (isStatic && ctx.overwrite)
      notes.push(
        'B6: no file sets it now, but overwrite mode never resets a static parameter that was removed: the phone keeps its old value',
      );
    else if (!ctx.overwrite)
      notes.push('B6, L1: no file sets it, and without overwrite mode the phone keeps the value it had');
  }
  if (origin?.kind === 'mac-local' && !applied.some((a) => a.macLocal))
    notes.push(
      "K3: the value comes from the phone's own MAC-local settings (custom.protect = 1), applied after every file",
    );
  if (origin?.kind === 'ui') notes.push("the value was set on the phone's own screen or web page");
  if (report.status === 'unchanged')
    notes.push('M1: the files have the same MD5s as in the last round, so this round changed nothing');
  if (report.status !== 'updated' && report.status !== 'unchanged')
    notes.push(
      `the round did not run to the end (${report.status}): the phone keeps its previous configuration`,
    );

  const def = params.defaultOf(paramOf(key)) ?? null;
  const value = report.config[key] ?? null;
  return { key, value: shown(value), default: def, static: isStatic, entries, notes };
}
