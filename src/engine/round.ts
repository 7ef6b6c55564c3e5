// One provisioning round, as the firmware runs it (spec B, L, K, M, R, S4-S6). Pure but for the
// fetcher handed in: phone and state in, report and next state out.
import { createHash } from 'node:crypto';
import { parseFirmware } from '../core/firmware.js';
import { macWithColons, type Mac } from '../core/mac.js';
import { parseBootFile, type BootFile, type BootInclude } from '../config/bootFile.js';
import { parseCfgFile, type CfgFile } from '../config/cfgFile.js';
import { error, warning, type Diagnostic } from '../config/diagnostic.js';
import type { Credentials, Fetcher, FetchOutcome, TransferSettings } from '../fetch/fetcher.js';
import {
  supportsBootFiles,
  supportsExcludedMode,
  supportsModelFilter,
  type ModelCatalogue,
  type ModelEntry,
} from '../models/catalogue.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import { decideFirmware, describeDecision } from './firmware.js';
import { mergeRound, paramOf, type LayerSetting, type MergeResult } from './merge.js';
import { ParseCache } from './parseCache.js';
import type {
  Change,
  Download,
  DownloadKind,
  FirmwareReport,
  Mechanism,
  Provenance,
  RebootReason,
  RoundReport,
  RoundStatus,
  SkippedInclude,
} from './report.js';
import { splitDiagnostics } from './report.js';
import {
  directoryOf,
  expandWildcards,
  fileName,
  labelFor,
  parseServerUrl,
  redactUrl,
  resolveIncludeUrl,
  type ServerTarget,
} from './serverUrl.js';
import { configView, transferSettings, type ConfigView } from './settings.js';
import { userAgent } from './userAgent.js';

export interface Catalogues {
  readonly models: ModelCatalogue;
  readonly params: ParameterCatalogue;
}

export interface RoundInput {
  readonly model: ModelEntry;
  /** The phone's flash before the round (identity, firmware, configuration). */
  readonly state: PhoneState;
  /**
   * Where to provision from and how that was learnt (`--tree`, `--server`, a discovery source). When
   * absent the phone uses the address in its flash, `static.auto_provision.server.url` (S1).
   */
  readonly server?: { readonly url: string; readonly source: string };
  readonly fetcher: Fetcher;
  /** The time of the round, from the clock handed to the phone. */
  readonly now: Date;
  /** Credentials given from outside (the CLI), used when neither URL nor configuration has any. */
  readonly credentials?: Credentials;
  /** Overrides of the transfer settings the configuration gives (tests, `--timeout`). */
  readonly transfer?: Partial<TransferSettings>;
}

export interface RoundResult {
  readonly report: RoundReport;
  /** The flash after the round: unchanged when the round failed. */
  readonly state: PhoneState;
}

/** Everything one round accumulates while it runs. */
class RoundLog {
  readonly diagnostics: Diagnostic[] = [];
  readonly downloads: Download[] = [];
  readonly skipped: SkippedInclude[] = [];
  /** M1: URL → MD5 of every configuration file downloaded this round. */
  readonly md5 = new Map<string, string>();
}

interface Fetched {
  readonly url: URL;
  readonly file: string;
  readonly text: string;
}

interface Context {
  readonly input: RoundInput;
  readonly catalogues: Catalogues;
  readonly cache: ParseCache;
  readonly log: RoundLog;
  readonly root: URL;
  readonly userAgent: string;
  readonly credentials?: Credentials;
  readonly transfer: TransferSettings;
  readonly modelFilter: boolean;
}

export class Engine {
  readonly cache: ParseCache;

  constructor(
    readonly catalogues: Catalogues,
    options: { cacheEntries?: number } = {},
  ) {
    this.cache = new ParseCache(options.cacheEntries ?? 4096);
  }

