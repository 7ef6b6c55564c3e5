// The driver of a DHCP exchange (spec S3), v4 or v6 (issue #16 item 5): one bound UDP socket and
// real timers around a pure machine whose steps (src/core/step.ts) ask for datagrams to be sent and
// say which replies they ignored and why. Never rejects; the caller owns the socket.
import type { RemoteInfo, Socket } from 'node:dgram';
import type { Step } from '../core/step.js';

/** What a DHCP machine asks its driver: a datagram to send, or a reply it ignored and why. */
export type ExchangeEffect =
  { readonly kind: 'send'; readonly datagram: Buffer } | { readonly kind: 'ignored'; readonly line: string };

export const send = (datagram: Buffer): ExchangeEffect => ({ kind: 'send', datagram });
export const ignored = (line: string): ExchangeEffect => ({ kind: 'ignored', line });

/** The datagrams a step sends, in order. */
export function datagramsOf(step: Step<unknown, ExchangeEffect>): Buffer[] {
  return step.effects.flatMap((e) => (e.kind === 'send' ? [e.datagram] : []));
}

/** The replies a step ignored, in order. */
export function ignoredOf(step: Step<unknown, ExchangeEffect>): string[] {
  return step.effects.flatMap((e) => (e.kind === 'ignored' ? [e.line] : []));
}

/** A machine as `runExchange` sees it. */
export interface Exchange<S> {
  start(now: number): Step<S, ExchangeEffect>;
  receive(state: S, bytes: Uint8Array, from: RemoteInfo, now: number): Step<S, ExchangeEffect>;
  tick(state: S, now: number): Step<S, ExchangeEffect>;
  /** When `tick` has something to do next; undefined when done. */
  nextWake(state: S): number | undefined;
  done(state: S): boolean;
}

export interface ExchangeRun<S> {
  readonly state: S;
  readonly ignored: readonly string[];
  readonly waitedMs: number;
  /** The first send error, when every send failed. */
  readonly failed?: string;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs `exchange` on a bound socket until it is done, `timeoutMs` has passed or `signal` aborts.
 * Sends go to `destination`. Never rejects; the socket is left open for the caller to close.
 */
export function runExchange<S>(
  socket: Socket,
  exchange: Exchange<S>,
  destination: { readonly address: string; readonly port: number },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ExchangeRun<S>> {
  const startedAt = Date.now();
  const ignoredLines: string[] = [];
  let sent = 0;
  let sendError: string | undefined;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      socket.off('message', onMessage);
      signal?.removeEventListener('abort', finish);
      resolve({
        state,
        ignored: ignoredLines,
        waitedMs: Date.now() - startedAt,
        ...(sent === 0 && sendError !== undefined && { failed: sendError }),
      });
    };
    const perform = (step: Step<S, ExchangeEffect>) => {
      state = step.state;
      for (const effect of step.effects) {
        if (effect.kind === 'ignored') {
          ignoredLines.push(effect.line);
          continue;
        }
        socket.send(effect.datagram, destination.port, destination.address, (error) => {
          if (error)
            sendError ??= `cannot send to ${destination.address}:${destination.port}: ${error.message}`;
          else sent++;
        });
      }
      if (exchange.done(state)) return finish();
      clearTimeout(timer);
      const wake = exchange.nextWake(state);
      if (wake !== undefined)
        timer = setTimeout(() => perform(exchange.tick(state, Date.now())), wake - Date.now());
    };
    const onMessage = (bytes: Buffer, from: RemoteInfo) =>
      perform(exchange.receive(state, bytes, from, Date.now()));
    const deadline = setTimeout(finish, timeoutMs);
    let state: S;
    socket.on('message', onMessage);
    signal?.addEventListener('abort', finish);
    try {
      perform(exchange.start(startedAt));
    } catch (e) {
      sendError = messageOf(e);
      finish();
    }
    if (signal?.aborted) finish();
  });
}

/** Binds `socket` on `address:port`; the error message when it cannot. */
export async function bindSocket(socket: Socket, port: number, address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onError = (e: Error) => resolve(`cannot listen on UDP port ${port}: ${e.message}`);
    socket.once('error', onError);
    socket.bind({ port, address }, () => {
      socket.off('error', onError);
      resolve(undefined);
    });
  });
}

export const closeSocket = (socket: Socket) =>
  new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // never bound, or closed already
    }
  });

/** The timing and port options both exchanges take; a bad one is a programmer error. */
export function checkExchangeOptions(options: {
  readonly timeoutMs: number;
  readonly attempts?: number;
  readonly serverPort?: number;
  readonly clientPort?: number;
}): void {
  if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, not ${options.timeoutMs}`);
  const attempts = options.attempts ?? 3;
  if (!(Number.isInteger(attempts) && attempts >= 1))
    throw new RangeError(`attempts must be 1 or more, not ${attempts}`);
  for (const [name, port, lowest] of [
    ['serverPort', options.serverPort, 1],
    ['clientPort', options.clientPort, 0],
  ] as const) {
    if (port !== undefined && !(Number.isInteger(port) && port >= lowest && port <= 65535))
      throw new RangeError(`${name} must be a UDP port, not ${port}`);
  }
}
