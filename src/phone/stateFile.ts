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

/** Why the parsed JSON is no phone state, or undefined: every field a later step reads is checked here. */
function validate(data: unknown): string | undefined {
  if (!isObject(data)) return 'not a phone state object';
  const s = data;
  if (s.format !== STATE_FORMAT) return `format is ${JSON.stringify(s.format)}, expected "${STATE_FORMAT}"`;
  if (typeof s.mac !== 'string' || !parseMac(s.mac).ok) return 'mac is missing or malformed';
  for (const field of ['model', 'firmware'] as const) {
    if (typeof s[field] !== 'string') return `${field} must be a string`;
  }
  for (const field of ['config', 'origins', 'provisioned', 'local', 'md5'] as const) {
    if (!isObject(s[field])) return `${field} must be an object`;
  }
  for (const field of ['config', 'provisioned', 'local', 'md5'] as const) {
    const problem = stringValues(s[field] as Record<string, unknown>, field);
    if (problem) return problem;
  }
  for (const [key, origin] of Object.entries(s.origins as Record<string, unknown>)) {
    if (!isOrigin(origin))
      return `origins["${key}"] must be {"kind":"file","file":…,"line":…}, {"kind":"mac-local"} or {"kind":"ui"}`;
  }
  if (typeof s.rounds !== 'number' || !Number.isSafeInteger(s.rounds) || s.rounds < 0)
    return 'rounds must be a whole number';
  for (const field of ['server', 'lastRound'] as const) {
    if (s[field] !== undefined && typeof s[field] !== 'string') return `${field} must be a string`;
  }
  if (s.certificates !== undefined) {
    if (!isObject(s.certificates)) return 'certificates must be an object';
    const problem = stringValues(s.certificates, 'certificates');
    if (problem) return problem;
  }
  if (s.network !== undefined) return networkProblem(s.network);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringValues(record: Record<string, unknown>, field: string): string | undefined {
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== 'string') return `${field}["${key}"] must be a string`;
  }
  return undefined;
}

function isOrigin(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value.kind === 'mac-local' || value.kind === 'ui') return true;
  return value.kind === 'file' && typeof value.file === 'string' && typeof value.line === 'number';
}

/** NetworkState: what the last discovery learnt (a lease, an IPv6 address, the winning source). */
function networkProblem(network: unknown): string | undefined {
  if (!isObject(network)) return 'network must be an object';
  if (typeof network.at !== 'string') return 'network.at must be a time (a string)';
  for (const field of ['ipv6', 'serverSource'] as const) {
    if (network[field] !== undefined && typeof network[field] !== 'string')
      return `network.${field} must be a string`;
  }
  const lease = network.ipv4;
  if (lease === undefined) return undefined;
  if (!isObject(lease)) return 'network.ipv4 must be an object';
  for (const field of ['address', 'server'] as const) {
    if (typeof lease[field] !== 'string') return `network.ipv4.${field} must be a string`;
  }
  for (const field of ['netmask', 'router'] as const) {
    if (lease[field] !== undefined && typeof lease[field] !== 'string')
      return `network.ipv4.${field} must be a string`;
  }
  if (!Array.isArray(lease.dns) || lease.dns.some((d) => typeof d !== 'string'))
    return 'network.ipv4.dns must be a list of addresses';
  if (lease.leaseSeconds !== undefined && typeof lease.leaseSeconds !== 'number')
    return 'network.ipv4.leaseSeconds must be a number';
  return undefined;
}

export async function writeStateFile(path: string, state: PhoneState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}