  async runRound(input: RoundInput): Promise<RoundResult> {
    const { model, state } = input;
    const firmware = parseFirmware(state.firmware);
    const log = new RoundLog();
    const get = configView(state.config, this.catalogues.params);
    const phone = { mac: macWithColons(state.mac), model: model.id, product: model.product, firmware: state.firmware };
    const finish = (partial: Partial<RoundReport> & { status: RoundStatus }, next: PhoneState = state): RoundResult => ({
      report: emptyReport(phone, log, {
        config: visibleConfig(state.config, this.catalogues.params),
        provenance: provenanceOf(state, { config: state.config, origins: state.origins, setBy: new Map() }),
        ...partial,
      }),
      state: next,
    });

    if (!firmware) {
      log.diagnostics.push(error('B5', `firmware "${state.firmware}" is not a version such as 108.86.0.90`));
      return finish({ status: 'failed', server: null });
    }

    // S1: the address from outside (CLI, discovery) or from flash; S4: wildcards; S5, S6: its form.
    const serverText = input.server?.url ?? get('static.auto_provision.server.url');
    const serverSource = input.server?.source ?? 'flash (static.auto_provision.server.url)';
    if (serverText.trim() === '') {
      log.diagnostics.push(error('S1', 'autop is not configured: no server address from outside and none in flash'));
      return finish({ status: 'no-server', server: null });
    }
    const pn = get('static.auto_provision.url_wildcard.pn') || model.pn;
    const parsed = parseServerUrl(expandWildcards(serverText, { pn, mac: state.mac }));
    if (!parsed.ok) {
      log.diagnostics.push(error('S5', parsed.message));
      return finish({ status: 'no-server', server: null });
    }
    const target = parsed.target;
    const server = { url: redactUrl(target.url), source: serverSource };
    const root = target.kind === 'directory' ? target.url : directoryOf(target.url);

    const ctx: Context = {
      input,
      catalogues: this.catalogues,
      cache: this.cache,
      log,
      root,
      userAgent: userAgent(model, state.firmware, state.mac, state.config),
      ...credentialsFor(target.url, get, input.credentials),
      transfer: transferSettings(get, input.transfer),
      modelFilter: supportsModelFilter(model, firmware),
    };

    const gathered = await gatherFiles(ctx, target, supportsBootFiles(model, firmware), firmware.major);
    if (gathered.kind === 'failed') return finish({ status: 'failed', server, mechanism: gathered.mechanism });
    if (gathered.kind === 'nothing') return finish({ status: 'nothing-found', server, mechanism: 'none' });

    const { mechanism, layers, overwrite, applied } = gathered;
    const provisional = mergeRound(state, layers, { overwrite, local: null });
    const newGet = configView(provisional.config, this.catalogues.params);

    // K1-K3: the MAC-local file, downloaded from the server with custom.sync = 1.
    const protect = newGet('static.auto_provision.custom.protect') === '1';
    let local: Readonly<Record<string, string>> = state.local;
    let localFromServer = false;
    if (newGet('static.auto_provision.custom.sync') === '1') {
      const downloaded = await fetchMacLocal(ctx, newGet, state.mac);
      if (downloaded === 'failed') return finish({ status: 'failed', server, mechanism });
      if (downloaded && overwrite) {
        local = downloaded;
        localFromServer = true;
      }
    }
    if (applied.length === 0 && !localFromServer && log.md5.size === 0) {
      return finish({ status: 'nothing-found', server, mechanism });
    }

    // M1: every configuration file of the round as it was last time → nothing to do.
    if (sameMd5(log.md5, state.md5)) {
      log.diagnostics.push(warning('M1', 'the configuration files have the same MD5 as in the last round; nothing was updated'));
      const next: PhoneState = { ...state, rounds: state.rounds + 1, lastRound: input.now.toISOString() };
      return finish({ status: 'unchanged', server, mechanism, applied }, next);
    }

    const merged = protect ? mergeRound(state, layers, { overwrite, local }) : provisional;
    if (protect && Object.keys(local).length > 0) applied.push(`${state.mac}-local.cfg`);
    const changes = diffConfig(state.config, merged, this.catalogues.params);
    const rebootReasons = rebootReasonsFor(changes, configView(merged.config, this.catalogues.params), this.catalogues.params);

    const firmwareReport = await considerFirmware(ctx, configView(merged.config, this.catalogues.params), pn, firmware);
    if (firmwareReport?.install) {
      rebootReasons.push({ rule: 'R3', message: `firmware ${firmwareReport.reason}` });
    }

    const next: PhoneState = {
      ...state,
      firmware: firmwareReport?.install && firmwareReport.version ? firmwareReport.version : state.firmware,
      config: merged.config,
      origins: merged.origins,
      provisioned: merged.provisioned,
      local: protect || localFromServer ? local : state.local,
      md5: Object.fromEntries(log.md5),
      rounds: state.rounds + 1,
      lastRound: input.now.toISOString(),
    };
    return {
      report: emptyReport(phone, log, {
        status: 'updated',
        server,
        mechanism,
        applied,
        updated: true,
        config: visibleConfig(merged.config, this.catalogues.params),
        provenance: provenanceOf(state, merged),
        changes,
        reboot: rebootReasons.length > 0,
        rebootReasons,
        firmware: firmwareReport,
      }),
      state: next,
    };
  }
}

