// The end-of-run summary of `autop fleet` for a terminal: what happened to the phones, what the
// server was asked and how fast it answered, its load over time, and whether the emulator kept up.
import { createColors } from 'picocolors';
import type { FleetReport } from '../report.js';
import {
  busiestMinute,
  byCountDesc,
  clockAt,
  filesByRequests,
  formatBytes,
  formatCount,
  formatDuration,
  formatMinutes,
  formatMs,
  formatOffset,
  formatPercent,
  groupMinutes,
  groupText,
  interruptionText,
  latencyRows,
  notifyEnded,
  notifyStatuses,
  percentilesOf,
  peakSecond,
  roundsOf,
  seedText,
  serverText,
  shardStartsText,
  shardText,
  statusOrder,
  timeText,
} from './figures.js';

/** Files and failure reasons listed in full up to this many; beyond, the largest and a count of the rest. */
const LIST_LIMIT = 20;
const SPARK_COLUMNS = 60;
const SPARKS = '▁▂▃▄▅▆▇█';

type Colors = ReturnType<typeof createColors>;

/** Rows of cells as aligned columns: by default the first left-aligned (a name), the others right (numbers). */
function table(rows: readonly (readonly string[])[], indent = '  ', leftAligned = [0]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (leftAligned.includes(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

/** `7`, `7.4`: an average with one decimal where it has one. */
function perPhone(n: number, phones: number): string {
  return String(Math.round((n / phones) * 10) / 10);
}

function sparkline(values: readonly number[]): string {
  const top = Math.max(...values, 0);
  if (top === 0) return SPARKS[0]!.repeat(values.length);
  return values
    .map((v) => SPARKS[Math.min(SPARKS.length - 1, Math.floor((v / top) * SPARKS.length))])
    .join('');
}

function headline(report: FleetReport, c: Colors): string[] {
  const { run, phones } = report;
  const shards = shardText(report);
  const phonesLine =
    phones.total === run.inventory && shards === ''
      ? formatCount(phones.total)
      : `${formatCount(phones.total)} of ${formatCount(run.inventory)}${shards ? ` (${shards})` : ''}`;
  const starts = shardStartsText(report);
  return [
    c.bold(`autop fleet: ${run.scenario}, seed ${seedText(run.seed)}`),
    `server       ${serverText(report)}`,
    `phones       ${phonesLine}, concurrency ${formatCount(run.concurrency)}`,
    `time         ${timeText(report)}, from ${run.start}`,
    ...(starts ? [`shards       ${starts}`] : []),
    ...(run.interrupted
      ? [c.yellow(`stopped      ${interruptionText(report)}: the report covers what happened until then`)]
      : []),
  ];
}

function phonesSection(report: FleetReport, c: Colors): string[] {
  const p = report.phones;
  const out = ['', c.bold('Phones')];
  const rows = table(
    [
      ['provisioned', formatCount(p.provisioned), formatPercent(p.provisioned, p.total)],
      ['failed', formatCount(p.failed), formatPercent(p.failed, p.total)],
      ['reboots', formatCount(p.reboots), ''],
      ['upgrades', formatCount(p.upgrades), ''],
      // The average in a column of its own, so that the percentages above stay aligned.
      [
        'rounds',
        formatCount(roundsOf(report)),
        '',
        p.total > 0 ? `(${perPhone(roundsOf(report), p.total)} per phone)` : '',
      ],
    ],
    '  ',
    [0, 3],
  );
  const reasons = byCountDesc(p.failures);
  const reasonLines = table(
    reasons.slice(0, LIST_LIMIT).map(([reason, n]) => [formatCount(n), reason]),
    '      ',
    [1],
  );
  out.push(rows[0]!, p.failed > 0 ? c.red(rows[1]) : rows[1]!);
  for (const line of reasonLines) out.push(line);
  if (reasons.length > LIST_LIMIT)
    out.push(`      … ${formatCount(reasons.length - LIST_LIMIT)} more reasons`);
  // A stopped run's phones whose part was not over: neither provisioned nor failed.
  const unfinished = table([
    ...(p.interrupted
      ? [['interrupted', formatCount(p.interrupted), formatPercent(p.interrupted, p.total)]]
      : []),
    ...(p.notStarted
      ? [['not started', formatCount(p.notStarted), formatPercent(p.notStarted, p.total)]]
      : []),
  ]);
  for (const line of unfinished) out.push(c.yellow(line));
  out.push(rows[2]!, rows[3]!, rows[4]!);
  return out;
}

function modelsSection(report: FleetReport, c: Colors): string[] {
  const models = Object.entries(report.phones.byModel);
  if (models.length === 0) return [];
  const lines = table([
    ['model', 'phones', 'provisioned', 'failed', 'reboots', 'upgrades'],
    ...models.map(([model, m]) => [
      model,
      formatCount(m.total),
      formatCount(m.provisioned),
      formatCount(m.failed),
      formatCount(m.reboots),
      formatCount(m.upgrades),
    ]),
  ]);
  return ['', c.bold('By model'), c.dim(lines[0]), ...lines.slice(1)];
}

function requestsSection(report: FleetReport, c: Colors): string[] {
  const r = report.requests;
  const statuses = Object.entries(r.byStatus).sort(([a], [b]) => statusOrder(a, b));
  const out = ['', c.bold(`Requests  ${formatCount(r.total)}`)];
  const lines = table(statuses.map(([status, n]) => [status, formatCount(n), formatPercent(n, r.total)]));
  statuses.forEach(([status], i) => out.push(status.startsWith('failed') ? c.red(lines[i]) : lines[i]!));

  const files = filesByRequests(report);
  if (files.length === 0) return out;
  const shown = files.slice(0, LIST_LIMIT);
  out.push(
    '',
    c.bold(
      files.length > shown.length
        ? `Files (the ${shown.length} most requested of ${formatCount(files.length)})`
        : `Files (${formatCount(files.length)})`,
    ),
  );
  const width = Math.max(...shown.map((f) => formatCount(f.total).length));
  for (const f of shown) {
    const detail = f.statuses.map(([status, n]) => `${status} ${formatCount(n)}`).join(', ');
    const failed = f.statuses.some(([status]) => status.startsWith('failed'));
    const group = groupText(f);
    out.push(
      `  ${formatCount(f.total).padStart(width)}  ${f.file}  ${failed ? c.red(detail) : c.dim(detail)}${group ? c.dim(`  (${group})`) : ''}`,
    );
  }
  if (files.length > shown.length) out.push(`  … ${formatCount(files.length - shown.length)} more`);
  return out;
}

function latencySection(report: FleetReport, c: Colors): string[] {
  const rows = latencyRows(report);
  if (rows.length === 0) return [];
  const lines = table([
    ['kind', 'requests', 'p50', 'p90', 'p99', 'max'],
    ...rows.map((row) => [
      row.kind,
      formatCount(row.histogram.count),
      formatMs(row.p50),
      formatMs(row.p90),
      formatMs(row.p99),
      formatMs(row.max),
    ]),
  ]);
  return [
    '',
    c.bold('Latency (ms; percentiles are bucket upper bounds, capped at the max)'),
    c.dim(lines[0]),
    ...lines.slice(1),
  ];
}

/** The NOTIFYs a storm sent, how they were answered and what they started (spec T7). */
function notifySection(report: FleetReport, c: Colors): string[] {
  const n = report.notify;
  if (!n) return [];
  if (report.run.time === 'virtual')
    return [
      '',
      c.bold(`NOTIFYs  ${formatCount(n.sent)} handed to the phones in-process (virtual time: no SIP)`),
      `  rounds they started  ${formatCount(n.rounds)}, reboots after them ${formatCount(n.reboots)}`,
    ];
  const ended = notifyEnded(n);
  const rows: string[][] = notifyStatuses(n).map(([status, count]) => [
    `answered ${status}`,
    formatCount(count),
    formatPercent(count, ended),
  ]);
  rows.push(
    ['timed out', formatCount(n.timeouts), formatPercent(n.timeouts, ended)],
    ['not sent', formatCount(n.notSent), formatPercent(n.notSent, ended)],
    ['retransmissions', formatCount(n.retransmissions), ''],
  );
  const lines = table(rows);
  const out = ['', c.bold(`NOTIFYs  ${formatCount(n.sent)} sent over SIP (check-sync, one per phone)`)];
  rows.forEach(([label], i) => {
    const bad =
      (label !== 'answered 200' && label!.startsWith('answered')) ||
      label === 'timed out' ||
      label === 'not sent';
    out.push(bad && rows[i]![1] !== '0' ? c.red(lines[i]) : lines[i]!);
  });
  if (n.latency.count > 0) {
    const q = percentilesOf(n.latency);
    out.push(
      `  latency (sent to final response, ms)  p50 ${formatMs(q.p50)}, p90 ${formatMs(q.p90)}, p99 ${formatMs(q.p99)}, max ${formatMs(q.max)}`,
    );
  }
  out.push(`  rounds they started  ${formatCount(n.rounds)}, reboots after them ${formatCount(n.reboots)}`);
  return out;
}

function loadSection(report: FleetReport, c: Colors): string[] {
  const start = report.run.start;
  const rows: string[][] = [];
  const second = peakSecond(report);
  if (second) {
    const when = clockAt(start, second.at * 1000);
    rows.push([
      'boot-storm peak',
      `${formatCount(second.requests)} requests/s at ${formatOffset(second.at * 1000)} into the run${when ? ` (${when})` : ''}`,
    ]);
  }
  const minute = busiestMinute(report);
  if (minute) {
    const when = clockAt(start, minute.at * 60_000, false);
    rows.push([
      'busiest minute',
      `${formatCount(minute.requests)} requests (${formatCount(minute.requests / 60)}/s on average) in minute ${minute.at + 1}${when ? ` (from ${when})` : ''}`,
    ]);
  }
  const perMinute = report.load.perMinute;
  if (perMinute.length > 1) {
    const { width, peaks } = groupMinutes(perMinute, SPARK_COLUMNS);
    const scale =
      width === 1 ? 'one mark a minute' : `one mark per ${formatMinutes(width)}, its busiest minute`;
    rows.push(['per minute', `${sparkline(peaks)}  ${c.dim(scale)}`]);
  }
  if (rows.length === 0) return [];
  const label = Math.max(...rows.map((r) => r[0]!.length));
  return ['', c.bold('Load'), ...rows.map(([name, text]) => `  ${name!.padEnd(label)}  ${text}`)];
}

function emulatorSection(report: FleetReport, c: Colors): string[] {
  const e = report.emulator;
  const health =
    `wall ${formatDuration(e.wallMs)}, CPU ${Math.round(e.cpuPercent)}% of one core, ` +
    `event-loop delay p99 ${formatMs(e.eventLoopDelayP99Ms)} ms (max ${formatMs(e.eventLoopDelayMaxMs)} ms), ` +
    `heap ${formatBytes(e.heapUsedBytes)}`;
  const verdict = e.bottleneck ? c.yellow(c.bold(`! ${e.verdict}`)) : c.green(e.verdict);
  return ['', c.bold('Emulator'), `  ${health}`, `  ${verdict}`];
}

/** The summary as lines of text, coloured with ANSI escapes when `color` is true. */
export function renderFleetText(report: FleetReport, options: { color?: boolean } = {}): string {
  const c = createColors(options.color === true);
  return [
    ...headline(report, c),
    ...phonesSection(report, c),
    ...modelsSection(report, c),
    ...requestsSection(report, c),
    ...latencySection(report, c),
    ...notifySection(report, c),
    ...loadSection(report, c),
    ...emulatorSection(report, c),
    '',
  ].join('\n');
}
