// Was the emulator itself the bottleneck? (issue #8 §5) Event-loop delay and CPU time of this
// process over the run: when either is high, the latencies measured are the emulator's as much as
// the server's, and the report says so.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FleetReport } from './report.js';

/** Above these the emulator, not the server, limited the run. */
export const BOTTLENECK_DELAY_P99_MS = 100;
export const BOTTLENECK_CPU_PERCENT = 90;

const HEAP_SAMPLE_MS = 1_000;

export interface HealthSample {
  readonly wallMs: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** User + system CPU time of the process over the run, in ms. */
  readonly cpuMs: number;
  readonly heapUsedBytes: number;
  /** Real time by default. */
  readonly time?: 'real' | 'virtual';
}

export function startHealthMonitor(time: 'real' | 'virtual' = 'real'): {
  stop(wallMs: number): FleetReport['emulator'];
} {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const cpuAtStart = process.cpuUsage();
  let heapPeak = process.memoryUsage().heapUsed;
  const heapTimer = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, HEAP_SAMPLE_MS);
  heapTimer.unref();
  let stopped: FleetReport['emulator'] | undefined;
  return {
    stop(wallMs: number): FleetReport['emulator'] {
      if (stopped) return stopped;
      clearInterval(heapTimer);
      delay.disable();
      const cpu = process.cpuUsage(cpuAtStart);
      const sampled = delay.count > 0;
      stopped = judgeHealth({
        wallMs,
        // The histogram is in ns, and empty (its min/max at their sentinels) when no tick was measured.
        eventLoopDelayP99Ms: sampled ? delay.percentile(99) / 1e6 : 0,
        eventLoopDelayMaxMs: sampled ? delay.max / 1e6 : 0,
        cpuMs: (cpu.user + cpu.system) / 1000,
        heapUsedBytes: Math.max(heapPeak, process.memoryUsage().heapUsed),
        time,
      });
      return stopped;
    },
  };
}

/** The `emulator` section from what was measured: pure, so the thresholds are testable. */
export function judgeHealth(sample: HealthSample): FleetReport['emulator'] {
  const cpuPercent = sample.wallMs > 0 ? round1((sample.cpuMs / sample.wallMs) * 100) : 0;
  const p99 = round1(sample.eventLoopDelayP99Ms);
  const causes: string[] = [];
  if (cpuPercent > BOTTLENECK_CPU_PERCENT) causes.push(`CPU ${Math.round(cpuPercent)}% of one core`);
  if (p99 > BOTTLENECK_DELAY_P99_MS) causes.push(`event-loop delay p99 ${Math.round(p99)} ms`);
  // Virtual time runs as fast as the CPU allows by design, and its load figures are in virtual
  // time: there is no server whose figures our speed could distort.
  if (sample.time === 'virtual') causes.length = 0;
  const bottleneck = causes.length > 0;
  const verdict =
    sample.time === 'virtual'
      ? `virtual time: the run went as fast as the CPU allowed (CPU ${Math.round(cpuPercent)}% of one core); load figures are per virtual minute`
      : bottleneck
        ? `the emulator was the bottleneck (${causes.join(', ')}): the server's figures are a lower bound`
        : `the emulator kept up: event-loop delay p99 ${Math.round(p99)} ms, CPU ${Math.round(cpuPercent)}% of one core`;
  return {
    wallMs: Math.round(sample.wallMs),
    eventLoopDelayP99Ms: p99,
    eventLoopDelayMaxMs: round1(sample.eventLoopDelayMaxMs),
    cpuPercent,
    heapUsedBytes: sample.heapUsedBytes,
    bottleneck,
    verdict,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
