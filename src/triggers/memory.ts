// What the phone remembers between rounds for its schedule (T2-T4): plain numbers (epoch ms), so
// it serialises to JSON as it is, and every update is a pure function returning a new memory.

export interface TriggerMemory {
  /** When the phone last booted (T1). */
  readonly bootAt: number;
  /** When the last round of any kind ended; null before the first. */
  readonly lastRoundAt: number | null;
  /** Since when the phone has been idle (no call, no use); null while it is busy (T3 inactivity). */
  readonly idleSince: number | null;
  /** When a round last served a weekly window (T3): windows that start at or before it are done. */
  readonly weeklyServedAt: number | null;
  /** When a round last served the flexible window (T4), likewise. */
  readonly flexibleServedAt: number | null;
  /**
   * When the flexible time was last drawn: at boot, or at a round inside the window for another
   * reason (T4). The draw is keyed on this instant, so a new instant is a new draw.
   */
  readonly flexibleDrawnAt: number;
}

/**
 * The memory after a boot at `at`. The rounds already served survive (the phone knows it has done
 * this week's or this period's round); the flexible time is drawn afresh (T4), and a phone that
 * has just booted is idle.
 */
export function afterBoot(memory: TriggerMemory | undefined, at: number): TriggerMemory {
  return {
    bootAt: at,
    lastRoundAt: memory?.lastRoundAt ?? null,
    idleSince: at,
    weeklyServedAt: memory?.weeklyServedAt ?? null,
    flexibleServedAt: memory?.flexibleServedAt ?? null,
    flexibleDrawnAt: at,
  };
}

/** A call started or the phone is in use: it is no longer idle (T3 inactivity). */
export function becameBusy(memory: TriggerMemory): TriggerMemory {
  return { ...memory, idleSince: null };
}

/** The call or the use ended at `at`: the phone is idle from then. */
export function becameIdle(memory: TriggerMemory, at: number): TriggerMemory {
  return { ...memory, idleSince: at };
}
