// B1, L1, B3-B7, C3, E1-E4, K2: which files a round downloads, in which order, which of their lines
// apply to this phone, and their MD5s (M1). Work per file is linear in its size and done once per
// file and model (ParseCache); nothing here is quadratic in the include count (#13.2).
import { withoutUserInfo } from '../core/url.js';
import { parseBootFile, type BootFile, type BootInclude } from '../config/bootFile.js';
import { parseCfgFile, settingValue, type CfgFile } from '../config/cfgFile.js';
import { error, warning } from '../config/diagnostic.js';
import { supportsExcludedMode } from '../models/catalogue.js';
import { plainText } from './decryptStep.js';
import { layersOf, type FileLayers } from './fileLayers.js';
import type { Layers } from './merge.js';
import type { BootSummary, Mechanism, SkippedInclude } from './report.js';
import { fetchFile, textOf, type Context, type Fetched } from './roundContext.js';
import { RoundKeys } from './roundKeys.js';
import { firmwareOf } from './serverStep.js';
import { directoryOf, fileName, parseServerUrl, resolveIncludeUrl, type ServerTarget } from './serverUrl.js';

/** The outcome of gathering: what the merge needs, or why the round stops here. */
export type Gathered =
  | { readonly kind: 'failed'; readonly mechanism: Mechanism; readonly boot: BootSummary | null }
  | { readonly kind: 'nothing' }
  | {
      readonly kind: 'ok';
      readonly mechanism: Mechanism;
      readonly boot: BootSummary | null;
      /** The applied files' lines for this phone, in the order they apply (B4). */
      readonly layers: Layers;
      /** The names of the applied files, in order. */
      readonly applied: readonly string[];
      /** Files the phone refused or could not read from the tree: what they set before stays (B6). */
      readonly refused: ReadonlySet<string>;
      /** B6: overwrite mode 1. */
      readonly overwrite: boolean;
      /** M1: URL (no user info) → MD5 of every configuration file of the round, MAC-local included. */
      readonly md5: ReadonlyMap<string, string>;
      /** The round keys (E1-E4, K1-K2) as the files leave them. */
      readonly keys: RoundKeys;
      /** K2: the MAC-local settings downloaded from the server (custom.sync = 1), when there were any. */
      readonly macLocal?: Readonly<Record<string, string>>;
    };

type Ok = Extract<Gathered, { kind: 'ok' }>;

/** What the round has gathered so far. */
class Gathering {
  readonly layers: FileLayers[] = [];
  readonly applied: string[] = [];
  readonly refused = new Set<string>();
  readonly md5 = new Map<string, string>();
  readonly keys: RoundKeys;

  constructor(ctx: Context) {
    this.keys = new RoundKeys(ctx.before);
  }

  /** M1 counts every configuration file the round downloaded, keyed without user info. */
  downloaded(file: Fetched): void {
    this.md5.set(withoutUserInfo(file.url).href, file.md5);
  }

  done(mechanism: Mechanism, overwrite: boolean, boot: BootSummary | null): Ok {
    return {
      kind: 'ok',
      mechanism,
      boot,
      layers: this.layers,
      applied: this.applied,
      refused: this.refused,
      overwrite,
      md5: this.md5,
      keys: this.keys,
    };
  }
}

/** B1, L1 and K2: the files the round reads, in order, and their settings that apply to this phone. */
export async function gather(ctx: Context, target: ServerTarget, bootFiles: boolean): Promise<Gathered> {
  const acc = new Gathering(ctx);
  const found = await gatherFiles(ctx, target, bootFiles, acc);
  if (found.kind !== 'ok') return found;
  const macLocal = await fetchMacLocal(ctx, acc, found.overwrite);
  if (macLocal === 'failed') return { kind: 'failed', mechanism: found.mechanism, boot: found.boot };
  return { ...found, ...(macLocal && { macLocal }) };
}

