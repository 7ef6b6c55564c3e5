import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createProgress,
  etaText,
  progressFigures,
  progressLine,
  type ProgressSample,
  windowHistory,
} from '../../src/fleet/progress.js';
import type { LiveStats } from '../../src/fleet/report.js';
import { liveStats, notifyFigures } from './renderFixture.js';

const at = (wallMs: number, overrides: Partial<LiveStats> = {}): ProgressSample => ({
  wallMs,
  live: liveStats(overrides),
});

/** Everything written to the stream, as text. */
function capture(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

describe('progress figures', () => {
  it('measures requests per second over the window and phones per second since the start, in wall time', () => {
    const f = progressFigures(
      10_000,
      at(5_000, { requests: 11_330 }),
      at(10_000, { requests: 17_350, done: 4_210 }),
    );
    expect(f.requestsPerSecond).toBe(1_204);
    expect(f.phonesPerSecond).toBe(421);
  });

  it('extrapolates the ETA from the share of phones done', () => {
    const f = progressFigures(10_000, at(0), at(10_000, { done: 5_000 }));
    expect(f.etaMs).toBe(10_000);
  });

  it('extrapolates from the scenario clock when it is further along than the phones (life: phones finish at the end)', () => {
    const f = progressFigures(
      10_000,
      at(0),
      at(30_000, { done: 0, elapsedMs: 6 * 3_600_000 }),
      24 * 3_600_000,
    );
    expect(f.etaMs).toBe(90_000);
  });

  it('has no ETA before anything is done, and 0 when everything is', () => {
    expect(progressFigures(10_000, at(0), at(3_000, { done: 0, elapsedMs: 0 })).etaMs).toBeUndefined();
    expect(progressFigures(10_000, at(0), at(3_000, { done: 10_000 })).etaMs).toBe(0);
    expect(etaText(undefined)).toBe('?');
  });

  it('reads as one plain line', () => {
    const f = progressFigures(10_000, at(5_000, { requests: 11_330 }), at(10_000, { requests: 17_350 }));
    expect(progressLine({ ...f, etaMs: 4_200 })).toBe(
      'fleet: 4,210/10,000 phones done, 3 failed, 1,204 requests/s, ETA 5s',
    );
    expect(progressLine({ ...f, etaMs: 200_000 })).toMatch(/, ETA 3m 20s$/);
    expect(progressLine({ ...f, wallMs: 42_000 }, true)).toMatch(/, done in 42s$/);
  });

  it('shows a NOTIFY storm as it goes: NOTIFYs answered of those sent (issue #15)', () => {
    const notify = { ...notifyFigures(), sent: 500, answered: { '200': 470, '404': 2 } };
    const f = progressFigures(
      10_000,
      at(5_000, { requests: 11_330 }),
      at(10_000, { requests: 17_350, notify }),
    );
    expect(progressLine({ ...f, etaMs: 4_200 })).toBe(
      'fleet: 4,210/10,000 phones done, 3 failed, 1,204 requests/s, NOTIFYs 472/500 answered, ETA 5s',
    );
    // Before the storm's first NOTIFY, nothing about NOTIFYs.
    const before = progressFigures(
      10_000,
      at(0),
      at(1_000, { notify: { ...notify, sent: 0, answered: {} } }),
    );
    expect(progressLine(before)).not.toContain('NOTIFY');
  });
});

describe('progress on a stream that is no terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a plain line every interval with the live figures, and the final state on stop', () => {
    const stream = new PassThrough();
    const output = capture(stream);
    let live = liveStats({ done: 0, requests: 0, failed: 0 });
    const progress = createProgress({
      total: 10_000,
      stream,
      intervalMs: 5_000,
      live: () => live,
      now: () => Date.now(),
    });
    progress.start();
    vi.advanceTimersByTime(4_999);
    expect(output()).toBe('');

    live = liveStats({ done: 4_210, requests: 6_020, failed: 3 });
    vi.advanceTimersByTime(1);
    // 4,210 of 10,000 in 5 s: the rest in 5 s × 5,790 / 4,210 ≈ 6.9 s.
    expect(output()).toBe('fleet: 4,210/10,000 phones done, 3 failed, 1,204 requests/s, ETA 7s\n');

    live = liveStats({ done: 10_000, requests: 9_000, failed: 5 });
    vi.advanceTimersByTime(2_000);
    progress.stop();
    const lines = output().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    // The final line's rate is over the whole run: 9,000 requests in 7 s.
    expect(lines[1]).toBe('fleet: 10,000/10,000 phones done, 5 failed, 1,286 requests/s, done in 7.0s');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(output().trimEnd().split('\n')).toHaveLength(2);
  });

  it('measures the request rate when the timer fires late (the previous line is a little more than an interval old)', () => {
    const stream = new PassThrough();
    const output = capture(stream);
    // A controllable clock: each tick of the 5 s timer finds 5.04 s gone by, as on a busy event loop.
    let wall = 0;
    let requests = 0;
    const progress = createProgress({
      total: 10_000,
      stream,
      intervalMs: 5_000,
      live: () => liveStats({ done: 0, failed: 0, requests, elapsedMs: wall }),
      now: () => wall,
    });
    progress.start();
    for (let tick = 1; tick <= 3; tick++) {
      wall += 5_040;
      requests += 5_040;
      vi.advanceTimersByTime(5_000);
    }
    progress.stop();
    const lines = output().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    // 5,040 requests in each 5.04 s: 1,000/s on every line, never 0.
    for (const line of lines.slice(0, 3)) expect(line).toMatch(/, 1,000 requests\/s, /);
  });

  it('keeps the snapshot that opens the window, and none older', () => {
    const history = [0, 1_000, 4_990, 5_010, 9_000].map((wallMs) => at(wallMs));
    expect(windowHistory(history, 10_050, 5_000).map((s) => s.wallMs)).toEqual([5_010, 9_000]);
    expect(windowHistory(history, 10_000, 5_000).map((s) => s.wallMs)).toEqual([4_990, 5_010, 9_000]);
    expect(windowHistory(history.slice(3), 6_000, 5_000).map((s) => s.wallMs)).toEqual([5_010, 9_000]);
  });

  it('follows the stream: plain lines when it is no terminal', () => {
    const stream = new PassThrough();
    const output = capture(stream);
    const progress = createProgress({ total: 10_000, stream, intervalMs: 1_000, live: () => liveStats() });
    progress.start();
    vi.advanceTimersByTime(1_000);
    progress.stop();
    expect(output()).toMatch(/^fleet: 4,210\/10,000 phones done, 3 failed, .*\nfleet: .*done in/);
    expect(output()).not.toContain('\u001b[');
  });
});

