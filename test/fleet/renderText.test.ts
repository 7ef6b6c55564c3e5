import { describe, expect, it } from 'vitest';
import { renderFleetText } from '../../src/fleet/render/text.js';
import { fleetReport, interruptedNotifyStorm } from './renderFixture.js';

const ESC = '\u001b[';

function section(text: string, title: string): string {
  const start = text.indexOf(`\n${title}`);
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n\n', start + 1);
  return text.slice(start + 1, end === -1 ? undefined : end);
}

describe('fleet summary for a terminal', () => {
  const text = renderFleetText(fleetReport());

  it('opens with the scenario, the phones, and the scenario and wall time', () => {
    const head = text.split('\n').slice(0, 4).join('\n');
    expect(head).toContain('autop fleet: boot-storm, seed storm-1');
    expect(head).toContain('server       http://prov.example.com/');
    expect(head).toContain('phones       10,000, concurrency 500');
    expect(head).toContain(
      'virtual time: 1h 00m of scenario time in 42s wall, from 2026-11-28T09:00:00.000Z',
    );
  });

  it('counts provisioned and failed phones, and lists each failure reason with its count, largest first', () => {
    const phones = section(text, 'Phones');
    expect(phones).toMatch(/provisioned\s+9,950\s+99\.5%/);
    expect(phones).toMatch(/failed\s+50\s+0\.5%/);
    const reasons = phones.split('\n').filter((l) => /^\s+\d+\s{2}\S/.test(l));
    expect(reasons).toEqual([
      '      30  timeout: no answer from http://<host>/y000000000044.cfg after 3 attempts',
      '      20  http-status: HTTP 503 Service Unavailable for http://<host>/site.cfg',
    ]);
    expect(phones).toMatch(/reboots\s+9,950/);
    expect(phones).toMatch(/upgrades\s+120/);
  });

  it('has a row per model', () => {
    const models = section(text, 'By model');
    expect(models).toMatch(/T23G\s+4,000\s+3,970\s+30\s+3,970\s+0/);
    expect(models).toMatch(/T46U\s+6,000\s+5,980\s+20\s+5,980\s+120/);
  });

  it('counts requests per status, ok first', () => {
    const requests = section(text, 'Requests');
    const statuses = requests
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/)[0]);
    expect(statuses).toEqual(['ok', 'not-found', 'failed:http-status', 'failed:timeout']);
    expect(requests).toMatch(/failed:timeout\s+30/);
  });

  it('lists every file with its per-status counts when there are at most 20', () => {
    const files = section(text, 'Files');
    expect(files.split('\n')[0]).toBe('Files (8)');
    expect(files).toContain('10,000  /site.cfg  ok 9,980, failed:http-status 20');
    expect(files).toContain('/y000000000044.cfg  ok 3,970, failed:timeout 30');
    expect(files).not.toContain('more');
    expect(files.split('\n')).toHaveLength(9);
  });

  it("adds up the phones' own files of one pattern in one row (a fleet asks for one per phone)", () => {
    const files = section(renderFleetText(fleetReport({ macFiles: 300 })), 'Files');
    expect(files.split('\n')[0]).toBe('Files (8)');
    expect(files).toMatch(/^ +300 {2}\/<mac>-local\.cfg {2}not-found 300 {2}\(300 files, one per phone\)$/m);
    expect(files).toMatch(/^ +300 {2}\/phones\/<mac>\.cfg {2}ok 300 {2}\(300 files, one per phone\)$/m);
    // One phone's own file is named as it is.
    expect(files).toMatch(/^ +1 {2}\/00156574b150\.boot {2}ok 1$/m);
  });

  it('lists the 20 most requested files and counts the rest when there are more', () => {
    const files = section(renderFleetText(fleetReport({ otherFiles: 30 })), 'Files');
    const lines = files.split('\n');
    expect(lines[0]).toBe('Files (the 20 most requested of 38)');
    expect(lines[1]).toContain('/site.cfg');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('  … 18 more');
  });

  it('gives p50, p90, p99 and max per request kind, never above the max', () => {
    const latency = section(text, 'Latency');
    expect(latency).toMatch(/boot\s+10,000\s+20\s+50\s+188\s+188/);
    expect(latency).toMatch(/config\s+19,979\s+20\s+50\s+200\s+31,002/);
    expect(latency).toMatch(/firmware\s+120\s+5,000\s+8,640\s+8,640\s+8,640/);
    expect(latency).not.toMatch(/^\s+other/m);
  });

  it('shows the boot-storm peak in requests per second and the busiest minute', () => {
    const load = section(text, 'Load');
    expect(load).toContain('boot-storm peak  1,204 requests/s at 0:00:03 into the run (09:00:03 UTC)');
    expect(load).toContain('busiest minute   7,540 requests (126/s on average) in minute 1 (from 09:00 UTC)');
    expect(load).toMatch(/per minute\s+█▄▃▂/);
  });

  it('draws a week of load in 60 marks, each the busiest minute of its span, so a short storm shows', () => {
    const report = fleetReport();
    const week = new Array<number>(7 * 1440).fill(20);
    week[5_000] = 4_000;
    const load = section(renderFleetText({ ...report, load: { ...report.load, perMinute: week } }), 'Load');
    const line = load.split('\n').find((l) => l.includes('per minute'))!;
    const marks = /per minute\s+([▁-█]+)\s/.exec(line)![1]!;
    expect(marks).toHaveLength(60);
    expect(marks.replace(/▁/g, '')).toBe('█');
    expect(line).toContain('one mark per 2 h 48 min, its busiest minute');
  });

  it('states the emulator verdict, plainly when the server was the limit', () => {
    const emulator = section(text, 'Emulator');
    expect(emulator).toContain('CPU 71% of one core, event-loop delay p99 12 ms (max 38 ms), heap 202 MB');
    expect(emulator).toContain('the server was the limit');
  });

  it('warns in colour when the emulator was the bottleneck', () => {
    const coloured = renderFleetText(fleetReport({ bottleneck: true }), { color: true });
    const verdict = coloured.split('\n').find((l) => l.includes('the emulator was the bottleneck'));
    expect(verdict).toBeDefined();
    expect(verdict).toContain(`${ESC}33m`);
  });

  it('has no escape codes unless colour is asked for', () => {
    expect(text).not.toContain(ESC);
    expect(renderFleetText(fleetReport({ bottleneck: true }))).not.toContain(ESC);
  });

  it('says which shards a partial report covers', () => {
    const report = fleetReport();
    const shard = {
      ...report,
      run: { ...report.run, inventory: 40_000, shards: { count: 4, indexes: [1] } },
    };
    expect(renderFleetText(shard)).toContain('phones       10,000 of 40,000 (shard 1 of 4), concurrency 500');
  });
});

