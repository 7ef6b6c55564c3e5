// One provisioning round, as the firmware runs it (spec B, L, K, M, R, S4-S6). Pure but for the
// fetcher handed in: phone and state in, report and next state out.
import { parseFirmware } from '../core/firmware.js';
import { withoutUserInfo } from '../core/url.js';
import { macWithColons } from '../core/mac.js';
import { error, warning } from '../config/diagnostic.js';
import type { Credentials, Fetcher, TransferSettings } from '../fetch/fetcher.js';
import {
  supportsBootFiles,
  supportsModelFilter,
  type ModelCatalogue,
  type ModelEntry,
} from '../models/catalogue.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import { lastValue, mergeRound } from './merge.js';
import { ParseCache } from './parseCache.js';
import type { RoundReport, RoundStatus } from './report.js';
import { splitDiagnostics } from './report.js';
import { directoryOf, expandWildcards, parseServerUrl, redactUrl } from './serverUrl.js';
import { configView, transferSettings, type ConfigView } from './settings.js';
import { userAgent } from './userAgent.js';
import { credentialsFor, RoundLog, type Context } from './roundContext.js';
import { fetchMacLocal, gatherFiles } from './gather.js';
import { diffConfig, provenanceOf, rebootReasonsFor, sameMd5, visibleConfig } from './outcome.js';
import { considerFirmware } from './firmwareStep.js';
import { considerCertificates } from './certificateStep.js';

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
  /** Credentials that come with the server address (an activation code's, T8): before the configured ones. */
  readonly addressCredentials?: Credentials;
  /** false for an address with credentials of its own (T8): the configured server ones do not apply. */
  readonly configuredCredentials?: boolean;
  /** Overrides of the transfer settings the configuration gives (tests, `--timeout`). */
  readonly transfer?: Partial<TransferSettings>;
  /**
   * 'lean' leaves `config` and `provenance` out of the report (both {}): `autop check` reads only
   * diagnostics, downloads, changes and the reboot decision, for 10,000 phones (issue #4 §6).
   */
  readonly detail?: 'full' | 'lean';
}

export interface RoundResult {
  readonly report: RoundReport;
  /** The flash after the round: unchanged when the round failed. */
  readonly state: PhoneState;
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
    const phone = {
      mac: macWithColons(state.mac),
      model: model.id,
      product: model.product,
      firmware: state.firmware,
    };
    const finish = (
      partial: Partial<RoundReport> & { status: RoundStatus },
      next: PhoneState = state,
    ): RoundResult => ({
      report: emptyReport(phone, log, {
        ...(input.detail !== 'lean' && {
          config: visibleConfig(state.config, this.catalogues.params),
          provenance: provenanceOf(state, { config: state.config, origins: state.origins, setBy: new Map() }),
        }),
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
      log.diagnostics.push(
        error('S1', 'autop is not configured: no server address from outside and none in flash'),
      );
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
      seen: [],
      catalogues: this.catalogues,
      cache: this.cache,
      log,
      root,
      userAgent: userAgent(model, state.firmware, state.mac, state.config),
      ...credentialsFor(
        target.url,
        get,
        input.credentials,
        input.addressCredentials,
        input.configuredCredentials,
      ),
      transfer: transferSettings(get, {
        ...(state.certificates && { trustedCa: Object.values(state.certificates) }),
        ...input.transfer,
      }),
      modelFilter: supportsModelFilter(model, firmware),
    };

    if (!ctx.transfer.verifyTls && target.url.protocol === 'https:') {
      // S5: the report says plainly that the server was not authenticated.
      log.diagnostics.push(
        warning('S5', "static.security.trust_certificates = 0: the server's certificate was not verified"),
      );
    }
    const gathered = await gatherFiles(ctx, target, supportsBootFiles(model, firmware), firmware.major);
    if (gathered.kind === 'failed')
      return finish({ status: 'failed', server, mechanism: gathered.mechanism });
    if (gathered.kind === 'nothing') return finish({ status: 'nothing-found', server, mechanism: 'none' });

    const { mechanism, layers, overwrite, applied, boot } = gathered;
    // What the round's files set for the static keys needed before the merge (all static, so
    // overwrite mode keeps a deleted one): M1 is decided before any merging work.
    const newGet: ConfigView = (param) => {
      const value = lastValue(layers, param, overwrite);
      return value === null ? (this.catalogues.params.defaultOf(param) ?? '') : (value ?? get(param));
    };

    // K1-K3: the MAC-local file, downloaded from the server with custom.sync = 1.
    const protect = newGet('static.auto_provision.custom.protect') === '1';
    let local: Readonly<Record<string, string>> = state.local;
    let localFromServer = false;
    if (newGet('static.auto_provision.custom.sync') === '1') {
      const downloaded = await fetchMacLocal(ctx, newGet, state.mac);
      if (downloaded === 'failed') return finish({ status: 'failed', server, mechanism, boot });
      if (downloaded && overwrite) {
        local = downloaded;
        localFromServer = true;
      }
    }
    if (applied.length === 0 && !localFromServer && log.md5.size === 0) {
      return finish({ status: 'nothing-found', server, mechanism, boot });
    }

    // M1: every configuration file of the round as it was last time → nothing to do.
    if (sameMd5(log.md5, state.md5)) {
      log.diagnostics.push(
        warning('M1', 'the configuration files have the same MD5 as in the last round; nothing was updated'),
      );
      const next: PhoneState = {
        ...state,
        server: withoutUserInfo(target.url).href,
        rounds: state.rounds + 1,
        lastRound: input.now.toISOString(),
      };
      return finish({ status: 'unchanged', server, mechanism, applied, boot }, next);
    }

    const merged = mergeRound(state, layers, { overwrite, local: protect ? local : null });
    if (protect && Object.keys(local).length > 0) applied.push(`${state.mac}-local.cfg`);
    const changes = diffConfig(state.config, merged, this.catalogues.params);
    const rebootReasons = rebootReasonsFor(
      changes,
      configView(merged.config, this.catalogues.params),
      this.catalogues.params,
    );

    const mergedView = configView(merged.config, this.catalogues.params);
    const certificates = await considerCertificates(ctx, mergedView, state.certificates ?? {});
    const firmwareReport = await considerFirmware(ctx, mergedView, pn, firmware);
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
      server: withoutUserInfo(target.url).href,
      ...(Object.keys(certificates).length > 0 && { certificates }),
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
        ...(input.detail !== 'lean' && {
          config: visibleConfig(merged.config, this.catalogues.params),
          provenance: provenanceOf(state, merged),
        }),
        changes,
        reboot: rebootReasons.length > 0,
        rebootReasons,
        firmware: firmwareReport,
        boot,
      }),
      state: next,
    };
  }
}

function emptyReport(
  phone: RoundReport['phone'],
  log: RoundLog,
  partial: Partial<RoundReport> & { status: RoundStatus },
): RoundReport {
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
    boot: null,
    ...splitDiagnostics(log.diagnostics),
    ...partial,
  };
}
