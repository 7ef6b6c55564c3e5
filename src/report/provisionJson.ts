// The JSON document of one provisioning round: what `autop provision --json` (and `dial`, `pin`)
// print and what the library's `provision` returns (issue #17): the round's report, secrets
// masked unless asked for, after the discovery that found the server when there was one.
import type { DiscoveryReport } from '../discovery/discoveryReport.js';
import type { RoundReport, Provenance } from '../engine/report.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneStateFile } from '../phone/stateFile.js';
import { maskDiscovery, maskReport } from './mask.js';

/**
 * One provisioning round, as `autop provision --json` prints it (schemas/provision-report.schema.json).
 * `config` and `provenance` name only the parameters the phone has away from their factory default:
 * any other key is absent, hence `string | undefined`.
 */
export interface ProvisionReport extends Omit<RoundReport, 'config' | 'provenance'> {
  /** With `--discover`: every S1 source the phone asked, and which one gave the server (issue #6). */
  readonly discovery?: DiscoveryReport;
  /** The effective configuration after the round: parameter → value (secrets masked unless asked for). */
  readonly config: { readonly [key: string]: string | undefined };
  /** Per parameter of `config`: the file and line that set it, and what it overrode. */
  readonly provenance: { readonly [key: string]: Provenance | undefined };
  /**
   * The library's result only: the phone's flash after the round (a state file's content, secrets
   * in clear), to hand to the next round as its `state`. The CLI writes it to `--state FILE` instead.
   */
  readonly state?: PhoneStateFile;
}

export interface ProvisionDocumentOptions {
  /** Passwords, AES keys and URL user info in clear (`--show-secrets`). */
  readonly showSecrets: boolean;
  /** The discovery that found the server (`--discover`), first in the document. */
  readonly discovery?: DiscoveryReport;
}

export function provisionDocument(
  report: RoundReport,
  params: ParameterCatalogue,
  options: ProvisionDocumentOptions,
): ProvisionReport {
  const shown = options.showSecrets ? report : maskReport(report, params);
  return options.discovery
    ? { discovery: maskDiscovery(options.discovery, options.showSecrets), ...shown }
    : shown;
}
