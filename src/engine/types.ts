// What a round takes and gives (issue #16 item 2): the types every step of the engine shares, in a
// file of their own so that no step imports the driver (round.ts) for them.
import type { Credentials, Fetcher, TransferSettings } from '../fetch/fetcher.js';
import type { ModelCatalogue, ModelEntry } from '../models/catalogue.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import type { DownloadKind, RoundReport } from './report.js';

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
  /** Overrides of the largest file accepted per kind (issue #13.3); defaults in sizeLimits.ts. */
  readonly sizeLimits?: Partial<Record<DownloadKind, number>>;
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
