// What the fleet report printers (text, HTML) derive from a FleetReport, and how they write numbers
// and durations, so that the terminal summary and the HTML report always say the same thing.
import { percentile } from '../histogram.js';
import type { FleetReport, LatencyHistogram, NotifyFigures, RequestKind } from '../report.js';

/** The order in which request kinds are listed: a phone's round asks for them in this order. */
export const REQUEST_KINDS: readonly RequestKind[] = ['boot', 'config', 'mac-local', 'firmware', 'other'];

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12,345`. */
export function formatCount(n: number): string {
  return grouped.format(n);
}

/** `99.5%` of `whole`; `0%` when the whole is 0. */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const percent = (part / whole) * 100;
  if (percent === 0 || percent === 100) return `${percent}%`;
  // Never round a few failures among many phones to 0% or 100%.
  if (percent < 0.1) return '<0.1%';
  if (percent > 99.9) return '>99.9%';
  return `${percent.toFixed(1).replace(/\.0$/, '')}%`;
}

/** `850 ms`, `4.2s`, `42s`, `3m 20s`, `1h 05m`, `7d 2h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const s = Math.round(seconds);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m ${String(s % 60).padStart(2, '0')}s`;
}

/** A span of whole minutes: `1 minute`, `42 minutes`, `3 hours`, `2 h 48 min`, `2 days`. */
export function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? '1 day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Latency in ms as the buckets give it: whole ms from 10 ms up, one decimal below. */
export function formatMs(ms: number): string {
  return ms >= 10 ? formatCount(Math.round(ms)) : String(Math.round(ms * 10) / 10);
}

/** `210 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}

