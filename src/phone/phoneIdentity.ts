// Who the phone is, from what the user gave and its saved state: MAC, model, firmware, flash. The
// messages are the CLI's (`autop provision --mac …`), so that the command and the library say the
// same thing about the same mistake; the state may be a file or (the library) an object.
import { parseMac } from '../core/mac.js';
import { UnreadableInput } from '../core/unreadableInput.js';
import { UsageError } from '../core/usageError.js';
import { firmwareProblem, type ModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import { factoryState, type PhoneState } from './state.js';
import { phoneStateFrom, readStateFile, type StateRead } from './stateFile.js';

export interface PhoneIdentityInput {
  readonly mac?: string;
  readonly model?: string;
  readonly firmware?: string;
  /** A state file's path (it need not exist yet), or a state file's content. */
  readonly state?: string | object;
}

export interface PhoneIdentity {
  readonly model: ModelEntry;
  readonly state: PhoneState;
  /** Did the state come from a file or an object (rather than the factory)? */
  readonly saved: boolean;
}

async function savedState(state: PhoneIdentityInput['state']): Promise<StateRead> {
  if (state === undefined) return { kind: 'absent' };
  if (typeof state === 'string') return readStateFile(state);
  return phoneStateFrom(state, 'the state given');
}

/** The phone, or a UsageError saying what to give instead. */
export async function resolvePhoneIdentity(
  input: PhoneIdentityInput,
  models: ModelCatalogue,
): Promise<PhoneIdentity> {
  const saved = await savedState(input.state);
  if (saved.kind === 'invalid')
    throw new UnreadableInput(`${saved.message}; give a phone state file written by autop, or a new path`);
  const where = typeof input.state === 'string' ? input.state : 'the state given';

  const macText = input.mac ?? (saved.kind === 'ok' ? saved.state.mac : undefined);
  if (!macText)
    throw new UsageError('--mac is required for a new phone (for example --mac 00:15:65:74:b1:50)');
  const mac = parseMac(macText);
  if (!mac.ok) throw new UsageError(`--mac: ${mac.message}`);

  const modelText = input.model ?? (saved.kind === 'ok' ? saved.state.model : undefined);
  if (!modelText) throw new UsageError('--model is required for a new phone (for example --model T46U)');
  const found = models.lookup(modelText);
  if (!found.ok) throw new UsageError(found.message);
  const model = found.model;

  if (saved.kind === 'ok') {
    if (saved.state.mac !== mac.mac) {
      throw new UsageError(
        `--mac ${macText} does not match the phone in ${where} (${saved.state.mac}); drop --mac or use another --state file`,
      );
    }
    if (models.find(saved.state.model)?.id !== model.id) {
      throw new UsageError(
        `--model ${modelText} does not match the phone in ${where} (${saved.state.model}); drop --model or use another --state file`,
      );
    }
  }

  const firmware = input.firmware ?? (saved.kind === 'ok' ? saved.state.firmware : model.firmware.current);
  // R3: any family the model has run (T57W: 97.84.x, then the shared 96.x).
  const wrong = firmwareProblem(model, firmware);
  if (wrong !== undefined) throw new UsageError(`--firmware ${wrong}`);
  if (saved.kind === 'ok') return { model, state: { ...saved.state, firmware }, saved: true };
  return { model, state: factoryState(mac.mac, model.id, firmware), saved: false };
}
