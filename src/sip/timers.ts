// RFC 3261 §17.1.1.1 and Table 4: the timer values of SIP transactions over UDP, in milliseconds.

/** The round-trip time estimate. */
export const T1 = 500;
/** The longest retransmit interval of a non-INVITE request. */
export const T2 = 4000;
/** How long a client waits for a non-INVITE request's final response. */
export const TIMER_F = 64 * T1;
/** How long a completed non-INVITE server transaction absorbs retransmissions. */
export const TIMER_J = 64 * T1;
