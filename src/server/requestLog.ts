// What the provisioning server records of each request: enough to see what a phone asked for
// (S7 User-Agent included) and why it was refused, never its Authorization header or a password.
import type { Socket } from 'node:net';

export interface RequestLogEntry {
  /** When the request arrived (ISO 8601). */
  readonly time: string;
  /** The client, `ip:port` (`[ip]:port` for IPv6). */
  readonly remote: string;
  readonly method: string;
  /** The request-target as received (path and query). */
  readonly path: string;
  /** The status answered; 0 when the client went away before an answer. */
  readonly status: number;
  /** Body bytes transferred: sent for GET, received for PUT. */
  readonly bytes: number;
  readonly userAgent: string;
  /** Milliseconds from the request to the end of the answer. */
  readonly ms: number;
  /** Why a request was refused or failed, for the operator: never in the answer (issue #13 §6). */
  readonly detail?: string;
}

export function remoteOf(socket: Socket): string {
  const address = socket.remoteAddress ?? '?';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${socket.remotePort ?? 0}`;
}
