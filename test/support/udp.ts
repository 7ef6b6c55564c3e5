// UDP peers for TFTP tests: a free port, a socket that never answers, one raw request and its
// first answer, and a plain RFC 1350 server that ignores every option (as old servers do).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** A UDP port free on 127.0.0.1 right now. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function bound(port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  return socket;
}

const closeSocket = (socket: Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));

/** An RRQ or WRQ as sent on the wire: the file name, the mode and the options. */
export interface ParsedRequest {
  readonly opcode: number;
  readonly file: string;
  readonly mode: string;
  readonly options: Record<string, string>;
}

export function parseRequest(packet: Buffer): ParsedRequest {
  const fields = packet.subarray(2).toString('latin1').split('\0');
  const [file = '', mode = '', ...rest] = fields;
  const options: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) options[rest[i]!.toLowerCase()] = rest[i + 1]!;
  return { opcode: packet.readUInt16BE(0), file, mode, options };
}

/** Receives and records every datagram, answers none: a server that has gone silent. */
export async function silentUdpServer(): Promise<{
  port: number;
  received: Buffer[];
  close(): Promise<void>;
}> {
  const socket = await bound();
  const received: Buffer[] = [];
  socket.on('message', (message: Buffer) => received.push(message));
  return { port: socket.address().port, received, close: () => closeSocket(socket) };
}

export function requestPacket(opcode: 1 | 2, file: string, options: Record<string, string> = {}): Buffer {
  const parts = [file, 'octet', ...Object.entries(options).flat()].map((s) =>
    Buffer.from(`${s}\0`, 'latin1'),
  );
  const head = Buffer.alloc(2);
  head.writeUInt16BE(opcode);
  return Buffer.concat([head, ...parts]);
}

export type Answer =
  | { readonly kind: 'error'; readonly code: number; readonly message: string }
  | { readonly kind: 'data'; readonly block: number; readonly length: number }
  | { readonly kind: 'oack'; readonly options: Record<string, string> }
  | { readonly kind: 'ack'; readonly block: number }
  | { readonly kind: 'none' };

/**
 * Sends one raw request and returns the first answer. A transfer that started is then ended with
 * an ERROR packet, so the server does not go on retransmitting.
 */
export async function rawTftpRequest(port: number, packet: Buffer, waitMs = 2000): Promise<Answer> {
  const socket = await bound();
  try {
    const reply = await new Promise<{ message: Buffer; from: RemoteInfo } | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), waitMs);
      socket.once('message', (message: Buffer, from: RemoteInfo) => {
        clearTimeout(timer);
        resolve({ message, from });
      });
      socket.send(packet, port, '127.0.0.1');
    });
    if (!reply) return { kind: 'none' };
    const { message, from } = reply;
    const opcode = message.readUInt16BE(0);
    if (opcode === 5) {
      return {
        kind: 'error',
        code: message.readUInt16BE(2),
        message: message.subarray(4).toString('latin1').replace(/\0.*$/s, ''),
      };
    }
    await new Promise<void>((resolve) =>
      socket.send(errorPacket(0, 'test done'), from.port, from.address, () => resolve()),
    );
    if (opcode === 3) return { kind: 'data', block: message.readUInt16BE(2), length: message.length - 4 };
    if (opcode === 4) return { kind: 'ack', block: message.readUInt16BE(2) };
    const fields = message.subarray(2).toString('latin1').split('\0');
    const options: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) options[fields[i]!] = fields[i + 1]!;
    return { kind: 'oack', options };
  } finally {
    await closeSocket(socket);
  }
}

function errorPacket(code: number, message: string): Buffer {
  const packet = Buffer.alloc(5 + message.length);
  packet.writeUInt16BE(5, 0);
  packet.writeUInt16BE(code, 2);
  packet.write(message, 4, 'latin1');
  return packet;
}

/**
 * RFC 1350 and nothing more: options in the RRQ are ignored (no OACK), blocks are 512 bytes,
 * lock-step. A missing file is ERROR 1 worded as tftpd's errno text, not the RFC's.
 */
export async function plainTftpServer(files: ReadonlyMap<string, Buffer>): Promise<{
  port: number;
  requests: ParsedRequest[];
  /** DATA blocks the clients acknowledged, all transfers together. */
  readonly acked: { blocks: number };
  close(): Promise<void>;
}> {
  const main = await bound();
  const requests: ParsedRequest[] = [];
  const acked = { blocks: 0 };
  const transfers = new Set<Socket>();
  let stopped = false;
  main.on('message', (message: Buffer, client: RemoteInfo) => {
    const request = parseRequest(message);
    requests.push(request);
    void (async () => {
      const socket = await bound();
      if (stopped) return closeSocket(socket);
      transfers.add(socket);
      const finish = async () => {
        if (!transfers.delete(socket)) return; // close() has it
        await closeSocket(socket);
      };
      const content = files.get(request.file);
      if (request.opcode !== 1 || !content) {
        const answer =
          request.opcode !== 1 ? errorPacket(2, 'Read only') : errorPacket(1, 'No such file or directory');
        socket.send(answer, client.port, client.address, () => void finish());
        return;
      }
      for (let block = 1; transfers.has(socket); block++) {
        const data = content.subarray((block - 1) * 512, block * 512);
        const head = Buffer.alloc(4);
        head.writeUInt16BE(3, 0);
        head.writeUInt16BE(block, 2);
        const ok = await sendUntilAcked(socket, Buffer.concat([head, data]), client, block);
        if (ok) acked.blocks++;
        if (!ok || data.length < 512) break;
      }
      await finish();
    })();
  });
  return {
    port: main.address().port,
    requests,
    acked,
    close: async () => {
      stopped = true;
      const open = [...transfers];
      transfers.clear();
      await Promise.all([closeSocket(main), ...open.map(closeSocket)]);
    },
  };
}

/** Sends a DATA packet again every 200 ms until its ACK; gives up on an ERROR or after 5 tries. */
async function sendUntilAcked(
  socket: Socket,
  packet: Buffer,
  client: RemoteInfo,
  block: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const answer = await new Promise<'ack' | 'error' | 'silent'>((resolve) => {
      const onMessage = (message: Buffer) => {
        if (message.readUInt16BE(0) === 4 && message.readUInt16BE(2) === block) done('ack');
        else if (message.readUInt16BE(0) === 5) done('error');
      };
      const done = (value: 'ack' | 'error' | 'silent') => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        socket.off('close', onClose);
        resolve(value);
      };
      const onClose = () => done('error');
      const timer = setTimeout(() => done('silent'), 200);
      socket.on('message', onMessage);
      socket.once('close', onClose);
      try {
        socket.send(packet, client.port, client.address);
      } catch {
        done('error'); // closed by close()
      }
    });
    if (answer !== 'silent') return answer === 'ack';
  }
  return false;
}
