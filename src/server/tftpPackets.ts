// TFTP packets as the server reads and writes them (RFC 1350, options RFC 2347/2348/2349), pure: a
// datagram in, a request or a refusal out, never an exception, whatever the bytes. The server's
// sockets are in tftpServer.ts.

export const OPCODE = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 §5 error codes (8: RFC 2347, option negotiation refused). */
export const ERROR_CODE = {
  notDefined: 0,
  fileNotFound: 1,
  accessViolation: 2,
  diskFull: 3,
  illegalOperation: 4,
  unknownTransferId: 5,
  fileExists: 6,
  noSuchUser: 7,
  optionsRefused: 8,
} as const;

/** RFC 2347: a request, options included, fits in 512 bytes. */
export const MAX_REQUEST_BYTES = 512;
/** RFC 2348's range for blksize. */
export const MIN_BLOCK_SIZE = 8;
export const MAX_BLOCK_SIZE = 65464;
/** RFC 1350's block size when no blksize is agreed. */
export const DEFAULT_BLOCK_SIZE = 512;

export type TransferMode = 'octet' | 'netascii';

export type ParsedRequest =
  | {
      readonly kind: 'request';
      readonly opcode: typeof OPCODE.RRQ | typeof OPCODE.WRQ;
      /** As sent (latin1: TFTP names are netascii; anything else cannot match a file here). */
      readonly file: string;
      readonly mode: TransferMode;
      /** Option names in lower case (RFC 2347: case-insensitive), the first of a repeated one kept. */
      readonly options: ReadonlyMap<string, string>;
    }
  /** Not an RRQ or WRQ that can be served: answer ERROR `code` with `message` (never an ERROR to an ERROR). */
  | { readonly kind: 'refused'; readonly code: number; readonly message: string }
  /** Nothing worth an answer: too short to hold an opcode, or an ERROR packet. */
  | { readonly kind: 'ignored' };

/** Reads what arrived at the listening port. */
export function parseRequest(packet: Uint8Array): ParsedRequest {
  if (packet.length < 2) return { kind: 'ignored' };
  const opcode = (packet[0]! << 8) | packet[1]!;
  // Answering an ERROR could start an endless exchange between two servers.
  if (opcode === OPCODE.ERROR) return { kind: 'ignored' };
  if (opcode !== OPCODE.RRQ && opcode !== OPCODE.WRQ) {
    return { kind: 'refused', code: ERROR_CODE.illegalOperation, message: 'Illegal TFTP operation' };
  }
  const malformed = (why: string): ParsedRequest => ({
    kind: 'refused',
    code: ERROR_CODE.illegalOperation,
    message: `Malformed request: ${why}`,
  });
  if (packet.length > MAX_REQUEST_BYTES) return malformed('longer than 512 bytes (RFC 2347)');
  if (packet[packet.length - 1] !== 0) return malformed('not NUL-terminated');
  const fields = Buffer.from(packet.buffer, packet.byteOffset + 2, packet.length - 3)
    .toString('latin1')
    .split('\0');
  const [file = '', modeText = '', ...rest] = fields;
  if (file === '') return malformed('no file name');
  if (fields.length < 2 || modeText === '') return malformed('no transfer mode');
  const mode = modeText.toLowerCase();
  if (mode !== 'octet' && mode !== 'netascii') {
    return {
      kind: 'refused',
      code: ERROR_CODE.illegalOperation,
      message: mode === 'mail' ? 'Mail mode is not supported' : 'Unknown transfer mode',
    };
  }
  const options = new Map<string, string>();
  // A name without its value (an odd count) is ignored, as a server ignores options it does not know.
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const name = rest[i]!.toLowerCase();
    if (name !== '' && !options.has(name)) options.set(name, rest[i + 1]!);
  }
  return { kind: 'request', opcode, file, mode, options };
}

export interface Negotiated {
  readonly blockSize: number;
  /** Retransmission interval (RFC 2349 `timeout`, else the server's own). */
  readonly timeoutMs: number;
  /** The options acknowledged, in the order asked; empty: no OACK, DATA 1 straight away. */
  readonly acknowledged: readonly (readonly [string, string])[];
}

