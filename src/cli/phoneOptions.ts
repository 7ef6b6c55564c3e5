// Who the phone is, from the command line and its saved state: MAC, model, firmware.
import type { Command } from 'commander';
import { parseMac } from '../core/mac.js';
import { checkOutputFiles } from '../fleet/outputFiles.js';
import { firmwareProblem, loadModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import { factoryState, type PhoneState } from '../phone/state.js';
import { readStateFile } from '../phone/stateFile.js';
import { UsageError } from './usage.js';

export interface PhoneOptions {
  mac?: string;
  model?: string;
  firmware?: string;
  state?: string;
}

export interface Phone {
  readonly model: ModelEntry;
  readonly state: PhoneState;
  /** Did the state come from a file (rather than the factory)? */
  readonly saved: boolean;
}

export async function resolvePhone(options: PhoneOptions): Promise<Phone> {
  const models = loadModelCatalogue();
  const saved = options.state ? await readStateFile(options.state) : ({ kind: 'absent' } as const);
  if (saved.kind === 'invalid')
    throw new UsageError(`${saved.message}; give a phone state file written by autop, or a new path`);

  const macText = options.mac ?? (saved.kind === 'ok' ? saved.state.mac : undefined);
  if (!macText)
    throw new UsageError('--mac is required for a new phone (for example --mac 00:15:65:74:b1:50)');
  const mac = parseMac(macText);
  if (!mac.ok) throw new UsageError(`--mac: ${mac.message}`);

  const modelText = options.model ?? (saved.kind === 'ok' ? saved.state.model : undefined);
  if (!modelText) throw new UsageError('--model is required for a new phone (for example --model T46U)');
  const found = models.lookup(modelText);
  if (!found.ok) throw new UsageError(found.message);
  const model = found.model;

  if (saved.kind === 'ok') {
    if (saved.state.mac !== mac.mac) {
      throw new UsageError(
        `--mac ${macText} does not match the phone in ${options.state} (${saved.state.mac}); drop --mac or use another --state file`,
      );
    }
    if (models.find(saved.state.model)?.id !== model.id) {
      throw new UsageError(
        `--model ${modelText} does not match the phone in ${options.state} (${saved.state.model}); drop --model or use another --state file`,
      );
    }
  }

  const firmware = options.firmware ?? (saved.kind === 'ok' ? saved.state.firmware : model.firmware.current);
  // R3: any family the model has run (T57W: 97.84.x, then the shared 96.x).
  const wrong = firmwareProblem(model, firmware);
  if (wrong !== undefined) throw new UsageError(`--firmware ${wrong}`);
  if (saved.kind === 'ok') return { model, state: { ...saved.state, firmware }, saved: true };
  return { model, state: factoryState(mac.mac, model.id, firmware), saved: false };
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