/** `0:00:12`: an offset from the run's start. */
export function formatOffset(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hours = Math.floor(s / 3600);
  return `${hours}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** The scenario clock's time of day (UTC) at an offset from the run's start; '' when the start is unreadable. */
export function clockAt(startIso: string, offsetMs: number, withSeconds = true): string {
  const start = Date.parse(startIso);
  if (Number.isNaN(start)) return '';
  const iso = new Date(start + offsetMs).toISOString();
  return `${iso.slice(11, withSeconds ? 19 : 16)} UTC`;
}

/** Entries of a count record, largest first, then by key. */
export function byCountDesc(record: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(record).sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
}

/** Statuses in a stable, readable order: ok, not-found, then the failures by name. */
export function statusOrder(a: string, b: string): number {
  const rank = (s: string): number => (s === 'ok' ? 0 : s === 'not-found' ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface FileRequests {
  /** The URL path, or for phones' own files grouped the pattern: `/<mac>.boot`, `/phones/<mac>.cfg`. */
  readonly file: string;
  readonly total: number;
  /** Status → count, in statusOrder. */
  readonly statuses: [string, number][];
  /** A group of phones' own files: how many files (phones) it stands for. Absent for one file. */
  readonly files?: number;
}

/**
 * A phone's own file: its MAC (12 hex digits) and `.boot`, `-local.cfg` or `.cfg`, in any folder.
 * A fleet asks for one per phone (each phone's `<mac>.boot` first, spec B1): listed one by one
 * they would fill the list with a line per phone.
 */
const OWN_FILE = /^(.*\/)?[0-9a-f]{12}(\.boot|-local\.cfg|\.cfg)$/i;

function ownFilePattern(file: string): string | undefined {
  const match = OWN_FILE.exec(file);
  return match ? `${match[1] ?? ''}<mac>${match[2]!.toLowerCase()}` : undefined;
}

/**
 * The files asked for, most requested first (then by name); the phones' own files of one pattern
 * (two or more `/<mac>.boot`...) added up into one row.
 */
export function filesByRequests(report: FleetReport): FileRequests[] {
  const entries = Object.entries(report.requests.byFile);
  const byPattern = new Map<string, number>();
  for (const [file] of entries) {
    const pattern = ownFilePattern(file);
    if (pattern !== undefined) byPattern.set(pattern, (byPattern.get(pattern) ?? 0) + 1);
  }
  const rows = new Map<string, { statuses: Map<string, number>; files: number }>();
  for (const [file, statuses] of entries) {
    const pattern = ownFilePattern(file);
    const key = pattern !== undefined && byPattern.get(pattern)! > 1 ? pattern : file;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { statuses: new Map(), files: 0 }));
    row.files++;
    for (const [status, n] of Object.entries(statuses))
      row.statuses.set(status, (row.statuses.get(status) ?? 0) + n);
  }
  return [...rows]
    .map(([file, row]) => ({
      file,
      total: [...row.statuses.values()].reduce((sum, n) => sum + n, 0),
      statuses: [...row.statuses].sort(([a], [b]) => statusOrder(a, b)),
      ...(row.files > 1 && { files: row.files }),
    }))
    .sort((a, b) => b.total - a.total || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** `50 files, one per phone` for a group of phones' own files; '' for one file. */
export function groupText(f: FileRequests): string {
  return f.files !== undefined ? `${formatCount(f.files)} files, one per phone` : '';
}

export interface Peak {
  /** Second (or minute) index from the run's start. */
  readonly at: number;
  readonly requests: number;
}

/** The busiest second of the first hour: the boot storm's peak in requests per second. */
export function peakSecond(report: FleetReport): Peak | undefined {
  let peak: Peak | undefined;
  for (const [second, requests] of Object.entries(report.load.perSecondFirstHour)) {
    const at = Number(second);
    if (!peak || requests > peak.requests || (requests === peak.requests && at < peak.at))
      peak = { at, requests };
  }
  return peak && peak.requests > 0 ? peak : undefined;
}

/** The minute with the most requests started (the first of equals). */
export function busiestMinute(report: FleetReport): Peak | undefined {
  let peak: Peak | undefined;
  report.load.perMinute.forEach((requests, at) => {
    if (!peak || requests > peak.requests) peak = { at, requests };
  });
  return peak && peak.requests > 0 ? peak : undefined;
}

export interface LatencyRow {
  readonly kind: RequestKind;
  readonly histogram: LatencyHistogram;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Percentiles per request kind, kinds with requests only: the upper bound of the bucket holding
 * each, but never above the slowest request seen (a bucket's bound can be above every request in it).
 */
export function latencyRows(report: FleetReport): LatencyRow[] {
  const rows: LatencyRow[] = [];
  for (const kind of REQUEST_KINDS) {
    const histogram = report.requests.latency[kind];
    if (!histogram || histogram.count === 0) continue;
    rows.push({
      kind,
      histogram,
      p50: Math.min(percentile(histogram, 50), histogram.maxMs),
      p90: Math.min(percentile(histogram, 90), histogram.maxMs),
      p99: Math.min(percentile(histogram, 99), histogram.maxMs),
      max: histogram.maxMs,
    });
  }
  return rows;
}

/** `all 4 shards`, `shard 2 of 4`, `shards 0, 1 of 4`; '' for an unsharded run. */
export function shardText(report: FleetReport): string {
  const { count, indexes } = report.run.shards;
  if (count <= 1) return '';
  if (indexes.length === count) return `all ${count} shards`;
  if (indexes.length === 1) return `shard ${indexes[0]} of ${count}`;
  return `shards ${indexes.join(', ')} of ${count}`;
}

/** The seed as typed on the command line (`""` for an empty one). */
export function seedText(seed: string): string {
  return /^[\w.:@+-]+$/.test(seed) ? seed : JSON.stringify(seed);
}

/** Where the phones fetched from: the server, and the tree an embedded server served. */
export function serverText(report: FleetReport): string {
  const { server, tree } = report.run;
  return tree !== undefined && tree !== server ? `${server} (embedded, serving ${tree})` : server;
}

/** Provisioning rounds of all phones (each phone's count is in its outcome). */
export function roundsOf(report: FleetReport): number {
  return report.outcomes.reduce((sum, o) => sum + o.rounds, 0);
}

/**
 * A merged report's shard processes: how far apart they started (real-time shards start moments
 * apart; the time axis starts at the earliest). '' for a single process.
 */
export function shardStartsText(report: FleetReport): string {
  const runs = report.run.shards.runs;
  if (!runs || runs.length < 2) return '';
  const starts = runs.map((r) => Date.parse(r.start));
  const spread = Math.max(...starts) - Math.min(...starts);
  if (spread === 0) return `${runs.length} processes, started together`;
  return `${runs.length} processes, started within ${formatDuration(spread)}; times from the earliest start`;
}

/** What the run covered in time: scenario length, and the wall time when the clock was virtual. */
export function timeText(report: FleetReport): string {
  const scenario = formatDuration(report.run.durationMs);
  return report.run.time === 'virtual'
    ? `virtual time: ${scenario} of scenario time in ${formatDuration(report.emulator.wallMs)} wall`
    : `real time: ${scenario}`;
}

/**
 * Groups the per-minute counts into at most `columns` groups of equal width (the last may be
 * shorter), each the busiest minute in it, so a short boot storm stays visible in a week-long run.
 */
export function groupMinutes(
  perMinute: readonly number[],
  columns: number,
): { width: number; peaks: number[] } {
  const width = Math.max(1, Math.ceil(perMinute.length / columns));
  const peaks: number[] = [];
  for (let i = 0; i < perMinute.length; i += width) peaks.push(Math.max(...perMinute.slice(i, i + width)));
  return { width, peaks };
}

/** p50/p90/p99 (bucket upper bounds, capped at the max) and the max of a histogram with entries. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function percentilesOf(h: LatencyHistogram): Percentiles {
  return {
    p50: Math.min(percentile(h, 50), h.maxMs),
    p90: Math.min(percentile(h, 90), h.maxMs),
    p99: Math.min(percentile(h, 99), h.maxMs),
    max: h.maxMs,
  };
}

/** The NOTIFYs' final responses, most first: `[["200", 498], ["404", 2]]`. */
export function notifyStatuses(n: NotifyFigures): [string, number][] {
  return byCountDesc(n.answered);
}

/** NOTIFYs that ended: answered, timed out, not sent. */
export function notifyEnded(n: NotifyFigures): number {
  return Object.values(n.answered).reduce((a, b) => a + b, 0) + n.timeouts + n.notSent;
}

/** `interrupted by SIGINT 3.2s into the run`; '' for a run that ran to its end. */
export function interruptionText(report: FleetReport): string {
  const stop = report.run.interrupted;
  if (!stop) return '';
  const shards = (report.run.shards.runs ?? []).filter((r) => r.interrupted);
  const which =
    shards.length > 0 && report.run.shards.count > 1
      ? ` (shard${shards.length === 1 ? '' : 's'} ${shards.map((r) => r.indexes.join(', ')).join(', ')})`
      : '';
  return `interrupted by ${stop.signal} ${formatDuration(stop.atMs)} into the run${which}`;
}

/** `38 interrupted, 2 not started`: the phones a stopped run did not finish; '' when none. */
export function unfinishedText(report: FleetReport): string {
  const { interrupted = 0, notStarted = 0 } = report.phones;
  const parts = [
    ...(interrupted > 0 ? [`${formatCount(interrupted)} interrupted`] : []),
    ...(notStarted > 0 ? [`${formatCount(notStarted)} not started`] : []),
  ];
  return parts.join(', ');
}
