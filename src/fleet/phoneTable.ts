// The fleet's phones as columns (issue #14 §2, 1,000,000 phones in one process): phone i, in MAC
// order, is the i-th entry of each typed array or list below, not an object of its own. Its flash
// is kept as a Flash shared by every phone with the same content (all of the flash but its MAC, its
// round counter and the time of its last round, which are columns), so a resting phone costs a few
// dozen bytes beside its life and its inventory line.
import type { Mac } from '../core/mac.js';
import type { RoundStatus } from '../engine/report.js';
import type { LifeState } from '../phone/lifeMachine.js';
import type { PhoneState } from '../phone/state.js';
import type { FleetPhone } from './fleetInventory.js';
import type { RoundReplay } from './roundReplay.js';

/** The flash of a phone but for its MAC, round counter and last round's time: shared. */
export type Flash = Omit<PhoneState, 'mac' | 'rounds' | 'lastRound'>;

/** RoundStatus as a number in a column (0: no round yet). */
const STATUSES: readonly RoundStatus[] = ['updated', 'unchanged', 'no-server', 'nothing-found', 'failed'];

/** A phone's `finished` column: its part was over, or the run stopped before it was. */
export const FINISHED = 1;
export const CUT_SHORT = 2;

export class PhoneTable {
  readonly count: number;
  /** The inventory's phones, sorted by MAC. */
  readonly phones: readonly FleetPhone[];
  private readonly byMac = new Map<Mac, number>();

  /** The flash (FlashInterner), its `rounds` and its `lastRound` (epoch ms; NaN: none, or `keptLastRound`'s). */
  private readonly flashes: Flash[];
  private readonly flashRounds: Float64Array;
  private readonly lastRoundAt: Float64Array;
  /** An inventory's `lastRound` that is not an instant as the engine writes one, kept as written. */
  private readonly keptLastRound = new Map<number, string>();
  private readonly interner = new FlashInterner();

  /** The phone's life; undefined until powered on (and once a storm's phone is done with it). */
  readonly lives: (LifeState | undefined)[];
  /** The instant of the wake-up its life last asked for (NaN: none); older ones in the heap are stale. */
  readonly wakeAt: Float64Array;
  /** Rounds and reboots in this run (its timeline's). */
  readonly rounds: Uint32Array;
  readonly reboots: Uint32Array;
  private readonly lastStatus: Uint8Array;
  readonly poweredOn: Uint8Array;
  /** 0: its part of the scenario goes on; FINISHED; CUT_SHORT (the run stopped first, issue #15). */
  readonly finished: Uint8Array;
  /** A check-sync NOTIFY reached its life: its part of a NOTIFY storm is over once it rests. */
  readonly notified: Uint8Array;
  /** Why its last round failed; the firmware it upgraded to; why it did not get its NOTIFY: few phones each. */
  readonly failures = new Map<number, string>();
  readonly upgradedTo = new Map<number, string>();
  readonly notifyFailures = new Map<number, string>();
  /** With a discover source: the server its last boot found, and where from. */
  readonly servers = new Map<number, { readonly url: string; readonly source: string }>();
  readonly serverSources = new Map<number, string>();
  /** Its last round, when the next one may repeat it. */
  readonly replays: (RoundReplay | undefined)[];

  /** @param states each phone's flash at the start (factory or the inventory's), by inventory order */
  constructor(phones: readonly FleetPhone[], initial: (phone: FleetPhone) => PhoneState) {
    this.phones = [...phones].sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
    const n = (this.count = this.phones.length);
    this.flashes = new Array<Flash>(n);
    this.flashRounds = new Float64Array(n);
    this.lastRoundAt = new Float64Array(n).fill(Number.NaN);
    this.lives = new Array<LifeState | undefined>(n).fill(undefined);
    this.wakeAt = new Float64Array(n).fill(Number.NaN);
    this.rounds = new Uint32Array(n);
    this.reboots = new Uint32Array(n);
    this.lastStatus = new Uint8Array(n);
    this.poweredOn = new Uint8Array(n);
    this.finished = new Uint8Array(n);
    this.notified = new Uint8Array(n);
    this.replays = new Array<RoundReplay | undefined>(n).fill(undefined);
    for (let i = 0; i < n; i++) {
      const phone = this.phones[i]!;
      if (this.byMac.has(phone.mac)) throw new Error(`fleet: ${phone.mac} is in the fleet twice`);
      this.byMac.set(phone.mac, i);
      this.setState(i, initial(phone));
    }
  }

  indexOf(mac: Mac): number | undefined {
    return this.byMac.get(mac);
  }

  mac(i: number): Mac {
    return this.phones[i]!.mac;
  }

