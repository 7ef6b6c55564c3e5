// A non-INVITE client transaction (clientTransaction.ts, pure) driven by real timers and a send
// function, for the PnP client and server; and the local address the system would use toward a
// peer, for Via and Contact.
import { createSocket } from 'node:dgram';
import {
  nextWake,
  startNict,
  stepNict,
  type NictInput,
  type NictState,
  type NictStep,
} from './clientTransaction.js';
import type { Address } from './via.js';

/** The local IPv4 address the system would send to `remote` from (a connected probe, never used). */
export async function sourceAddressToward(remote: Address): Promise<string | undefined> {
  const probe = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(remote.port, remote.address, () => resolve());
    });
    const { address } = probe.address();
    return address === '0.0.0.0' ? undefined : address;
  } catch {
    return undefined;
  } finally {
    probe.close();
  }
}

/** A non-INVITE client transaction (src/sip/clientTransaction.ts) driven by real timers. */
export interface RunningTransaction {
  /** A final or provisional response that matches the transaction. */
  respond(status: number, reason: string, from: Address): void;
  /** Stops retransmitting (the socket is closing). */
  cancel(): void;
}

export function runTransaction(
  send: () => void,
  limitMs: number,
  onEnd: (state: Exclude<NictState, { name: 'trying' | 'proceeding' }>) => void,
): RunningTransaction {
  let timer: NodeJS.Timeout | undefined;
  let state: NictState;
  const apply = (step: NictStep) => {
    state = step.state;
    for (const effect of step.effects) if (effect.kind === 'send') send();
    clearTimeout(timer);
    if (state.name === 'completed' || state.name === 'timed-out') return onEnd(state);
    const wake = nextWake(state);
    if (wake !== undefined)
      timer = setTimeout(() => feed({ kind: 'tick', now: Date.now() }), wake - Date.now());
  };
  const feed = (input: NictInput) => apply(stepNict(state, input));
  apply(startNict(Date.now(), limitMs));
  return {
    respond: (status, reason, from) => feed({ kind: 'response', now: Date.now(), status, reason, from }),
    cancel: () => clearTimeout(timer),
  };
}
