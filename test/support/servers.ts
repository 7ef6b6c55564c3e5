// Starting third-party servers (Debian packages) for interop tests: a free loopback port, a
// temporary folder for their configuration, and a clear message when the package is missing:
// a failure in CI (CI=true), a skip with that message on a developer's machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where to find a server binary, and the Debian package that brings it. */
export interface Needed {
  readonly binary: string;
  readonly debianPackage: string;
}

/** undefined when present; else the message to fail (CI) or skip (elsewhere) with. */
export function missing(needed: Needed): string | undefined {
  const found = needed.binary.startsWith('/')
    ? existsSync(needed.binary)
    : spawnSync('which', [needed.binary]).status === 0;
  return found
    ? undefined
    : `${needed.binary} is not installed: apt-get install ${needed.debianPackage} (.ci/run does this in CI)`;
}

/**
 * For `describe.skipIf(...)`: true only on a developer's machine without the package. In CI a
 * missing package is not skipped: `assertInstalled` in beforeAll then fails with the message.
 */
export function skipUnlessInstalled(...needed: Needed[]): boolean {
  const problems = needed.map(missing).filter((m) => m !== undefined);
  if (problems.length === 0) return false;
  if (process.env.CI) return false;
  console.warn(`skipping: ${problems.join('; ')}`);
  return true;
}

export function assertInstalled(...needed: Needed[]): void {
  const problems = needed.map(missing).filter((m) => m !== undefined);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `autop-${prefix}-`));
}

/** Waits until a TCP port accepts connections (a server that daemonises or starts slowly). */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
