// `autop run`: a phone living on a clock (issue #5 §6). In virtual time a week runs in seconds and
// the same inputs give the same timeline; in real time it listens for check-sync NOTIFYs until
// Ctrl-C, which saves its state and prints a summary.
import type { Command } from 'commander';
import { userAgent } from '../engine/userAgent.js';
import { openWire } from '../fetch/openWire.js';
import { PhoneLife, type Call, type TimelineEntry } from '../phone/life.js';
import type { PhoneState } from '../phone/state.js';
import { writeStateFile } from '../phone/stateFile.js';
import { startSipEndpoint } from '../sip/endpoint.js';
import { DEFAULT_VIRTUAL_START } from '../time/clock.js';
import { action } from './action.js';
import { parseDuration } from '../core/duration.js';
import { addPhoneOptions, checkStateWritable, resolvePhone, type PhoneOptions } from './phoneOptions.js';
import { EXIT, UsageError } from './usage.js';
import {
  addDiscoveryOptions,
  checkDiscoveryOptions,
  discoverServer,
  wantsDiscovery,
  type DiscoveryCliOptions,
} from './discoverOptions.js';
import type { DiscoveryReport } from '../discovery/chain.js';
import { renderDiscovery } from '../report/discovery.js';
import { maskDiscovery } from '../report/print.js';
import {
  addServerOptions,
  addSizeOption,
  addWireOptions,
  serverFromOptions,
  roundEngine,
  treeRootFor,
  wireFlags,
  type SizeCliOptions,
  type WireCliOptions,
} from './wire.js';

/** The default virtual start as people write it: 2026-01-05T00:00:00Z. */
export const DEFAULT_START_TEXT = new Date(DEFAULT_VIRTUAL_START).toISOString().replace('.000Z', 'Z');

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description(
      'a phone living on a clock: power-on, repeat, weekly, flexible, NOTIFY; the timeline as it goes',
    );
  addServerOptions(command);
  addPhoneOptions(command, "the phone's saved state, kept after every round");
  addWireOptions(command);
  addSizeOption(command);
  command
    .option('--virtual', 'virtual time: the run costs only the rounds (needs --for)')
    .option('--for <duration>', 'how long to live: 7d, 12h, 90m (real time: until Ctrl-C without it)')
    .option('--start <time>', `virtual start time, ISO 8601 (default ${DEFAULT_START_TEXT}, a Monday)`)
    .option('--seed <text>', 'seed of the random draws (weekly day, flexible time)', '')
    .option('--call <offset/duration...>', 'a call during the run, e.g. 1d2h/40m (T10)')
    .option('--boot <duration>', 'how long a boot takes, power-on to the first round', '1m')
    .option('--sip-port <port>', 'UDP port to listen for check-sync NOTIFYs on (real time)', '5060')
    .option('--no-sip', 'do not listen for SIP')
    .option('--json', 'print the timeline as JSON at the end');
  addDiscoveryOptions(command).action(action(runCommand));
}

export interface RunOptions extends PhoneOptions, DiscoveryCliOptions, WireCliOptions, SizeCliOptions {
  virtual?: boolean;
  for?: string;
  start?: string;
  seed?: string;
  sipPort?: string;
  sip?: boolean;
  call?: string[];
  boot?: string;
  json?: boolean;
}

/** `--call 1d2h/40m`: a call starting 1 day 2 hours into the run, lasting 40 minutes (T10). */
function parseCalls(texts: readonly string[], start: number): Call[] {
  return texts.map((text) => {
    const [offset, length] = text.split('/');
    const from = offset !== undefined ? parseDuration(offset) : undefined;
    const duration = length !== undefined ? parseDuration(length) : undefined;
    if (from === undefined || duration === undefined) {
      throw new UsageError(`--call ${text}: write OFFSET/DURATION, for example 1d2h/40m`);
    }
    return { start: start + from, end: start + from + duration };
  });
}

function portOf(options: RunOptions): number {
  const text = options.sipPort ?? '5060';
  const port = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535)
    throw new UsageError(`--sip-port ${options.sipPort}: a UDP port number (0-65535)`);
  return port;
}

function line(entry: TimelineEntry): string {
  return `${entry.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${entry.state.padEnd(14)} ${entry.trigger ? `[${entry.trigger}] ` : ''}${entry.event}`;
}

