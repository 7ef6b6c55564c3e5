// A network of our own for the discovery tests (issue #6 §5): two network namespaces joined by a
// veth pair, one for the servers (dnsmasq, a PnP server, the provisioning server) and one for the
// phone. Nothing leaves them. Creating namespaces needs root: in CI (CI=true) a missing privilege
// or tool fails the test; elsewhere it skips with the reason.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { missing } from './servers.js';

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  const ip = missing({ binary: 'ip', debianPackage: 'iproute2' });
  if (ip) return ip;
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs the tests as root)';
  return undefined;
}

/** For `describe.skipIf(...)`: skip only off CI, with the reason printed. */
export function skipUnlessNetns(...extra: (string | undefined)[]): boolean {
  const problems = [netnsUnavailable(), ...extra].filter((p) => p !== undefined);
  if (problems.length === 0) return false;
  if (process.env.CI) return false;
  console.warn(`skipping: ${problems.join('; ')}`);
  return true;
}

export function assertNetns(...extra: (string | undefined)[]): void {
  const problems = [netnsUnavailable(), ...extra].filter((p) => p !== undefined);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
}

export interface Namespace {
  readonly name: string;
  /** The end of the veth pair inside this namespace. */
  readonly ifname: string;
  /** Runs a command inside the namespace, to completion. */
  run(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string };
  /** Starts a long-running command inside the namespace; the LAN kills it on close. */
  start(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
}

export interface Lan {
  readonly server: Namespace;
  readonly phone: Namespace;
  /** The server side's addresses: IPv4 10.77.0.1/24, IPv6 fd77::1/64. */
  readonly serverV4: string;
  readonly serverV6: string;
  /** Removes both namespaces (and with them the veth pair) and kills what was started. */
  close(): Promise<void>;
}

export const LAN_V4 = '10.77.0.1';
export const LAN_V6 = 'fd77::1';
export const LAN_PHONE_V4 = '10.77.0.2';
export const LAN_PHONE_V6 = 'fd77::2';

/**
 * Two namespaces, `autop-s-<id>` and `autop-p-<id>`. The server side has fixed addresses; the phone
 * side has 10.77.0.2 and fd77::2 (outside the DHCP ranges), a link-local IPv6 address, and device routes so that
 * broadcasts and multicasts (255.255.255.255, 224.0.1.75, ff02::1:2) leave through the veth.
 */
export function createLan(): Lan {
  const id = randomBytes(3).toString('hex');
  const names = { server: `autop-s-${id}`, phone: `autop-p-${id}` };
  const ifs = { server: `aps${id}`, phone: `app${id}` };
  const children: ChildProcess[] = [];
  ip('netns', 'add', names.server);
  ip('netns', 'add', names.phone);
  try {
    ip('link', 'add', ifs.server, 'type', 'veth', 'peer', 'name', ifs.phone);
    ip('link', 'set', ifs.server, 'netns', names.server);
    ip('link', 'set', ifs.phone, 'netns', names.phone);
    for (const side of ['server', 'phone'] as const) {
      // No duplicate address detection: the addresses are usable at once, not after a second.
      sysctl(names[side], `net.ipv6.conf.${ifs[side]}.accept_dad`, '0');
      sysctl(names[side], `net.ipv6.conf.all.accept_dad`, '0');
      ip('-n', names[side], 'link', 'set', 'lo', 'up');
      ip('-n', names[side], 'link', 'set', ifs[side], 'up');
    }
    ip('-n', names.server, 'addr', 'add', `${LAN_V4}/24`, 'dev', ifs.server);
    ip('-n', names.server, 'addr', 'add', `${LAN_V6}/64`, 'dev', ifs.server, 'nodad');
    ip('-n', names.server, 'route', 'add', '224.0.0.0/4', 'dev', ifs.server);
    // The phone side gets a fixed address outside the DHCP range: the emulator reports the lease it
    // is offered but does not configure the interface, and PnP needs an address to be answered at.
    ip('-n', names.phone, 'addr', 'add', `${LAN_PHONE_V4}/24`, 'dev', ifs.phone);
    ip('-n', names.phone, 'addr', 'add', `${LAN_PHONE_V6}/64`, 'dev', ifs.phone, 'nodad');
    ip('-n', names.phone, 'route', 'add', 'default', 'dev', ifs.phone);
    ip('-n', names.phone, 'route', 'add', '224.0.0.0/4', 'dev', ifs.phone);
  } catch (error) {
    spawnSync('ip', ['netns', 'del', names.server]);
    spawnSync('ip', ['netns', 'del', names.phone]);
    throw error;
  }

  const namespace = (side: 'server' | 'phone'): Namespace => ({
    name: names[side],
    ifname: ifs[side],
    run(command, args) {
      const result = spawnSync('ip', ['netns', 'exec', names[side], command, ...args], { encoding: 'utf8' });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    start(command, args, options = {}) {
      const child = spawn('ip', ['netns', 'exec', names[side], command, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...options,
      });
      children.push(child);
      return child;
    },
  });

  return {
    server: namespace('server'),
    phone: namespace('phone'),
    serverV4: LAN_V4,
    serverV6: LAN_V6,
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 2000).unref();
            }),
        ),
      );
      spawnSync('ip', ['netns', 'del', names.server]);
      spawnSync('ip', ['netns', 'del', names.phone]);
    },
  };
}

function sysctl(namespace: string, key: string, value: string): void {
  spawnSync('ip', ['netns', 'exec', namespace, 'sysctl', '-qw', `${key}=${value}`]);
}

/** Collects a child's output; resolves with it when the child exits. */
export function outputOf(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
