// The first step of a round: which server, how to reach it (S1, S4-S6), and the context every later
// step downloads through (credentials S5, transfer settings, User-Agent S7).
import { fileURLToPath } from 'node:url';
import { parseFirmware, type FirmwareVersion } from '../core/firmware.js';
import { maskUserInfo } from '../core/url.js';
import { error, warning } from '../config/diagnostic.js';
import type { Credentials } from '../fetch/fetcher.js';
import { supportsModelFilter, type ModelEntry } from '../models/catalogue.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import type { ParseCache } from './parseCache.js';
import type { RoundLog, Context } from './roundContext.js';
import {
  expandWildcards,
  parseServerUrl,
  redactUrl,
  serverRoot,
  type ServerParse,
  type ServerTarget,
} from './serverUrl.js';
import { configView, transferSettings, type ConfigView } from './settings.js';
import type { Catalogues, RoundInput } from './types.js';
import { userAgent } from './userAgent.js';

export type ServerStep =
  | {
      readonly kind: 'ok';
      readonly target: ServerTarget;
      /** The server's address as reports show it (password masked) and where it came from. */
      readonly shown: { readonly url: string; readonly source: string };
      readonly firmware: FirmwareVersion;
      /** S4: what `$PN` stands for. */
      readonly pn: string;
      /** The phone's configuration as the round starts (values, else factory defaults). */
      readonly before: ConfigView;
    }
  | { readonly kind: 'failed' | 'no-server' };

/** S4: `$PN` is `static.auto_provision.url_wildcard.pn`, else the model's name. */
export function productName(get: ConfigView, model: ModelEntry): string {
  return get('static.auto_provision.url_wildcard.pn') || model.pn;
}

/**
 * S1, S4-S6: the server a round of this phone provisions from, wildcards expanded; the CLI asks the
 * same question to know which folder a `file:` server's tree is (#13.9).
 */
export function serverTargetFor(
  state: PhoneState,
  model: ModelEntry,
  server: RoundInput['server'],
  params: ParameterCatalogue,
): ServerParse | { readonly ok: false; readonly message: null } {
  return serverTarget(configView(state.config, params), model, state.mac, server);
}

function serverTarget(
  get: ConfigView,
  model: ModelEntry,
  mac: string,
  server: RoundInput['server'],
): ServerParse | { readonly ok: false; readonly message: null } {
  const text = server?.url ?? get('static.auto_provision.server.url');
  if (text.trim() === '') return { ok: false, message: null };
  return parseServerUrl(expandWildcards(text, { pn: productName(get, model), mac }));
}

/**
 * #13.9: the folder on disk a `file:` server's tree is (undefined for another scheme), found as the
 * round finds its server: wildcards expanded first (S4), then S6, then `serverRoot`. So
 * `file:///srv/$PN/` is `/srv/T46U/` for a T46U, and `file:///srv/site` and `file:///srv/site/` are
 * both `/srv/site/`: nothing outside that folder is read.
 */
export function fileTreeRoot(
  state: PhoneState,
  model: ModelEntry,
  server: RoundInput['server'],
  params: ParameterCatalogue,
): { readonly ok: true; readonly root?: string } | { readonly ok: false; readonly message: string } {
  const parsed = serverTargetFor(state, model, server, params);
  if (!parsed.ok || parsed.target.url.protocol !== 'file:') return { ok: true };
  try {
    return { ok: true, root: fileURLToPath(serverRoot(parsed.target)) };
  } catch (e) {
    return { ok: false, message: `${maskUserInfo(parsed.target.url.href)}: ${(e as Error).message}` };
  }
}

/** Firmware versions as parsed, by text: a fleet's phones run a handful. */
const firmwareVersions = new Map<string, FirmwareVersion | undefined>();

/** parseFirmware, once per text (the result is only read). */
export function firmwareOf(text: string): FirmwareVersion | undefined {
  if (firmwareVersions.has(text)) return firmwareVersions.get(text);
  const version = parseFirmware(text);
  if (firmwareVersions.size >= 1024) firmwareVersions.clear();
  firmwareVersions.set(text, version);
  return version;
}

export function resolveServer(input: RoundInput, params: ParameterCatalogue, log: RoundLog): ServerStep {
  const { model, state } = input;
  const firmware = firmwareOf(state.firmware);
  if (!firmware) {
    log.add(error('B5', `firmware "${state.firmware}" is not a version such as 108.86.0.90`));
    return { kind: 'failed' };
  }
  const before = configView(state.config, params);
  const parsed = serverTarget(before, model, state.mac, input.server);
  if (!parsed.ok) {
    log.add(
      parsed.message === null
        ? error('S1', 'autop is not configured: no server address from outside and none in flash')
        : error('S5', parsed.message),
    );
    return { kind: 'no-server' };
  }
  const { target } = parsed;
  const source = input.server?.source ?? 'flash (static.auto_provision.server.url)';
  const shown = { url: redactUrl(target.url), source };
  return { kind: 'ok', target, shown, firmware, pn: productName(before, model), before };
}

/** The context of a round that has its server: how every file of it is downloaded. */
export function roundContext(
  input: RoundInput,
  server: Extract<ServerStep, { kind: 'ok' }>,
  catalogues: Catalogues,
  cache: ParseCache,
  log: RoundLog,
): Context {
  const { state, model } = input;
  const get = server.before;
  const ctx: Context = {
    input,
    catalogues,
    cache,
    log,
    before: get,
    root: serverRoot(server.target),
    userAgent: userAgent(model, state.firmware, state.mac, state.config),
    ...credentialsFor(server.target.url, get, input),
    transfer: transferSettings(get, {
      ...(state.certificates && { trustedCa: Object.values(state.certificates) }),
      ...input.transfer,
    }),
    modelFilter: supportsModelFilter(model, server.firmware),
  };
  if (!ctx.transfer.verifyTls && server.target.url.protocol === 'https:') {
    // S5: the report says plainly that the server was not authenticated.
    log.add(
      warning('S5', "static.security.trust_certificates = 0: the server's certificate was not verified"),
    );
  }
  return ctx;
}

/**
 * S5: credentials in the URL first, then those that came with the address (an activation code's,
 * T8), then the configured ones, then what the user gave.
 */
function credentialsFor(url: URL, get: ConfigView, input: RoundInput): { credentials?: Credentials } {
  if (url.username) {
    return {
      credentials: { user: decoded(url.username), password: decoded(url.password) },
    };
  }
  if (input.addressCredentials) return { credentials: input.addressCredentials };
  const user = input.configuredCredentials !== false ? get('static.auto_provision.server.username') : '';
  if (user !== '') return { credentials: { user, password: get('static.auto_provision.server.password') } };
  return input.credentials ? { credentials: input.credentials } : {};
}

/** URL user info as the server expects it; a malformed escape (`%zz`) is taken as written. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