  /** The phone's flash as a PhoneState, for the engine and the life. */
  state(i: number): PhoneState {
    const flash = this.flashes[i]!;
    const at = this.lastRoundAt[i]!;
    const lastRound = Number.isNaN(at) ? this.keptLastRound.get(i) : new Date(at).toISOString();
    return {
      format: flash.format,
      mac: this.phones[i]!.mac,
      model: flash.model,
      firmware: flash.firmware,
      config: flash.config,
      origins: flash.origins,
      provisioned: flash.provisioned,
      local: flash.local,
      md5: flash.md5,
      ...(flash.certificates !== undefined && { certificates: flash.certificates }),
      ...(flash.server !== undefined && { server: flash.server }),
      ...(flash.network !== undefined && { network: flash.network }),
      rounds: this.flashRounds[i]!,
      ...(lastRound !== undefined && { lastRound }),
    };
  }

  /** Keeps a new flash (its maps already shared by the StateInterner). */
  setState(i: number, state: PhoneState): void {
    this.flashes[i] = this.interner.intern(state, this.flashes[i]);
    this.flashRounds[i] = state.rounds;
    this.keptLastRound.delete(i);
    this.lastRoundAt[i] = Number.NaN;
    if (state.lastRound === undefined) return;
    const at = Date.parse(state.lastRound);
    if (!Number.isNaN(at) && new Date(at).toISOString() === state.lastRound) this.lastRoundAt[i] = at;
    else this.keptLastRound.set(i, state.lastRound);
  }

  /**
   * Keeps the flash a round on the engine left, `input` being the one it ran with (state(i)) and
   * `at` its time: the engine notes a round that ran as one more round at that time.
   */
  setAfterRound(i: number, input: PhoneState, state: PhoneState, at: number): void {
    if (state === input) return;
    if (state.rounds === input.rounds + 1 && state.lastRound === new Date(at).toISOString()) {
      this.flashes[i] = this.interner.intern(state, this.flashes[i]);
      this.flashRounds[i] = state.rounds;
      this.keptLastRound.delete(i);
      this.lastRoundAt[i] = at;
      return;
    }
    this.setState(i, state);
  }

  /** The flash shared with other phones: the same object while nothing in it changes. */
  flash(i: number): Flash {
    return this.flashes[i]!;
  }

  /** A round noted in the flash without a change (M1): as the engine's unchangedState does. */
  noteRound(i: number, server: string, at: number): void {
    const flash = this.flashes[i]!;
    if (flash.server !== server) this.flashes[i] = this.interner.intern({ ...flash, server }, flash);
    this.flashRounds[i]!++;
    this.keptLastRound.delete(i);
    this.lastRoundAt[i] = at;
  }

  last(i: number): RoundStatus | undefined {
    return STATUSES[this.lastStatus[i]! - 1];
  }

  setLast(i: number, status: RoundStatus): void {
    this.lastStatus[i] = STATUSES.indexOf(status) + 1;
  }
}

/**
 * One Flash per content: phones provisioned from one tree end with the same one. Its maps are
 * compared by identity (the StateInterner shares them), the rest by value.
 */
class FlashInterner {
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  /** Every Flash made (a content no phone holds any more stays, as the StateInterner's maps do). */
  private readonly kept = new Map<string, Flash>();

  intern(state: Omit<PhoneState, 'mac' | 'rounds'>, previous: Flash | undefined): Flash {
    if (previous && sameFlash(previous, state)) return previous;
    // A discovered network (issue #6) is the phone's own: nothing to share.
    if (state.network !== undefined) return flashOf(state);
    const key = [
      state.format,
      state.model,
      state.firmware,
      this.id(state.config),
      this.id(state.origins),
      this.id(state.provisioned),
      this.id(state.local),
      this.id(state.md5),
      state.certificates ? this.id(state.certificates) : '',
      state.server ?? '',
    ].join('\n');
    let flash = this.kept.get(key);
    if (!flash) this.kept.set(key, (flash = flashOf(state)));
    return flash;
  }

  private id(object: object): number {
    let id = this.ids.get(object);
    if (id === undefined) this.ids.set(object, (id = this.nextId++));
    return id;
  }
}

function flashOf(state: Omit<PhoneState, 'mac' | 'rounds'>): Flash {
  return {
    format: state.format,
    model: state.model,
    firmware: state.firmware,
    config: state.config,
    origins: state.origins,
    provisioned: state.provisioned,
    local: state.local,
    md5: state.md5,
    ...(state.certificates !== undefined && { certificates: state.certificates }),
    ...(state.server !== undefined && { server: state.server }),
    ...(state.network !== undefined && { network: state.network }),
  };
}

function sameFlash(flash: Flash, state: Omit<PhoneState, 'mac' | 'rounds'>): boolean {
  return (
    flash.format === state.format &&
    flash.model === state.model &&
    flash.firmware === state.firmware &&
    flash.config === state.config &&
    flash.origins === state.origins &&
    flash.provisioned === state.provisioned &&
    flash.local === state.local &&
    flash.md5 === state.md5 &&
    flash.certificates === state.certificates &&
    flash.server === state.server &&
    flash.network === state.network
  );
}