async function gatherFiles(
  ctx: Context,
  target: ServerTarget,
  bootFiles: boolean,
  acc: Gathering,
): Promise<Gathered> {
  const { state, model } = ctx.input;
  if (target.kind === 'cfg-file') {
    const got = await fetchFile(ctx, target.url, 'config');
    if (got.kind === 'failed') return { kind: 'failed', mechanism: 'legacy', boot: null };
    if (got.kind !== 'ok') return { kind: 'nothing' };
    await readConfig(ctx, got.file, acc);
    return acc.done('legacy', false, null);
  }

  if (bootFiles) {
    // B1: the MAC boot file, else the common one; S4: a URL naming a boot file fetches only that.
    const candidates: [URL, Mechanism][] =
      target.kind === 'boot-file'
        ? [
            [
              target.url,
              fileName(target.url).toLowerCase().startsWith(state.mac) ? 'mac-boot' : 'common-boot',
            ],
          ]
        : [
            [new URL(`${state.mac}.boot`, target.url), 'mac-boot'],
            [new URL('y000000000000.boot', target.url), 'common-boot'],
          ];
    for (const [url, mechanism] of candidates) {
      const got = await fetchFile(ctx, url, 'boot');
      if (got.kind === 'failed') return { kind: 'failed', mechanism, boot: null };
      if (got.kind === 'ok') return readBoot(ctx, got.file, mechanism, acc);
    }
    if (target.kind === 'boot-file') return { kind: 'nothing' };
  } else {
    ctx.log.add(
      warning(
        'B1',
        `${model.id} firmware ${state.firmware} predates boot files (from ${model.bootSince}); using the legacy mechanism`,
      ),
    );
  }

  // L1: the model's common CFG, then <mac>.cfg, which overrides it.
  for (const name of [model.commonCfg, `${state.mac}.cfg`]) {
    const got = await fetchFile(ctx, new URL(name, target.url), 'config');
    if (got.kind === 'failed') return { kind: 'failed', mechanism: 'legacy', boot: null };
    if (got.kind === 'ok') await readConfig(ctx, got.file, acc);
  }
  if (acc.md5.size === 0) return { kind: 'nothing' };
  return acc.done('legacy', false, null);
}

async function readBoot(
  ctx: Context,
  boot: Fetched,
  mechanism: Mechanism,
  acc: Gathering,
): Promise<Gathered> {
  const { model, state } = ctx.input;
  acc.downloaded(boot);
  const parsed: BootFile = ctx.cache.boot(boot.file, boot.md5, textOf(ctx, boot), (text) =>
    parseBootFile(text, { file: boot.file, isToken: (t) => ctx.catalogues.models.isToken(t) }),
  );
  ctx.log.addAll(parsed.diagnostics);
  // B2: the phone does not accept a boot file without its header: it applies nothing and deletes nothing.
  if (!parsed.hasHeader)
    return acc.done(mechanism, false, { file: boot.file, overwrite: false, excludedMode: false });

  // B7: exclude mode only where the firmware honours it; elsewhere the key is ignored (mode 0).
  let excluded = parsed.excludedMode?.value === 1;
  const firmware = firmwareOf(state.firmware)!;
  if (excluded && !supportsExcludedMode(model, firmware)) {
    ctx.log.add(
      warning(
        'B7',
        `${model.id} firmware ${firmware.major} does not support specific_model.excluded_mode${model.excludedModeSince ? ` (from ${model.excludedModeSince})` : ''}; it is ignored (mode 0)`,
        boot.file,
        parsed.excludedMode?.line,
      ),
    );
    excluded = false;
  }
  // B6: overwrite mode 1 is the default when a boot file is used.
  const overwrite = (parsed.overwriteMode?.value ?? 1) === 1;
  const summary: BootSummary = { file: boot.file, overwrite, excludedMode: excluded };

  const { own, unmarked } = sortIncludes(ctx, boot.file, parsed.includes);
  const fetchIncludes = async (includes: readonly BootInclude[]): Promise<'failed' | number> => {
    let found = 0;
    for (const include of includes) {
      const url = resolveIncludeUrl(include.target, boot.url);
      if (!url) {
        ctx.log.add(
          error('B3', `"${include.target}" is not a URL the phone can resolve`, boot.file, include.line),
        );
        skip(ctx, boot.file, include, 'bad-url');
        continue;
      }
      const got = await fetchFile(ctx, url, 'config', {
        requestedBy: { file: boot.file, line: include.line },
      });
      if (got.kind === 'failed') return 'failed';
      if (got.kind === 'not-fetched') acc.refused.add(got.file);
      if (got.kind !== 'ok') continue;
      found++;
      await readConfig(ctx, got.file, acc);
    }
    return found;
  };

  if (excluded) {
    // B7 mode 1 (Decision): the unmarked includes only when none of the model's own was downloaded.
    const found = await fetchIncludes(own);
    if (found === 'failed') return { kind: 'failed', mechanism, boot: summary };
    if (found === 0) {
      if ((await fetchIncludes(unmarked)) === 'failed') return { kind: 'failed', mechanism, boot: summary };
    } else {
      for (const include of unmarked) skip(ctx, boot.file, include, 'excluded-mode');
    }
  } else {
    // B4, B7 mode 0: the model's includes and the unmarked ones, in the order listed.
    const wanted = new Set(own);
    for (const include of unmarked) wanted.add(include);
    if ((await fetchIncludes(parsed.includes.filter((i) => wanted.has(i)))) === 'failed')
      return { kind: 'failed', mechanism, boot: summary };
  }
  return acc.done(mechanism, overwrite, summary);
}

