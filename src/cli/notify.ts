// `autop notify HOST[:PORT]`: sends a phone the NOTIFY `Event: check-sync` a PBX sends to make it
// provision (spec T7), and says how the phone answered: exit 0 on 2xx, 1 otherwise.
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../core/packageRoot.js';
import { TIMER_F } from '../sip/clientTransaction.js';
import { sendCheckSync, type NotifyOutcome } from '../sip/sender.js';
import { action } from './action.js';
import { EXIT, UsageError } from './usage.js';
import { parseTimeout } from './wire.js';

export interface NotifyOptions {
  reboot?: boolean;
  user?: string;
  /** Milliseconds, as typed. */
  timeout?: string;
}

export interface NotifyIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const STDIO: NotifyIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function registerNotify(program: Command): void {
  program
    .command('notify')
    .description(
      'send a phone the SIP NOTIFY (Event: check-sync) a PBX sends to make it provision (T7); exit 0 on a 2xx answer',
    )
    .argument('<target>', "the phone's SIP address: HOST[:PORT] or [IPV6]:PORT (default port 5060)")
    .option(
      '--reboot',
      'add ;reboot=true to the Event header (with sip.notify_reboot_enable = 0 the phone then reboots)',
    )
    .option('--user <name>', 'user part of the Request-URI, sip:NAME@HOST:PORT (e.g. the account, 1001)')
    .option(
      '--timeout <duration>',
      `give up after this long without a final answer (a bare number is milliseconds; at most ${TIMER_F}, Timer F)`,
      String(TIMER_F),
    )
    .action(action(notifyCommand));
}

/** `HOST`, `HOST:PORT`, `[IPV6]:PORT` or a bare IPv6 address; the port defaults to 5060. */
export function parseTarget(target: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  const plain = /^([^:[\]\s]+)(?::(\d+))?$/.exec(target);
  const host = isIPv6(target) ? target : bracketed && isIPv6(bracketed[1] ?? '') ? bracketed[1] : plain?.[1];
  const port = Number((bracketed ?? plain)?.[2] ?? 5060);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(
      `${target} is not a phone address; give HOST:PORT (e.g. 192.168.1.50:5060, [fe80::1]:5060)`,
    );
  return { host, port };
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'dev';
  }
}

/** One line for the person, and the exit code. */
export function reportOutcome(target: string, outcome: NotifyOutcome, io: NotifyIo = STDIO): number {
  switch (outcome.kind) {
    case 'answered':
      io.out(`${outcome.status} ${outcome.reason} from ${outcome.from.address}:${outcome.from.port}\n`);
      return outcome.status >= 200 && outcome.status < 300 ? EXIT.ok : EXIT.couldNotRun;
    case 'timeout':
      io.err(
        `autop: no answer from ${target} within ${outcome.waitedMs} ms (NOTIFY sent ${outcome.transmissions} times); is a phone listening on that UDP port?\n`,
      );
      return EXIT.couldNotRun;
    case 'failed':
      io.err(`autop: ${outcome.message}\n`);
      return EXIT.couldNotRun;
  }
}

/** RFC 3261 §25.1 `user`: unreserved and user-unreserved characters, or %-escapes. */
const SIP_USER = /^([A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;

/** The action of `autop notify`: prints to stdout/stderr, returns the exit code. */
export function notifyCommand(target: string, options: NotifyOptions): Promise<number> {
  return runNotify(target, options, STDIO);
}

/** notifyCommand with its output captured (tests). */
export async function runNotify(target: string, options: NotifyOptions, io: NotifyIo): Promise<number> {
  const { host, port } = parseTarget(target);
  if (options.user !== undefined && !SIP_USER.test(options.user))
    throw new UsageError(`--user ${options.user} cannot be the user part of a SIP URI; e.g. --user 1001`);
  // Timer F bounds a non-INVITE transaction (RFC 3261 §17.1.2.2): no longer wait is meaningful.
  const timeoutMs =
    options.timeout === undefined ? TIMER_F : parseTimeout('--timeout', options.timeout, TIMER_F);
  const outcome = await sendCheckSync({
    host,
    port,
    reboot: options.reboot === true,
    timeoutMs,
    userAgent: `autop/${version()}`,
    ...(options.user !== undefined && { user: options.user }),
  });
  return reportOutcome(target, outcome, io);
}
