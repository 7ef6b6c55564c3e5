// Who the phone is, from the command line and its saved state: MAC, model, firmware.
import type { Command } from 'commander';
import { checkOutputFiles } from '../fleet/outputFiles.js';
import { loadModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import { resolvePhoneIdentity, type PhoneIdentity } from '../phone/phoneIdentity.js';
import type { PhoneState } from '../phone/state.js';
import { readStateFile } from '../phone/stateFile.js';
import { UsageError } from './usage.js';

export interface PhoneOptions {
  mac?: string;
  model?: string;
  firmware?: string;
  state?: string;
}

/** The phone as the command line names it: the library's reading, the same messages (issue #17). */
export function resolvePhone(options: PhoneOptions): Promise<PhoneIdentity> {
  return resolvePhoneIdentity(options, loadModelCatalogue());
}

/** `--mac`, `--model`, `--firmware`, `--state`: who the phone is; `state` says what becomes of its file. */
export function addPhoneOptions(command: Command, state: string): Command {
  return command
    .option('--mac <mac>', "the phone's MAC (colons, dashes or bare, any case)")
    .option('--model <model>', 'the phone model: T46U, SIP-T46U, ...')
    .option('--firmware <version>', "the running firmware (default: the model's current version)")
    .option('--state <file>', state);
}

/**
 * A state file the command will write after its round: its folder must take a new file now, or
 * the round would run and its outcome be lost (issue #13.5).
 */
export async function checkStateWritable(path: string | undefined): Promise<void> {
  if (path !== undefined) await checkOutputFiles([{ flag: '--state', path }]);
}

/** A phone that must have been provisioned already (`dial`, `pin`, `set`): its saved state and model. */
export async function loadSavedPhone(path: string): Promise<{ state: PhoneState; model: ModelEntry }> {
  const saved = await readStateFile(path);
  if (saved.kind === 'absent')
    throw new UsageError(`${path} does not exist; run "autop provision --state ${path} ..." first`);
  if (saved.kind === 'invalid') throw new UsageError(saved.message);
  const model = loadModelCatalogue().find(saved.state.model);
  if (!model) throw new UsageError(`${path} names model ${saved.state.model}, which is not in the catalogue`);
  return { state: saved.state, model };
}
