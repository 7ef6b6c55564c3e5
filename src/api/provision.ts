// `provision`: one provisioning round for one phone, as `autop provision --json` runs and prints it
// (issue #17). The tree or server, the phone, its saved state, credentials, CAs and size limits in;
// the round's report (secrets masked unless asked for) and the phone's flash after it out.
import { roundRan, type DownloadKind } from '../engine/report.js';
import { Engine } from '../engine/round.js';
import { fileTreeRoot } from '../engine/serverStep.js';
import { UsageError } from '../core/usageError.js';
import { WireFetcher } from '../fetch/createFetcher.js';
import { resolvePhoneIdentity } from '../phone/phoneIdentity.js';
import { writeStateFile, type PhoneStateFile } from '../phone/stateFile.js';
import { provisionDocument, type ProvisionReport } from '../report/provisionJson.js';
import { guarded } from './errors.js';
import { caFilesOf, catalogues, serverOf, sizeLimitsOf } from './inputs.js';

export interface ProvisionOptions {
  /** A provisioning tree on disk: the same as `server: 'file:///abs/path/'`; nothing outside it is read. */
  readonly tree?: string;
  /**
   * The provisioning server: `tftp://`, `ftp://`, `http://`, `https://`, `file://` or a bare host;
   * `$PN` and `$MAC` expand (S4). Neither `tree` nor `server`: the one in the phone's flash.
   */
  readonly server?: string;
  /** The phone's MAC: colons, dashes or bare, any case. Needed unless `state` has it. */
  readonly mac?: string;
  /** The model: `T46U`, `SIP-T46U`, ... Needed unless `state` has it. */
  readonly model?: string;
  /** The running firmware (default: the state's, else the model's current version). */
  readonly firmware?: string;
  /**
   * The phone's flash before the round. A path: read if it exists (else the phone is new) and
   * written after a round that ran, as `autop provision --state FILE` does. An object (a previous
   * result's `state`, or a state file's content): read only. Absent: a phone new from the factory.
   */
  readonly state?: string | PhoneStateFile;
  /** Credentials for the server when neither its URL nor the configuration has any. */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** Extra trusted CA certificates (PEM files) for HTTPS, on top of the system's roots. */
  readonly ca?: readonly string[];
  /** The largest file accepted per kind of download, in bytes (defaults: boot 1 MiB, CFG 8 MiB, ...). */
  readonly sizeLimits?: Partial<Record<DownloadKind, number>>;
  /** Passwords, AES keys and URL user info in clear in the report (default: masked). */
  readonly showSecrets?: boolean;
}

/** The round's report, as `autop provision --json` prints it, and the phone's flash after it. */
export interface ProvisionResult extends ProvisionReport {
  /**
   * The phone's flash after the round (unchanged when the round could not run), secrets in clear:
   * give it as the next round's `state`.
   */
  readonly state: PhoneStateFile;
}

/**
 * Runs one provisioning round. A round that could not run (no server, nothing found, a failed
 * transfer) is a result with that `status`, not an error; bad options are an AutopError.
 */
export function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  return guarded(async () => {
    const server = serverOf(options);
    const { models, params } = catalogues();
    const phone = await resolvePhoneIdentity(options, models);
    const credentials = options.credentials;
    if (
      credentials !== undefined &&
      (typeof credentials.user !== 'string' || typeof credentials.password !== 'string')
    )
      throw new UsageError('give --user and --password together');
    const caFiles = caFilesOf(options.ca);
    const sizeLimits = sizeLimitsOf(options.sizeLimits);
    // #13.9: a file: server's tree is the folder the round will use, wildcards expanded.
    const tree = fileTreeRoot(phone.state, phone.model, server, params);
    if (!tree.ok) throw new UsageError(`the server ${tree.message}`);
    const engine = new Engine({ models, params });
    const fetcher = new WireFetcher({ ...(tree.root && { treeRoot: tree.root }), caFiles });
    const { report, state } = await engine
      .runRound({
        model: phone.model,
        state: phone.state,
        ...(server && { server }),
        fetcher,
        now: new Date(),
        ...(credentials && { credentials: { user: credentials.user, password: credentials.password } }),
        ...(sizeLimits && { sizeLimits }),
      })
      .finally(() => fetcher.close());
    // As the CLI: the state file is kept only after a round that ran (a failed one leaves it as it was).
    if (typeof options.state === 'string' && roundRan(report.status))
      await writeStateFile(options.state, state);
    return {
      ...provisionDocument(report, params, { showSecrets: options.showSecrets === true }),
      state,
    };
  });
}
