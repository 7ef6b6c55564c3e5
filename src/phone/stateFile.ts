// The phone's flash on disk: one JSON file, written atomically (src/core/atomicWrite.ts) so that a
// crash leaves either the old state or the new one, never a torn file.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomicWrite.js';
import { parseMac } from '../core/mac.js';
import { STATE_FORMAT, type PhoneState } from './state.js';

export type StateRead =
  { kind: 'ok'; state: PhoneState } | { kind: 'absent' } | { kind: 'invalid'; message: string };

/**
 * A phone state file's content, as JSON has it (schemas/phone-state.schema.json): the flash of
 * PhoneState with its MAC as written, in any of the forms `parseMac` accepts.
 */
export interface PhoneStateFile extends Omit<PhoneState, 'mac'> {
  /** The phone's MAC; autop writes 12 lower-case hex digits (`00156574b150`). */
  readonly mac: string;
}

export async function readStateFile(path: string): Promise<StateRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'invalid', message: `${path}: ${(e as Error).message}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', message: `${path} is not JSON: ${(e as Error).message}` };
  }
  return phoneStateFrom(data, path);
}

/**
 * A state from parsed JSON (a file's, or an object handed to the library), checked; `name` says
 * where it came from in the message.
 */
export function phoneStateFrom(
  data: unknown,
  name: string,
): { kind: 'ok'; state: PhoneState } | { kind: 'invalid'; message: string } {
  const problem = validate(data);
  if (problem) return { kind: 'invalid', message: `${name}: ${problem}` };
  // #13.10: a MAC written by hand (`00:15:65:74:B1:50`) is the phone's MAC all the same: the state
  // holds it in the one normal form (spec "Names"), so every later comparison agrees with validation.
  const state = data as PhoneState;
  const mac = parseMac(state.mac);
  return { kind: 'ok', state: mac.ok && mac.mac !== state.mac ? { ...state, mac: mac.mac } : state };
}

function validate(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'not a phone state object';
  const s = data as Record<string, unknown>;
  if (s.format !== STATE_FORMAT) return `format is ${JSON.stringify(s.format)}, expected "${STATE_FORMAT}"`;
  if (typeof s.mac !== 'string' || !parseMac(s.mac).ok) return 'mac is missing or malformed';
  for (const field of ['model', 'firmware'] as const) {
    if (typeof s[field] !== 'string') return `${field} must be a string`;
  }
  for (const field of ['config', 'origins', 'provisioned', 'local', 'md5'] as const) {
    if (typeof s[field] !== 'object' || s[field] === null || Array.isArray(s[field]))
      return `${field} must be an object`;
  }
  for (const field of ['config', 'provisioned', 'local', 'md5'] as const) {
    for (const [key, value] of Object.entries(s[field] as Record<string, unknown>)) {
      if (typeof value !== 'string') return `${field}["${key}"] must be a string`;
    }
  }
  if (typeof s.rounds !== 'number') return 'rounds must be a number';
  if (s.network !== undefined && (typeof s.network !== 'object' || s.network === null))
    return 'network must be an object';
  return undefined;
}

export async function writeStateFile(path: string, state: PhoneState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}