/** B5: the includes for this phone's model, the unmarked ones, and (skipped) the rest. */
function sortIncludes(
  ctx: Context,
  bootFile: string,
  includes: readonly BootInclude[],
): { own: BootInclude[]; unmarked: BootInclude[] } {
  const { model, state } = ctx.input;
  const token = model.token?.toUpperCase();
  const own: BootInclude[] = [];
  const unmarked: BootInclude[] = [];
  let unsupportedWarned = false;
  for (const include of includes) {
    if (include.models === null) unmarked.push(include);
    else if (!ctx.modelFilter) {
      // B5 Decision: a phone that does not understand [$MODEL] ignores the line, with a warning.
      skip(ctx, bootFile, include, 'model-filter-unsupported');
      if (!unsupportedWarned) {
        ctx.log.add(
          warning(
            'B5',
            `${model.id} firmware ${state.firmware} does not understand [$MODEL] prefixes; those includes are ignored`,
            bootFile,
            include.line,
          ),
        );
        unsupportedWarned = true;
      }
    } else if (token && include.models.some((m) => m.toUpperCase() === token)) own.push(include);
    else skip(ctx, bootFile, include, 'other-model');
  }
  return { own, unmarked };
}

function skip(ctx: Context, file: string, include: BootInclude, reason: SkippedInclude['reason']): void {
  ctx.log.skipped.push({ file, line: include.line, target: include.target, models: include.models, reason });
}

/**
 * A CFG of the round: decrypted if it must be (E1-E4), parsed and filtered for this phone's model
 * (C3) once per content and model, its round keys noted; a file the phone refuses is noted as such.
 */
async function readConfig(ctx: Context, fetched: Fetched, acc: Gathering): Promise<void> {
  acc.downloaded(fetched);
  const layers = await configLayers(ctx, fetched, acc.keys);
  if (!layers) {
    acc.refused.add(fetched.file);
    return;
  }
  acc.keys.apply(layers.keys);
  acc.layers.push(layers);
  acc.applied.push(fileName(fetched.url));
}

/** The lines of a CFG that apply to this phone; null when the phone refuses the file. */
async function configLayers(ctx: Context, fetched: Fetched, keys: RoundKeys): Promise<FileLayers | null> {
  const plain = await plainText(ctx, fetched, keys);
  if (plain === null) return null;
  const parse = (text: string): CfgFile =>
    parseCfgFile(text, { file: fetched.file, isToken: (token) => ctx.catalogues.models.isToken(token) });
  const token = ctx.input.model.token?.toUpperCase();
  // A decrypted file is the phone's own (E1) and its text depends on the key: not worth caching.
  const parsed = plain.decrypted
    ? parse(plain.text)
    : ctx.cache.cfg(fetched.file, fetched.md5, plain.text, parse);
  ctx.log.addAll(parsed.diagnostics);
  if (!parsed.hasHeader) return null;
  const layers = plain.decrypted
    ? layersOf(fetched.file, parsed, token, ctx.modelFilter)
    : ctx.cache.layers(fetched.file, fetched.md5, token, ctx.modelFilter, () =>
        layersOf(fetched.file, parsed, token, ctx.modelFilter),
      );
  if (layers.ignoredPrefixes) {
    ctx.log.add(
      warning(
        'C3',
        `${layers.ignoredPrefixes.count} [$MODEL] line(s) ignored: this firmware does not understand model prefixes`,
        fetched.file,
        layers.ignoredPrefixes.firstLine,
      ),
    );
  }
  return layers;
}

/** K2: with custom.sync = 1, `<mac>-local.cfg` from `custom.sync.path`, or from the server's folder. */
async function fetchMacLocal(
  ctx: Context,
  acc: Gathering,
  overwrite: boolean,
): Promise<Record<string, string> | undefined | 'failed'> {
  const defaultOf = (key: string): string | undefined => ctx.catalogues.params.defaultOf(key);
  const { keys } = acc;
  if (keys.final('static.auto_provision.custom.sync', overwrite, defaultOf) !== '1') return undefined;
  const path = keys.final('static.auto_provision.custom.sync.path', overwrite, defaultOf).trim();
  let dir = ctx.root;
  if (path !== '') {
    const parsed = parseServerUrl(path);
    if (!parsed.ok) {
      ctx.log.add(error('K2', `static.auto_provision.custom.sync.path: ${parsed.message}`));
      return undefined;
    }
    dir = parsed.target.kind === 'directory' ? parsed.target.url : directoryOf(parsed.target.url);
  }
  const got = await fetchFile(ctx, new URL(`${ctx.input.state.mac}-local.cfg`, dir), 'mac-local');
  if (got.kind === 'failed') return 'failed';
  if (got.kind !== 'ok') return undefined;
  acc.downloaded(got.file);
  const layers = await configLayers(ctx, got.file, keys);
  if (!layers) return undefined;
  const local: Record<string, string> = {};
  for (const setting of layers.settings) {
    const value = settingValue(setting.value);
    if (value !== undefined) local[setting.key] = value;
  }
  return local;
}