/**
 * RFC 2347: the server acknowledges the options it takes, with the values it takes, and ignores the
 * rest (an unknown name, a value that is not a plain number, a timeout out of 1-255 s). blksize
 * above what the server allows is lowered to it (RFC 2348); tsize is answered with the file's size
 * in octet mode only, as tftpd-hpa does (a netascii size is not known before conversion).
 */
export function negotiate(
  options: ReadonlyMap<string, string>,
  file: { readonly mode: TransferMode; readonly size: number },
  limits: { readonly maxBlockSize: number; readonly timeoutMs: number },
): Negotiated {
  let blockSize = DEFAULT_BLOCK_SIZE;
  let timeoutMs = limits.timeoutMs;
  const acknowledged: (readonly [string, string])[] = [];
  for (const [name, value] of options) {
    if (!/^\d+$/.test(value)) continue;
    const n = Number(value);
    if (name === 'blksize' && n >= MIN_BLOCK_SIZE) {
      blockSize = Math.min(n, limits.maxBlockSize, MAX_BLOCK_SIZE);
      acknowledged.push([name, String(blockSize)]);
    } else if (name === 'tsize' && file.mode === 'octet') {
      acknowledged.push([name, String(file.size)]);
    } else if (name === 'timeout' && n >= 1 && n <= 255) {
      timeoutMs = n * 1000;
      acknowledged.push([name, String(n)]);
    }
  }
  return { blockSize, timeoutMs, acknowledged };
}

/** What a transfer port receives from its client, as far as a sender cares. */
export type TransferPacket =
  | { readonly kind: 'ack'; readonly block: number }
  | { readonly kind: 'error'; readonly code: number; readonly message: string }
  /** Anything else: an illegal operation in a read transfer. */
  | { readonly kind: 'other' };

export function parseTransferPacket(packet: Uint8Array): TransferPacket {
  if (packet.length < 4) return { kind: 'other' };
  const opcode = (packet[0]! << 8) | packet[1]!;
  const second = (packet[2]! << 8) | packet[3]!;
  if (opcode === OPCODE.ACK && packet.length === 4) return { kind: 'ack', block: second };
  if (opcode === OPCODE.ERROR) {
    const text = Buffer.from(packet.buffer, packet.byteOffset + 4, packet.length - 4).toString('latin1');
    const end = text.indexOf('\0');
    return { kind: 'error', code: second, message: (end >= 0 ? text.slice(0, end) : text).slice(0, 200) };
  }
  return { kind: 'other' };
}

export function dataPacket(block: number, payload: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(4 + payload.length);
  packet.writeUInt16BE(OPCODE.DATA, 0);
  packet.writeUInt16BE(block & 0xffff, 2);
  packet.set(payload, 4);
  return packet;
}

export function oackPacket(options: readonly (readonly [string, string])[]): Buffer {
  const body = options.map(([name, value]) => `${name}\0${value}\0`).join('');
  const packet = Buffer.alloc(2 + Buffer.byteLength(body, 'latin1'));
  packet.writeUInt16BE(OPCODE.OACK, 0);
  packet.write(body, 2, 'latin1');
  return packet;
}

export function errorPacket(code: number, message: string): Buffer {
  const text = message.replace(/[^\x20-\x7e]/g, '?');
  const packet = Buffer.alloc(5 + text.length);
  packet.writeUInt16BE(OPCODE.ERROR, 0);
  packet.writeUInt16BE(code, 2);
  packet.write(text, 4, 'latin1');
  return packet;
}

/**
 * netascii (RFC 764, as RFC 1350 asks) from a file's bytes: LF becomes CR LF, CR becomes CR NUL, so
 * that the client gets the file's bytes back (tftpd-hpa's mapping). Byte by byte, so chunks of a file
 * can be encoded one at a time.
 */
export function toNetascii(chunk: Uint8Array): Buffer {
  let extra = 0;
  for (const byte of chunk) if (byte === 0x0a || byte === 0x0d) extra++;
  if (extra === 0) return Buffer.from(chunk);
  const out = Buffer.allocUnsafe(chunk.length + extra);
  let o = 0;
  for (const byte of chunk) {
    if (byte === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else if (byte === 0x0d) {
      out[o++] = 0x0d;
      out[o++] = 0x00;
    } else out[o++] = byte;
  }
  return out;
}
