// B1, L1, B3-B7, C3, K2: which files a round downloads, in which order, and which of their lines
// apply to this phone.
import { parseFirmware } from '../core/firmware.js';
import { type Mac } from '../core/mac.js';
import { parseBootFile, type BootFile, type BootInclude } from '../config/bootFile.js';
import { parseCfgFile, type CfgFile } from '../config/cfgFile.js';
import { error, warning } from '../config/diagnostic.js';
import { supportsExcludedMode } from '../models/catalogue.js';
import { type LayerSetting } from './merge.js';
import type { BootReport, Mechanism, SkippedInclude } from './report.js';
import { directoryOf, fileName, parseServerUrl, resolveIncludeUrl, type ServerTarget } from './serverUrl.js';
import { type ConfigView } from './settings.js';
import { fetchFile, type Context, type Fetched } from './roundContext.js';
import { plainText } from './decryptStep.js';

export type Gathered =
  | { kind: 'failed'; mechanism: Mechanism }
  | { kind: 'nothing' }
  | {
      kind: 'ok';
      mechanism: Mechanism;
      layers: LayerSetting[];
      overwrite: boolean;
      applied: string[];
      boot: BootReport | null;
    };

/** B1, L1: which files the round reads, in order, and their settings that apply to this phone. */
export async function gatherFiles(
  ctx: Context,
  target: ServerTarget,
  bootFiles: boolean,
  major: number,
): Promise<Gathered> {
  const { state, model } = ctx.input;
  if (target.kind === 'cfg-file') {
    const file = await fetchFile(ctx, target.url, 'config');
    if (file === 'failed') return { kind: 'failed', mechanism: 'legacy' };
    if (!file) return { kind: 'nothing' };
    const layers = await cfgLayers(ctx, file);
    return {
      kind: 'ok',
      mechanism: 'legacy',
      layers: layers ?? [],
      overwrite: false,
      applied: layers ? [fileName(file.url)] : [],
      boot: null,
    };
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
      const boot = await fetchFile(ctx, url, 'boot');
      if (boot === 'failed') return { kind: 'failed', mechanism };
      if (boot) return readBoot(ctx, boot, mechanism, major);
    }
    if (target.kind === 'boot-file') return { kind: 'nothing' };
  } else {
    ctx.log.diagnostics.push(
      warning(
        'B1',
        `${model.id} firmware ${state.firmware} predates boot files (from ${model.bootSince}); using the legacy mechanism`,
      ),
    );
  }

  // L1: the model's common CFG, then <mac>.cfg, which overrides it.
  const layers: LayerSetting[] = [];
  const applied: string[] = [];
  for (const name of [model.commonCfg, `${state.mac}.cfg`]) {
    const file = await fetchFile(ctx, new URL(name, target.url), 'config');
    if (file === 'failed') return { kind: 'failed', mechanism: 'legacy' };
    if (!file) continue;
    const fileLayers = await cfgLayers(ctx, file);
    if (fileLayers) {
      for (const layer of fileLayers) layers.push(layer);
      applied.push(fileName(file.url));
    }
  }
  if (ctx.log.md5.size === 0) return { kind: 'nothing' };
  return { kind: 'ok', mechanism: 'legacy', layers, overwrite: false, applied, boot: null };
}