describe('progress on a terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws a bar in place with done/total, failed, rates and ETA, and leaves the final state', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 160 });
    const output = capture(stream);
    let live = liveStats({ done: 0, requests: 0 });
    const progress = createProgress({ total: 10_000, stream, live: () => live, now: () => Date.now() });
    progress.start();
    live = liveStats({ done: 5_000, requests: 6_000, failed: 3 });
    vi.advanceTimersByTime(5_000);
    const drawn = output();
    // In place: the cursor goes back to the start of the line, nothing scrolls.
    expect(drawn).toContain('\u001b[1G');
    expect(drawn).not.toContain('\n');
    expect(drawn).toMatch(
      /fleet =+-+ 5,000\/10,000 phones \| 3 failed \| 1,000 phones\/s \| 1,2\d\d requests\/s \| ETA 5s/,
    );

    live = liveStats({ done: 10_000, requests: 12_000, failed: 4 });
    vi.advanceTimersByTime(5_000);
    progress.stop();
    const final = output().slice(drawn.length);
    expect(final).toMatch(
      /10,000\/10,000 phones \| 4 failed \| 1,000 phones\/s \| 1,200 requests\/s \| done in 10s/,
    );
    expect(final.endsWith('\n')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('progress timers', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const tty of [false, true]) {
    it(`never keep the process alive (${tty ? 'bar' : 'plain lines'})`, async () => {
      const realSetTimeout = globalThis.setTimeout;
      const timers: NodeJS.Timeout[] = [];
      const realSetInterval = globalThis.setInterval;
      vi.spyOn(globalThis, 'setTimeout').mockImplementation((callback: () => void, ms?: number) => {
        const timer = realSetTimeout(callback, ms);
        timers.push(timer);
        return timer;
      });
      vi.spyOn(globalThis, 'setInterval').mockImplementation((callback: () => void, ms?: number) => {
        const timer = realSetInterval(callback, ms);
        timers.push(timer);
        return timer;
      });
      const stream = Object.assign(new PassThrough(), { isTTY: tty });
      stream.resume();
      const progress = createProgress({ total: 10, stream, intervalMs: 20, live: () => liveStats() });
      progress.start();
      await new Promise((resolve) => realSetTimeout(resolve, 300));
      progress.stop();
      progress.stop();
      // The bar redraws on timers of cli-progress's making: several were made, and all unref'd.
      expect(timers.length).toBeGreaterThanOrEqual(tty ? 3 : 1);
      expect(timers.filter((timer) => timer.hasRef())).toEqual([]);
    });
  }
});
