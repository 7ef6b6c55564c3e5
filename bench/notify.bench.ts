// Issue #14 §2: a NOTIFY storm, side by side with SIPp in one run. What a check-sync NOTIFY costs to
// parse (sip.js, the parser of record, against the hot path's strict reader); SIPp's rate against
// SIPp (the reference: one C++ process each side); SIPp's UAC against the fleet's SIP endpoint (our
// receiving side); the fleet's NOTIFY sender against SIPp's UAS (our sending side); and a real-time
// `--scenario notify-storm` end to end, every NOTIFY answered 200 and acted on (its round, the reboot
// `sip.notify_reboot_enable` asks for, spec T7). Every storm keeps IN_FLIGHT transactions at once.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mac } from '../src/core/mac.js';
import { fixturesDir, packageRoot } from '../src/core/packageRoot.js';
import { generateFleet, parseModelMix } from '../src/fleet/fleetInventory.js';
import { sendNotifyStorm, startFleetSip } from '../src/fleet/fleetSip.js';
import type { FleetReport, NotifyFigures } from '../src/fleet/report.js';
import { startFleetRun } from '../src/fleet/runner.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';
import { parseSipMessage, parseSipMessageBySipJs } from '../src/sip/message.js';
import { buildCheckSyncNotify } from '../src/sip/sender.js';
import { freeUdpPort } from '../test/support/udp.js';
import { heading, print, timed } from './measure.js';

const SIPP = '/usr/bin/sipp';
const SCENARIOS = join(packageRoot, 'bench', 'sipp');
/** NOTIFY transactions at once, for every sender: the fleet's default --concurrency. */
const IN_FLIGHT = 64;
/** NOTIFYs per SIP-only storm. */
const STORM = 20_000;
/** Phones of the end-to-end run (each provisions, reboots and provisions again before the storm). */
const FLEET = 2_000;

/** The MACs a storm notifies: the phones of a generated fleet. */
function macsOf(count: number, seed = 'bench'): Mac[] {
  const models = loadModelCatalogue();
  return generateFleet({ count, mix: parseModelMix('T46U:70%,T23G:30%', models), seed }, models).map(
    (p) => p.mac,
  );
}

interface SippResult {
  readonly successful: number;
  readonly failed: number;
  /** SIPp's own elapsed time of the scenario, in ms. */
  readonly ms: number;
  readonly retransmissions: number;
  readonly output: string;
}

