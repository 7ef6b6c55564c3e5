// Raw HTTP over node:net for tests that must send what a normalising client never would
// (`/../`, `%2e%2e`), and raw servers that misbehave on purpose.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** Sends `text` as is (add `Connection: close`) and reads the whole answer. */
export function rawRequest(port: number, text: string, options: { tls?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = options.tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on(options.tls ? 'secureConnect' : 'connect', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after part of the answer (a server closing on an unread upload) still shows the answer.
    socket.on('error', (e) => {
      if (chunks.length === 0) reject(e);
    });
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const split = all.indexOf('\r\n\r\n');
      const head = split >= 0 ? all.slice(0, split) : all;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split >= 0 ? all.slice(split + 4) : '' });
    });
  });
}

export const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;

/** A TCP server that hands each connection to `onConnection`; close() also ends open sockets. */
export async function rawServer(
  onConnection: (socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
