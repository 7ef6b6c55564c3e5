import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { judgeHealth, startHealthMonitor } from '../../src/fleet/emulatorHealth.js';

const sample = {
  wallMs: 10_000,
  eventLoopDelayP99Ms: 3.2,
  eventLoopDelayMaxMs: 12,
  cpuMs: 4_100,
  heapUsedBytes: 5e7,
};

describe('was the emulator the bottleneck?', () => {
  it('says it kept up when the event loop was prompt and a core to spare', () => {
    expect(judgeHealth(sample)).toEqual({
      wallMs: 10_000,
      eventLoopDelayP99Ms: 3.2,
      eventLoopDelayMaxMs: 12,
      cpuPercent: 41,
      heapUsedBytes: 5e7,
      bottleneck: false,
      verdict: 'the emulator kept up: event-loop delay p99 3 ms, CPU 41% of one core',
    });
  });

  it('is the bottleneck above 90% of one core', () => {
    expect(judgeHealth({ ...sample, cpuMs: 9_000 }).bottleneck).toBe(false);
    expect(judgeHealth({ ...sample, cpuMs: 9_800 })).toMatchObject({
      bottleneck: true,
      cpuPercent: 98,
      verdict:
        "the emulator was the bottleneck (CPU 98% of one core): the server's figures are a lower bound",
    });
  });

  it('is the bottleneck when the event loop lags more than 100 ms at p99', () => {
    expect(judgeHealth({ ...sample, eventLoopDelayP99Ms: 100 }).bottleneck).toBe(false);
    expect(judgeHealth({ ...sample, eventLoopDelayP99Ms: 250, cpuMs: 9_500 }).verdict).toBe(
      "the emulator was the bottleneck (CPU 95% of one core, event-loop delay p99 250 ms): the server's figures are a lower bound",
    );
  });

  it('in virtual time the CPU is the limit by design: no server is being measured, so no bottleneck', () => {
    const judged = judgeHealth({ ...sample, cpuMs: 9_900, time: 'virtual' });
    expect(judged.bottleneck).toBe(false);
    expect(judged.verdict).toMatch(
      /^virtual time: the run went as fast as the CPU allowed \(CPU 99% of one core\)/,
    );
  });

  it('measures a blocked event loop and the CPU it burnt', async () => {
    const monitor = startHealthMonitor();
    const started = performance.now();
    await sleep(50);
    while (performance.now() - started < 350); // the emulator stuck in a long computation
    await sleep(60);
    const health = monitor.stop(performance.now() - started);
    expect(health.eventLoopDelayMaxMs).toBeGreaterThan(150);
    expect(health.eventLoopDelayP99Ms).toBeGreaterThan(100);
    expect(health.bottleneck).toBe(true);
    expect(health.cpuPercent).toBeGreaterThan(20);
    expect(health.heapUsedBytes).toBeGreaterThan(0);
    expect(health.verdict).toMatch(/^the emulator was the bottleneck \(.*event-loop delay p99 \d+ ms\)/);
  });
});