/** Runs SIPp in the foreground to its end; what its final screens say. */
async function sipp(args: readonly string[], cwd: string): Promise<SippResult> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(SIPP, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const cumulative = (name: string) =>
    Number(new RegExp(`${name}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(output)?.[1] ?? Number.NaN);
  const totalTime = /(\d+(?:\.\d+)?) s\s+\d+\s+\S+\(UDP\)/.exec(output);
  const retrans = /NOTIFY ---------->\s+\d+\s+(\d+)/.exec(output);
  return {
    successful: cumulative('Successful call'),
    failed: cumulative('Failed call'),
    ms: totalTime ? Number(totalTime[1]) * 1000 : Number.NaN,
    retransmissions: retrans ? Number(retrans[1]) : Number.NaN,
    output,
  };
}

/** SIPp's UAC storming `port` with one NOTIFY per MAC, IN_FLIGHT at once, as fast as answers come. */
async function sippStorm(port: number, macs: readonly Mac[], dir: string): Promise<SippResult> {
  const inf = join(dir, 'macs.csv');
  await writeFile(inf, ['SEQUENTIAL', ...macs, ''].join('\n'));
  const result = await sipp(
    [
      `127.0.0.1:${port}`,
      ...['-sf', join(SCENARIOS, 'notify-uac.xml'), '-inf', inf],
      ...['-i', '127.0.0.1', '-p', String(await freeUdpPort())],
      ...['-m', String(macs.length), '-l', String(IN_FLIGHT), '-r', '1000000'],
      ...['-timeout', '120s', '-timeout_error', '-nostdin'],
    ],
    dir,
  );
  if (!(result.successful === macs.length))
    throw new Error(`SIPp's storm: ${result.successful} of ${macs.length} answered 200\n${result.output}`);
  return result;
}

/** SIPp's UAS answering every NOTIFY 200 on a port of its own, until stopped. */
async function sippPhones(dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freeUdpPort();
  const child = spawn(
    SIPP,
    ['-sf', join(SCENARIOS, 'notify-uas.xml'), '-i', '127.0.0.1', '-p', String(port), '-nostdin'],
    { cwd: dir, stdio: 'ignore' },
  );
  // SIPp binds at once; a storm sent before it listens would only be retransmitted.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function perSecond(count: number, ms: number): number {
  return (count / ms) * 1000;
}

/** The cost of reading one check-sync NOTIFY: sip.js's grammar against the strict reader. */
function parseCost(): void {
  const notify = Buffer.from(
    buildCheckSyncNotify(
      { host: '127.0.0.1', port: 5060, user: '00156574b150' },
      {
        localAddress: '127.0.0.1',
        localPort: 40_000,
        branch: 'z9hG4bK0123456789abcdef0123',
        fromTag: '0123456789ab',
        callId: '0123456789abcdef01234567@127.0.0.1',
        cseq: 1,
        userAgent: 'autop',
      },
    ),
  );
  const cost = (parse: (b: Buffer) => unknown, rounds: number): number => {
    for (let i = 0; i < Math.min(200, rounds); i++) parse(notify);
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) parse(notify);
    return Number(process.hrtime.bigint() - start) / 1e3 / rounds;
  };
  const slow = cost(parseSipMessageBySipJs, 500);
  const fast = cost(parseSipMessage, 20_000);
  print({ name: 'parse a check-sync NOTIFY: sip.js (parser of record)', value: slow, unit: 'µs' });
  print({
    name: 'parse a check-sync NOTIFY: strict reader (hot path)',
    value: fast,
    unit: 'µs',
    note: `${(slow / fast).toFixed(0)}× less; the same fields (test/sip/strictParse.test.ts)`,
  });
}

/** The fleet's real-time notify-storm on fixtures/fleet: the NOTIFYs' rate, and what they started. */
async function fleetStorm(): Promise<{ rate: number; report: FleetReport; roundsMs: number }> {
  const models = loadModelCatalogue();
  const phones = generateFleet(
    { count: FLEET, mix: parseModelMix('T46U:70%,T23G:30%', models), seed: 'bench' },
    models,
  );
  const run = startFleetRun({
    scenario: 'notify-storm',
    phones,
    seed: 'bench',
    source: { kind: 'tree', dir: join(fixturesDir, 'fleet') },
    time: 'real',
    concurrency: IN_FLIGHT,
    rampMs: 0,
    bootMs: 0,
  });
  // The storm's span, from its first NOTIFY out to its last answer, read off the live counters.
  let firstSent: number | undefined;
  let lastAnswered: number | undefined;
  const answered = (n: NotifyFigures) => Object.values(n.answered).reduce((a, b) => a + b, 0);
  const watch = setInterval(() => {
    const n = run.live().notify;
    if (!n) return;
    if (firstSent === undefined && n.sent > 0) firstSent = performance.now();
    if (lastAnswered === undefined && answered(n) + n.timeouts + n.notSent >= FLEET)
      lastAnswered = performance.now();
  }, 2);
  const report = await run.report;
  const end = performance.now();
  clearInterval(watch);
  const spanMs = (lastAnswered ?? end) - (firstSent ?? end);
  return { rate: perSecond(FLEET, spanMs), report, roundsMs: end - (firstSent ?? end) };
}

export async function benchNotify(): Promise<void> {
  heading('a NOTIFY storm, side by side with SIPp (issue #14 §2)');
  parseCost();
  if (!existsSync(SIPP)) {
    print({ name: 'NOTIFY storms against SIPp', value: 0, unit: '', note: `skipped: ${SIPP} not installed` });
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'autop-bench-notify-'));
  const macs = macsOf(STORM);
  const n = STORM.toLocaleString('en-US');
  try {
    // The reference: SIPp's UAC against SIPp's UAS.
    const phones = await sippPhones(dir);
    let reference: number;
    let ourSender: number;
    let senderRetransmissions = 0;
    try {
      const sippToSipp = await sippStorm(phones.port, macs, dir);
      reference = perSecond(sippToSipp.successful, sippToSipp.ms);
      print({
        name: `SIPp UAC -> SIPp UAS, ${n} NOTIFYs, ${IN_FLIGHT} at once`,
        value: reference,
        unit: 'NOTIFY/s',
        note: `the reference; ${sippToSipp.retransmissions} retransmissions`,
      });
      // Our sender against SIPp's phones.
      const { ms } = await timed(() =>
        sendNotifyStorm(macs, {
          host: '127.0.0.1',
          port: phones.port,
          concurrency: IN_FLIGHT,
          onOutcome: (_, outcome) => {
            if (outcome.kind !== 'answered' || outcome.status !== 200)
              throw new Error(`a NOTIFY to SIPp ended ${JSON.stringify(outcome)}`);
            senderRetransmissions += outcome.transmissions - 1;
          },
        }),
      );
      ourSender = perSecond(STORM, ms);
    } finally {
      await phones.stop();
    }
    print({
      name: `fleet sender -> SIPp UAS, ${n} NOTIFYs, ${IN_FLIGHT} at once`,
      value: ourSender,
      unit: 'NOTIFY/s',
      note: `${(ourSender / reference).toFixed(2)}× SIPp's; ${senderRetransmissions} retransmissions`,
    });

    // SIPp's PBX against the fleet's endpoint (every MAC a phone; rounds left out: SIP alone).
    let delivered = 0;
    const endpoint = await startFleetSip({ isPhone: () => true, onCheckSync: () => delivered++ });
    let toFleet: SippResult;
    try {
      toFleet = await sippStorm(endpoint.port, macs, dir);
    } finally {
      await endpoint.close();
    }
    const receiving = perSecond(toFleet.successful, toFleet.ms);
    print({
      name: `SIPp UAC -> fleet SIP endpoint, ${n} NOTIFYs, ${IN_FLIGHT} at once`,
      value: receiving,
      unit: 'NOTIFY/s',
      note: `${(receiving / reference).toFixed(2)}× SIPp's; ${delivered} check-syncs handed on, ${toFleet.retransmissions} retransmissions`,
    });

    // End to end: a real-time notify-storm, every NOTIFY answered and acted on.
    const { rate, report, roundsMs } = await fleetStorm();
    const notify = report.notify!;
    print({
      name: `fleet --scenario notify-storm, ${FLEET.toLocaleString('en-US')} phones, end to end`,
      value: rate,
      unit: 'NOTIFY/s',
      note: `${(rate / reference).toFixed(2)}× SIPp's; ${notify.answered['200'] ?? 0} answered 200 of ${notify.sent} sent, ${notify.timeouts} timeouts, ${notify.retransmissions} retransmissions; ${notify.rounds} rounds and ${notify.reboots} reboots started, all done ${(roundsMs / 1000).toFixed(1)} s after the first NOTIFY; ${report.emulator.verdict}`,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