export async function runCommand(options: RunOptions): Promise<number> {
  checkDiscoveryOptions(options);
  const server = serverFromOptions(options);
  const wire = wireFlags(options);
  const engine = roundEngine(options);
  const sipPort = portOf(options);
  await checkStateWritable(options.state);
  const phone = await resolvePhone(options);
  const virtual = options.virtual ?? false;
  const duration = options.for !== undefined ? parseDuration(options.for) : undefined;
  if (options.for !== undefined && duration === undefined)
    throw new UsageError(`--for ${options.for}: write a duration such as 7d, 12h or 90m`);
  if (virtual && duration === undefined)
    throw new UsageError('--virtual needs --for DURATION (for example --for 7d)');
  const start =
    options.start !== undefined ? Date.parse(options.start) : virtual ? DEFAULT_VIRTUAL_START : Date.now();
  if (Number.isNaN(start))
    throw new UsageError(`--start ${options.start}: write an ISO 8601 time such as 2026-01-05T00:00:00Z`);
  const until = duration !== undefined ? start + duration : Number.POSITIVE_INFINITY;
  const calls = parseCalls(options.call ?? [], start);
  const bootMs = parseDuration(options.boot ?? '1m');
  if (bootMs === undefined) throw new UsageError(`--boot ${options.boot}: a duration such as 1m or 5s`);

  const params = engine.catalogues.params;
  // #13.9: one tree root for a file: server, wildcards expanded (with --discover: none, per boot).
  const treeRoot = wantsDiscovery(options) ? undefined : treeRootFor(phone, server, params);
  const fetcher = openWire({ ...wire, ...(treeRoot !== undefined && { treeRoot }) });
  const entries: TimelineEntry[] = [];
  let discovery: DiscoveryReport | undefined;
  // Issue #6: with --discover the S1 chain runs at every boot, as on the phone.
  const findServer = wantsDiscovery(options)
    ? async (state: PhoneState, now: number) => {
        const found = await discoverServer(
          { model: phone.model, state },
          params,
          options,
          new Date(now),
          wire.credentials,
        );
        discovery = found.report;
        if (!options.json) process.stdout.write(renderDiscovery(found.report));
        return { state: found.state, summary: found.summary, ...(found.server && { server: found.server }) };
      }
    : undefined;
  const life = new PhoneLife({
    engine,
    model: phone.model,
    state: phone.state,
    ...(server && { server }),
    ...(findServer && { findServer }),
    fetcher,
    time: virtual ? 'virtual' : 'real',
    start,
    seed: options.seed ?? '',
    bootMs,
    calls,
    onEntry: (entry) => {
      entries.push(entry);
      if (!options.json) process.stdout.write(line(entry) + '\n');
    },
    // After every round that ran, and at power-off (the end of the run, or Ctrl-C).
    ...(options.state && { onState: (state) => writeStateFile(options.state!, state) }),
  });

  let sip: Awaited<ReturnType<typeof startSipEndpoint>> | undefined;
  if (!virtual && options.sip !== false) {
    try {
      sip = await startSipEndpoint({
        port: sipPort,
        userAgent: userAgent(phone.model, phone.state.firmware, phone.state.mac, {}),
        onCheckSync: (event) => life.request('notify', event.eventHeader),
      });
    } catch (e) {
      await fetcher.close();
      // A port in use or not ours to take: the user's to choose another (issue #13.5).
      throw new UsageError(
        `--sip-port ${sipPort}: ${(e as Error).message}; choose another port (0: any free one) or --no-sip`,
      );
    }
    if (!options.json) process.stdout.write(`listening for SIP NOTIFY on udp 127.0.0.1:${sip.port}\n`);
  }
  const stop = () => life.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await life.live(until);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await sip?.close();
    await fetcher.close();
  }
  const rounds = entries.filter((e) => e.round);
  if (options.json) {
    process.stdout.write(
      JSON.stringify(
        {
          ...(discovery && { discovery: maskDiscovery(discovery) }),
          timeline: entries,
          state: { firmware: life.flash.firmware, rounds: life.flash.rounds },
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const byTrigger = new Map<string, number>();
    for (const e of rounds) byTrigger.set(e.trigger ?? '?', (byTrigger.get(e.trigger ?? '?') ?? 0) + 1);
    const updated = rounds.filter((e) => e.round?.updated).length;
    const reboots = rounds.filter((e) => e.round?.reboot).length;
    process.stdout.write(
      `\n${rounds.length} rounds (${[...byTrigger].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), ${updated} updated, ${reboots} reboots; firmware ${life.flash.firmware}\n`,
    );
  }
  return EXIT.ok;
}
