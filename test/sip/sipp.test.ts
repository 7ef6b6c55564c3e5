// T7 interop: SIPp (Debian's sip-tester) plays the PBX and sends NOTIFY check-sync from the
// scenarios in test/sip/scenarios/; the call passes only on a 200 OK with the phone's User-Agent
// and a To tag, so SIPp checks our answer as much as we check its request.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSipEndpoint, type SipEndpoint } from '../../src/sip/endpoint.js';
import type { CheckSyncEvent } from '../../src/sip/uas.js';
import { assertInstalled, skipUnlessInstalled, tempDir } from '../support/servers.js';
import { freeUdpPort } from '../support/udp.js';

const SIPP = { binary: '/usr/bin/sipp', debianPackage: 'sip-tester' };
const SCENARIOS = fileURLToPath(new URL('./scenarios/', import.meta.url));
const UA = 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50';

interface SippRun {
  readonly code: number | null;
  readonly output: string;
  /** What the scenario's <log> actions wrote. */
  readonly log: string;
  /** Unexpected messages (-trace_err). */
  readonly errors: string;
}

/** One call of a UAC scenario against 127.0.0.1:port, in the foreground, at most 10 s. */
async function sipp(scenario: string, port: number): Promise<SippRun> {
  const dir = await tempDir('sipp');
  const localPort = await freeUdpPort();
  const args = [
    `127.0.0.1:${port}`,
    ...['-sf', join(SCENARIOS, scenario)],
    ...['-m', '1', '-s', '1001', '-i', '127.0.0.1', '-p', String(localPort)],
    ...['-timeout', '10s', '-timeout_error', '-nostdin'],
    ...['-trace_err', '-error_file', join(dir, 'errors.log')],
    ...['-trace_logs', '-log_file', join(dir, 'actions.log')],
  ];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(SIPP.binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, output }));
  });
  const read = (name: string) => readFile(join(dir, name), 'utf8').catch(() => '');
  const run = { code, output, log: await read('actions.log'), errors: await read('errors.log') };
  await rm(dir, { recursive: true, force: true });
  return run;
}

describe.skipIf(skipUnlessInstalled(SIPP))('T7 interop: SIPp sends NOTIFY check-sync', () => {
  let endpoint: SipEndpoint | undefined;
  let rounds: CheckSyncEvent[];

  beforeAll(() => assertInstalled(SIPP));
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  async function phone(userAgent = UA): Promise<SipEndpoint> {
    rounds = [];
    endpoint = await startSipEndpoint({ port: 0, userAgent, onCheckSync: (e) => rounds.push(e) });
    return endpoint;
  }

  it('check-sync.xml: the phone answers 200 OK and starts one round, no reboot asked for', async () => {
    const { port } = await phone();
    const run = await sipp('check-sync.xml', port);
    expect(run.code, run.output + run.errors).toBe(0);
    expect(run.log).toContain(`User-Agent ${UA.split(' 108')[0]}`);
    expect(rounds).toEqual([
      expect.objectContaining({
        reboot: false,
        eventHeader: 'check-sync',
        from: expect.stringMatching(/^sip:pbx@127\.0\.0\.1:\d+$/) as string,
      }),
    ]);
  });

  it('check-sync-reboot.xml: reboot=true reaches the round', async () => {
    const { port } = await phone();
    const run = await sipp('check-sync-reboot.xml', port);
    expect(run.code, run.output + run.errors).toBe(0);
    expect(rounds).toEqual([
      expect.objectContaining({ reboot: true, eventHeader: 'check-sync;reboot=true' }),
    ]);
  });

  it('fails the call when the 200 OK does not carry the phone UA: the scenario checks the answer', async () => {
    const { port } = await phone('Some Other Phone 1.0');
    const run = await sipp('check-sync.xml', port);
    expect(run.code).toBe(1);
  });
});