export async function readBoot(
  ctx: Context,
  boot: Fetched,
  mechanism: Mechanism,
  major: number,
): Promise<Gathered> {
  const { model, state } = ctx.input;
  const parsed: BootFile = ctx.cache.boot(boot.file, boot.md5, boot.text, (text) =>
    parseBootFile(text, { file: boot.file, isToken: (t) => ctx.catalogues.models.isToken(t) }),
  );
  for (const d of parsed.diagnostics) ctx.log.diagnostics.push(d);
  if (!parsed.hasHeader)
    return {
      kind: 'ok',
      mechanism,
      layers: [],
      overwrite: true,
      applied: [],
      boot: { file: boot.file, overwrite: true, excludedMode: false },
    };

  // B7: exclude mode only where the firmware honours it; elsewhere the key is ignored (mode 0).
  let excluded = parsed.excludedMode?.value === 1;
  if (excluded && !supportsExcludedMode(model, parseFirmware(state.firmware)!)) {
    ctx.log.diagnostics.push(
      warning(
        'B7',
        `${model.id} firmware ${major} does not support specific_model.excluded_mode${model.excludedModeSince ? ` (from ${model.excludedModeSince})` : ''}; it is ignored (mode 0)`,
        boot.file,
        parsed.excludedMode?.line,
      ),
    );
    excluded = false;
  }

  const own: BootInclude[] = [];
  const unmarked: BootInclude[] = [];
  let unsupportedWarned = false;
  for (const include of parsed.includes) {
    if (include.models === null) unmarked.push(include);
    else if (!ctx.modelFilter) {
      // B5 Decision: a phone that does not understand [$MODEL] ignores the line, with a warning.
      skip(ctx, boot.file, include, 'model-filter-unsupported');
      if (!unsupportedWarned) {
        ctx.log.diagnostics.push(
          warning(
            'B5',
            `${model.id} firmware ${state.firmware} does not understand [$MODEL] prefixes; those includes are ignored`,
            boot.file,
            include.line,
          ),
        );
        unsupportedWarned = true;
      }
    } else if (model.token && include.models.some((m) => m.toUpperCase() === model.token!.toUpperCase()))
      own.push(include);
    else skip(ctx, boot.file, include, 'other-model');
  }

  const layers: LayerSetting[] = [];
  const applied: string[] = [];
  const fetchIncludes = async (includes: readonly BootInclude[]): Promise<'failed' | number> => {
    let found = 0;
    for (const include of includes) {
      const url = resolveIncludeUrl(include.target, boot.url);
      if (!url) {
        ctx.log.diagnostics.push(
          error('B3', `"${include.target}" is not a URL the phone can resolve`, boot.file, include.line),
        );
        skip(ctx, boot.file, include, 'bad-url');
        continue;
      }
      const file = await fetchFile(ctx, url, 'config', { file: boot.file, line: include.line });
      if (file === 'failed') return 'failed';
      if (!file) continue;
      found++;
      const fileLayers = await cfgLayers(ctx, file);
      if (fileLayers) {
        for (const layer of fileLayers) layers.push(layer);
        applied.push(fileName(file.url));
      }
    }
    return found;
  };

  if (excluded) {
    // B7 mode 1 (Decision): the unmarked includes only when none of the model's own was downloaded.
    const found = await fetchIncludes(own);
    if (found === 'failed') return { kind: 'failed', mechanism };
    if (found === 0) {
      if ((await fetchIncludes(unmarked)) === 'failed') return { kind: 'failed', mechanism };
    } else {
      for (const include of unmarked) skip(ctx, boot.file, include, 'excluded-mode');
    }
  } else {
    // B4, B7 mode 0: the model's includes and the unmarked ones, in the order listed.
    const wanted = new Set([...own, ...unmarked]);
    if ((await fetchIncludes(parsed.includes.filter((i) => wanted.has(i)))) === 'failed')
      return { kind: 'failed', mechanism };
  }
  // B6: overwrite mode 1 is the default when a boot file is used.
  const overwrite = (parsed.overwriteMode?.value ?? 1) === 1;
  return {
    kind: 'ok',
    mechanism,
    layers,
    overwrite,
    applied,
    boot: { file: boot.file, overwrite, excludedMode: excluded },
  };
}

export function skip(
  ctx: Context,
  file: string,
  include: BootInclude,
  reason: SkippedInclude['reason'],
): void {
  ctx.log.skipped.push({ file, line: include.line, target: include.target, models: include.models, reason });
}

/** Parses a CFG and keeps the lines that apply to this phone (C3); null when the file is unusable. */
export async function cfgLayers(ctx: Context, fetched: Fetched): Promise<LayerSetting[] | null> {
  // E1-E4: an encrypted file is decrypted first (and, being the phone's own, not worth caching).
  const text = await plainText(ctx, fetched);
  if (text === null) return null;
  const parse = (t: string) =>
    parseCfgFile(t, { file: fetched.file, isToken: (token) => ctx.catalogues.models.isToken(token) });
  const parsed: CfgFile =
    text === fetched.text ? ctx.cache.cfg(fetched.file, fetched.md5, text, parse) : parse(text);
  for (const d of parsed.diagnostics) ctx.log.diagnostics.push(d);
  if (!parsed.hasHeader) return null;
  const token = ctx.input.model.token?.toUpperCase();
  const layers: LayerSetting[] = [];
  let ignoredPrefixes = 0;
  for (const setting of parsed.settings) {
    if (setting.models !== null) {
      if (!ctx.modelFilter) {
        ignoredPrefixes++;
        continue;
      }
      if (!token || !setting.models.some((m) => m.toUpperCase() === token)) continue;
    }
    layers.push({ file: fetched.file, setting });
  }
  for (const layer of layers) ctx.seen.push(layer);
  if (ignoredPrefixes > 0) {
    ctx.log.diagnostics.push(
      warning(
        'C3',
        `${ignoredPrefixes} [$MODEL] line(s) ignored: this firmware does not understand model prefixes`,
        fetched.file,
      ),
    );
  }
  return layers;
}

/** K2: `<mac>-local.cfg` from `custom.sync.path`, or from the server's directory. */
export async function fetchMacLocal(
  ctx: Context,
  get: ConfigView,
  mac: Mac,
): Promise<Record<string, string> | undefined | 'failed'> {
  const path = get('static.auto_provision.custom.sync.path').trim();
  let dir = ctx.root;
  if (path !== '') {
    const parsed = parseServerUrl(path);
    if (!parsed.ok) {
      ctx.log.diagnostics.push(error('K2', `static.auto_provision.custom.sync.path: ${parsed.message}`));
      return undefined;
    }
    dir = parsed.target.kind === 'directory' ? parsed.target.url : directoryOf(parsed.target.url);
  }
  const file = await fetchFile(ctx, new URL(`${mac}-local.cfg`, dir), 'mac-local');
  if (file === 'failed' || !file) return file;
  const layers = await cfgLayers(ctx, file);
  if (!layers) return undefined;
  const local: Record<string, string> = {};
  for (const { setting } of layers) {
    if (setting.value.kind === 'value') local[setting.key] = setting.value.text;
    else if (setting.value.kind === 'null') local[setting.key] = '';
  }
  return local;
}