type Gathered =
  | { kind: 'failed'; mechanism: Mechanism }
  | { kind: 'nothing' }
  | { kind: 'ok'; mechanism: Mechanism; layers: LayerSetting[]; overwrite: boolean; applied: string[] };

/** B1, L1: which files the round reads, in order, and their settings that apply to this phone. */
async function gatherFiles(ctx: Context, target: ServerTarget, bootFiles: boolean, major: number): Promise<Gathered> {
  const { state, model } = ctx.input;
  if (target.kind === 'cfg-file') {
    const file = await fetchFile(ctx, target.url, 'config');
    if (file === 'failed') return { kind: 'failed', mechanism: 'legacy' };
    if (!file) return { kind: 'nothing' };
    const layers = cfgLayers(ctx, file);
    return { kind: 'ok', mechanism: 'legacy', layers: layers ?? [], overwrite: false, applied: layers ? [fileName(file.url)] : [] };
  }

  if (bootFiles) {
    // B1: the MAC boot file, else the common one; S4: a URL naming a boot file fetches only that.
    const candidates: [URL, Mechanism][] =
      target.kind === 'boot-file'
        ? [[target.url, fileName(target.url).toLowerCase().startsWith(state.mac) ? 'mac-boot' : 'common-boot']]
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
      warning('B1', `${model.id} firmware ${state.firmware} predates boot files (from ${model.bootSince}); using the legacy mechanism`),
    );
  }

  // L1: the model's common CFG, then <mac>.cfg, which overrides it.
  const layers: LayerSetting[] = [];
  const applied: string[] = [];
  for (const name of [model.commonCfg, `${state.mac}.cfg`]) {
    const file = await fetchFile(ctx, new URL(name, target.url), 'config');
    if (file === 'failed') return { kind: 'failed', mechanism: 'legacy' };
    if (!file) continue;
    const fileLayers = cfgLayers(ctx, file);
    if (fileLayers) {
      layers.push(...fileLayers);
      applied.push(fileName(file.url));
    }
  }
  if (ctx.log.md5.size === 0) return { kind: 'nothing' };
  return { kind: 'ok', mechanism: 'legacy', layers, overwrite: false, applied };
}

