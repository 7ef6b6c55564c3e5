// The phone's flash after a round that ran (R1-R3): what it keeps for the next one.
import { withoutUserInfo } from '../core/url.js';
import type { PhoneState } from '../phone/state.js';
import type { Merged } from './mergeStep.js';
import type { FirmwareReport } from './report.js';

/** M1: nothing new; the phone only notes that a round ran, and against which server. */
export function unchangedState(state: PhoneState, server: URL, now: Date): PhoneState {
  return roundNoted(state, withoutUserInfo(server).href, now);
}

/** The flash with a round noted: its server (no user info), one more round, and its time. */
export function roundNoted(state: PhoneState, server: string | undefined, now: Date): PhoneState {
  return { ...state, server, rounds: state.rounds + 1, lastRound: now.toISOString() };
}

export interface Update {
  readonly merged: Merged;
  /** M1: the MD5s of this round's configuration files. */
  readonly md5: ReadonlyMap<string, string>;
  readonly certificates: Readonly<Record<string, string>>;
  readonly firmware: FirmwareReport | null;
}

/** After an update: the merged configuration, this round's MD5s, CAs, and the firmware installed (R3). */
export function updatedState(state: PhoneState, server: URL, now: Date, update: Update): PhoneState {
  const installed = update.firmware?.install ? update.firmware.version : null;
  return {
    ...unchangedState(state, server, now),
    firmware: installed ?? state.firmware,
    config: update.merged.result.config,
    origins: update.merged.result.origins,
    provisioned: update.merged.result.provisioned,
    local: update.merged.local,
    md5: Object.fromEntries(update.md5),
    ...(Object.keys(update.certificates).length > 0 && { certificates: update.certificates }),
  };
}
