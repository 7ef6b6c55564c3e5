// Latency histograms with the fixed buckets of the fleet report (LATENCY_BOUNDS_MS): cheap to
// fill for 100,000 phones, and merged by plain addition, so shard reports add up exactly.
import { LATENCY_BOUNDS_MS, type LatencyHistogram } from './report.js';

interface MutableHistogram {
  counts: number[];
  count: number;
  sumMs: number;
  maxMs: number;
}

/**
 * Latencies are kept in 1/1024 ms steps: sums of such binary fractions are exact (below 2^43 ms),
 * so adding shard sums in any order gives the bit-identical total of the unsharded run.
 */
const STEPS_PER_MS = 1024;

export function emptyHistogram(): LatencyHistogram {
  return { counts: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0), count: 0, sumMs: 0, maxMs: 0 };
}

export function observe(h: LatencyHistogram, ms: number): void {
  if (!Number.isFinite(ms)) throw new Error(`histogram: a latency must be a finite number of ms, not ${ms}`);
  const value = Math.round(Math.max(0, ms) * STEPS_PER_MS) / STEPS_PER_MS;
  const m: MutableHistogram = h;
  m.counts[bucketOf(value)]!++;
  m.count++;
  m.sumMs += value;
  if (value > m.maxMs) m.maxMs = value;
}

function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** A new histogram holding both; neither argument is changed. */
export function mergeHistograms(a: LatencyHistogram, b: LatencyHistogram): LatencyHistogram {
  const length = Math.max(a.counts.length, b.counts.length);
  const counts = Array.from({ length }, (_, i) => (a.counts[i] ?? 0) + (b.counts[i] ?? 0));
  return { counts, count: a.count + b.count, sumMs: a.sumMs + b.sumMs, maxMs: Math.max(a.maxMs, b.maxMs) };
}

export function copyHistogram(h: LatencyHistogram): LatencyHistogram {
  return { counts: [...h.counts], count: h.count, sumMs: h.sumMs, maxMs: h.maxMs };
}

/**
 * The upper bound of the bucket that holds the p-th percentile (0 <= p <= 100), `maxMs` for the
 * overflow bucket, 0 for an empty histogram: an upper estimate, as fixed buckets allow.
 */
export function percentile(h: LatencyHistogram, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new Error(`histogram: a percentile is between 0 and 100, not ${p}`);
  if (h.count === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * h.count));
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i]!;
    if (seen >= rank) return LATENCY_BOUNDS_MS[i] ?? h.maxMs;
  }
  return h.maxMs;
}