async function readBoot(ctx: Context, boot: Fetched, mechanism: Mechanism, major: number): Promise<Gathered> {
  const { model, state } = ctx.input;
  const parsed: BootFile = ctx.cache.boot(boot.file, ctx.log.md5.get(boot.url.href)!, boot.text, (text) =>
    parseBootFile(text, { file: boot.file, isToken: (t) => ctx.catalogues.models.isToken(t) }),
  );
  ctx.log.diagnostics.push(...parsed.diagnostics);
  if (!parsed.hasHeader) return { kind: 'ok', mechanism, layers: [], overwrite: true, applied: [] };

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
          warning('B5', `${model.id} firmware ${state.firmware} does not understand [$MODEL] prefixes; those includes are ignored`, boot.file, include.line),
        );
        unsupportedWarned = true;
      }
    } else if (model.token && include.models.some((m) => m.toUpperCase() === model.token!.toUpperCase())) own.push(include);
    else skip(ctx, boot.file, include, 'other-model');
  }

  const layers: LayerSetting[] = [];
  const applied: string[] = [];
  const fetchIncludes = async (includes: readonly BootInclude[]): Promise<'failed' | number> => {
    let found = 0;
    for (const include of includes) {
      const url = resolveIncludeUrl(include.target, boot.url);
      if (!url) {
        ctx.log.diagnostics.push(error('B3', `"${include.target}" is not a URL the phone can resolve`, boot.file, include.line));
        skip(ctx, boot.file, include, 'bad-url');
        continue;
      }
      const file = await fetchFile(ctx, url, 'config', { file: boot.file, line: include.line });
      if (file === 'failed') return 'failed';
      if (!file) continue;
      found++;
      const fileLayers = cfgLayers(ctx, file);
      if (fileLayers) {
        layers.push(...fileLayers);
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
    if ((await fetchIncludes(parsed.includes.filter((i) => wanted.has(i)))) === 'failed') return { kind: 'failed', mechanism };
  }
  // B6: overwrite mode 1 is the default when a boot file is used.
  return { kind: 'ok', mechanism, layers, overwrite: (parsed.overwriteMode?.value ?? 1) === 1, applied };
}

function skip(ctx: Context, file: string, include: BootInclude, reason: SkippedInclude['reason']): void {
  ctx.log.skipped.push({ file, line: include.line, target: include.target, models: include.models, reason });
}

/** Parses a CFG and keeps the lines that apply to this phone (C3); null when the file is unusable. */
function cfgLayers(ctx: Context, fetched: Fetched): LayerSetting[] | null {
  const parsed: CfgFile = ctx.cache.cfg(fetched.file, ctx.log.md5.get(fetched.url.href)!, fetched.text, (text) =>
    parseCfgFile(text, { file: fetched.file, isToken: (t) => ctx.catalogues.models.isToken(t) }),
  );
  ctx.log.diagnostics.push(...parsed.diagnostics);
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
  if (ignoredPrefixes > 0) {
    ctx.log.diagnostics.push(
      warning('C3', `${ignoredPrefixes} [$MODEL] line(s) ignored: this firmware does not understand model prefixes`, fetched.file),
    );
  }
  return layers;
}

/** Downloads one file and logs it; undefined when not found, 'failed' when the transfer failed. */
async function fetchFile(
  ctx: Context,
  url: URL,
  kind: DownloadKind,
  from?: { file: string; line: number },
): Promise<Fetched | undefined | 'failed'> {
  const outcome: FetchOutcome = await ctx.input.fetcher.fetch({
    url,
    userAgent: ctx.userAgent,
    transfer: ctx.transfer,
    ...(ctx.credentials && { credentials: ctx.credentials }),
  });
  const file = labelFor(url, ctx.root);
  const base = { url: redactUrl(url), name: fileName(url), file, kind };
  if (outcome.kind === 'not-found') {
    ctx.log.downloads.push({ ...base, outcome: 'not-found', md5: null, detail: outcome.detail });
    if (from) {
      ctx.log.diagnostics.push(warning('D', `${file} is not on the server (HTTP 404 or equivalent): wrong URL or missing file`, from.file, from.line));
    }
    return undefined;
  }
  if (outcome.kind === 'failed') {
    ctx.log.downloads.push({ ...base, outcome: 'failed', md5: null, cause: outcome.cause, detail: outcome.detail });
    ctx.log.diagnostics.push(error('D', `${file}: ${failureText(outcome.cause)}: ${outcome.detail}`, from?.file, from?.line));
    return 'failed';
  }
  const md5 = outcome.md5 ?? createHash('md5').update(outcome.bytes).digest('hex');
  ctx.log.downloads.push({ ...base, outcome: 'ok', md5, size: outcome.bytes.byteLength });
  if (kind !== 'firmware') ctx.log.md5.set(url.href, md5);
  return { url, file, text: ctx.cache.text(md5, outcome.bytes) };
}

function failureText(cause: string): string {
  switch (cause) {
    case 'unreachable':
      return 'server or network unreachable';
    case 'timeout':
      return 'no answer within the transfer timeout';
    case 'auth':
      return 'wrong credentials';
    case 'tls':
      return "can't authenticate the server: its certificate is not trusted";
    case 'outside-root':
      return 'refused: outside the tree';
    default:
      return 'download failed';
  }
}

/** K2: `<mac>-local.cfg` from `custom.sync.path`, or from the server's directory. */
async function fetchMacLocal(
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
  const layers = cfgLayers(ctx, file);
  if (!layers) return undefined;
  const local: Record<string, string> = {};
  for (const { setting } of layers) {
    if (setting.value.kind === 'value') local[setting.key] = setting.value.text;
    else if (setting.value.kind === 'null') local[setting.key] = '';
  }
  return local;
}

function credentialsFor(url: URL, get: ConfigView, given?: Credentials): { credentials?: Credentials } {
  // S5: credentials in the URL first, then the configured ones, then what the user gave.
  if (url.username) {
    return { credentials: { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } };
  }
  const user = get('static.auto_provision.server.username');
  if (user !== '') return { credentials: { user, password: get('static.auto_provision.server.password') } };
  return given ? { credentials: given } : {};
}

function sameMd5(now: ReadonlyMap<string, string>, before: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(before);
  if (keys.length === 0 || keys.length !== now.size) return false;
  return keys.every((url) => now.get(url) === before[url]);
}

function diffConfig(before: Readonly<Record<string, string>>, merged: MergeResult, params: ParameterCatalogue): Change[] {
  const changes: Change[] = [];
  const resetHow = new Map(merged.resets.map((r) => [r.key, r.reason === 'blank' ? 'reset-blank' : 'reset-deleted'] as const));
  const keys = new Set([...Object.keys(before), ...Object.keys(merged.config)]);
  for (const key of keys) {
    const def = params.defaultOf(paramOf(key));
    const was = before[key] ?? def;
    const now = merged.config[key] ?? def;
    if (was === now) continue;
    const origin = merged.origins[key];
    const how = resetHow.get(key) ?? (origin?.kind === 'mac-local' ? 'mac-local' : 'set');
    changes.push({
      key,
      ...(before[key] !== undefined && before[key] !== def && { before: before[key] }),
      ...(merged.config[key] !== undefined && merged.config[key] !== def && { after: merged.config[key] }),
      how,
      ...(origin && { origin }),
    });
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** R1: a changed setting that needs a reboot; R2: a forced reboot after any update. */
function rebootReasonsFor(changes: readonly Change[], get: ConfigView, params: ParameterCatalogue): RebootReason[] {
  const reasons: RebootReason[] = [];
  for (const change of changes) {
    const param = paramOf(change.key);
    if (params.needsReboot(param)) {
      reasons.push({ rule: 'R1', param: change.key, message: `${change.key} changed, and a change of it needs a reboot` });
    }
  }
  if (get('static.auto_provision.reboot_force.enable') === '1') {
    reasons.push({ rule: 'R2', message: 'static.auto_provision.reboot_force.enable = 1 reboots after every round that updated something' });
  }
  return reasons;
}

/** R3: the ROM named by `static.firmware.url` (or `firmware.url`), its decision and download. */
async function considerFirmware(
  ctx: Context,
  get: ConfigView,
  pn: string,
  running: NonNullable<ReturnType<typeof parseFirmware>>,
): Promise<FirmwareReport | null> {
  const raw = get('static.firmware.url') || get('firmware.url');
  if (raw.trim() === '') return null;
  const expanded = expandWildcards(raw.trim(), { pn, mac: ctx.input.state.mac });
  const url = resolveIncludeUrl(expanded, ctx.root);
  if (!url) {
    ctx.log.diagnostics.push(error('R3', `the firmware URL "${expanded}" is not a URL`));
    return null;
  }
  const rom = fileName(url);
  const decision = decideFirmware(rom, ctx.input.model, running);
  const base = {
    url: redactUrl(url),
    rom,
    running: running.text,
    version: decision.rom?.version.text ?? null,
    reason: describeDecision(decision, running),
  };
  if (decision.rom && decision.rom.models.length > 0 && ctx.input.model.token) {
    const names = decision.rom.models.map((m) => m.toUpperCase());
    if (!names.includes(ctx.input.model.token.toUpperCase()) && !names.includes(ctx.input.model.id.toUpperCase())) {
      ctx.log.diagnostics.push(warning('R3', `${rom} does not list ${ctx.input.model.id} among its models`));
    }
  }
  if (!decision.install) return { ...base, install: false };
  const outcome = await ctx.input.fetcher.fetch({
    url,
    userAgent: ctx.userAgent,
    transfer: ctx.transfer,
    ...(ctx.credentials && { credentials: ctx.credentials }),
  });
  const download = { url: redactUrl(url), name: rom, file: labelFor(url, ctx.root), kind: 'firmware' as const };
  if (outcome.kind !== 'ok') {
    ctx.log.downloads.push({
      ...download,
      outcome: outcome.kind,
      md5: null,
      detail: outcome.detail,
      ...(outcome.kind === 'failed' && { cause: outcome.cause }),
    });
    ctx.log.diagnostics.push(error('R3', `the firmware ROM ${rom} could not be downloaded (${outcome.detail}); no upgrade`));
    return { ...base, install: false, reason: `${base.reason}, but the ROM could not be downloaded` };
  }
  const md5 = outcome.md5 ?? createHash('md5').update(outcome.bytes).digest('hex');
  ctx.log.downloads.push({ ...download, outcome: 'ok', md5, size: outcome.bytes.byteLength });
  return { ...base, install: true, size: outcome.bytes.byteLength, md5 };
}

function visibleConfig(config: Readonly<Record<string, string>>, params: ParameterCatalogue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(config).sort()) {
    const value = config[key]!;
    if (params.defaultOf(paramOf(key)) !== value) out[key] = value;
  }
  return out;
}

function provenanceOf(
  prev: PhoneState,
  merged: Pick<MergeResult, 'config' | 'origins' | 'setBy'>,
): Record<string, Provenance> {
  const out: Record<string, Provenance> = {};
  for (const key of Object.keys(merged.config).sort()) {
    const origin = merged.origins[key];
    if (!origin) continue;
    const chain = merged.setBy.get(key) ?? [];
    const earlier = origin.kind === 'file' ? chain.slice(0, -1) : chain;
    const previous = prev.config[key];
    out[key] = {
      origin,
      overrode: [...(previous !== undefined && previous !== merged.config[key] ? [{ file: 'previous' as const, value: previous }] : []), ...earlier],
    };
  }
  return out;
}

function emptyReport(phone: RoundReport['phone'], log: RoundLog, partial: Partial<RoundReport> & { status: RoundStatus }): RoundReport {
  return {
    phone,
    server: null,
    mechanism: 'none',
    downloads: log.downloads,
    skipped: log.skipped,
    applied: [],
    updated: false,
    config: {},
    provenance: {},
    changes: [],
    reboot: false,
    rebootReasons: [],
    firmware: null,
    ...splitDiagnostics(log.diagnostics),
    ...partial,
  };
}