describe('fleet summary of a NOTIFY storm that was interrupted (issue #15)', () => {
  const text = renderFleetText(interruptedNotifyStorm());

  it('says first that the run was stopped, by what and when', () => {
    const head = text.split('\n').slice(0, 6).join('\n');
    expect(head).toContain(
      'stopped      interrupted by SIGINT 42s into the run: the report covers what happened until then',
    );
  });

  it('counts the phones not finished apart from the failed ones', () => {
    const phones = section(text, 'Phones');
    expect(phones).toMatch(/failed\s+50\s+0\.5%/);
    expect(phones).toMatch(/interrupted\s+30\s+0\.3%/);
    expect(phones).toMatch(/not started\s+5\s+<0\.1%/);
  });

  it('gives the NOTIFYs: sent, answered by status, timed out, not sent, retransmissions, latency, what they started', () => {
    const notify = section(text, 'NOTIFYs');
    expect(notify.split('\n')[0]).toBe('NOTIFYs  10,000 sent over SIP (check-sync, one per phone)');
    expect(notify).toMatch(/answered 200\s+9,990\s+99\.9%/);
    expect(notify).toMatch(/answered 404\s+8\s+<0\.1%/);
    expect(notify).toMatch(/timed out\s+2\s+<0\.1%/);
    expect(notify).toMatch(/not sent\s+0\s+0%/);
    expect(notify).toMatch(/retransmissions\s+31/);
    expect(notify).toContain('latency (sent to final response, ms)  p50 10, p90 20, p99 50, max 934');
    expect(notify).toContain('rounds they started  9,990, reboots after them 9,990');
  });

  it('says NOTIFYs were handed over in-process in virtual time, with no SIP figures', () => {
    const report = interruptedNotifyStorm();
    const virtual = renderFleetText({ ...report, run: { ...report.run, time: 'virtual' } });
    const notify = section(virtual, 'NOTIFYs');
    expect(notify).toContain('10,000 handed to the phones in-process (virtual time: no SIP)');
    expect(notify).not.toContain('answered');
  });

  it('has neither section in a run that ran to its end and sent no NOTIFY', () => {
    const plain = renderFleetText(fleetReport());
    expect(plain).not.toContain('stopped');
    expect(plain).not.toContain('NOTIFYs');
    expect(plain).not.toContain('interrupted');
  });
});
