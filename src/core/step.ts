// The one shape of a transition in every sans-IO machine of the project (issue #16 item 5): the SIP
// transactions, the DHCP exchanges and the phone's life. A pure function returns it; a driver
// keeps the state and performs the effects in order (h11's `_state.py` and `_connection.py`).

/** One transition of a sans-IO machine: the next state and the effects for the driver to perform. */
export interface Step<S, E> {
  readonly state: S;
  readonly effects: readonly E[];
}
