// The fleet report for people as ONE self-contained HTML file: inline CSS and SVG charts drawn here
// (load over time, latency distribution, outcomes by model), no script and nothing fetched, so it
// can be mailed, archived as a CI artifact and opened offline. Every string from the report is escaped.
import { isUnfinished, LATENCY_BOUNDS_MS, type FleetReport, type LatencyHistogram } from '../report.js';
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
  unfinishedText,
} from './figures.js';

/** Rows of the files table; the rest are counted (the JSON report has them all). */
const FILE_ROWS = 200;
/** Failed phones listed by MAC; the rest are counted. */
const FAILED_PHONE_ROWS = 100;
/** Bars of the load chart: a longer run shows the busiest minute of each group of minutes. */
const LOAD_BARS = 240;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and attribute values (double-quoted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

const e = escapeHtml;

/** A round number of the form 1, 2 or 5 × 10^k at or above `raw`: a readable axis step. */
function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** The top of a value axis and its gridlines (about four, whole numbers: counts and percents). */
function valueAxis(max: number): { top: number; ticks: number[] } {
  const step = Math.max(1, niceStep(max / 4));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return { top, ticks };
}

const round1 = (n: number): string => String(Math.round(n * 10) / 10);

interface BarChart {
  readonly width: number;
  readonly height: number;
  readonly values: readonly number[];
  /** Tooltip of bar i. */
  readonly title: (i: number) => string;
  readonly xTicks: readonly { index: number; text: string }[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly yFormat?: (v: number) => string;
  /** The bar to mark, with its label. */
  readonly peak?: { index: number; label: string };
  readonly label: string;
}

const MARGIN = { left: 64, right: 16, top: 30, bottom: 44 };

function frame(chart: {
  width: number;
  height: number;
  top: number;
  ticks: number[];
  yFormat: (v: number) => string;
  xTitle: string;
  yTitle: string;
}): string[] {
  const { width, height, top, ticks } = chart;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const out: string[] = [];
  for (const tick of ticks) {
    const y = MARGIN.top + plotHeight - (tick / top) * plotHeight;
    out.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${round1(y)}" y2="${round1(y)}"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${round1(y + 4)}" text-anchor="end">${e(chart.yFormat(tick))}</text>`,
    );
  }
  out.push(
    `<text class="axis-title" x="${MARGIN.left}" y="${MARGIN.top - 12}">${e(chart.yTitle)}</text>`,
    `<text class="axis-title" x="${width - MARGIN.right}" y="${height - 6}" text-anchor="end">${e(chart.xTitle)}</text>`,
  );
  return out;
}

function barChart(chart: BarChart): string {
  const { width, height, values } = chart;
  const yFormat = chart.yFormat ?? formatCount;
  const highest = Math.max(0, ...values);
  // Headroom above the tallest bar for the peak's label.
  const { top, ticks } = valueAxis(chart.peak ? highest * 1.15 : highest);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(1, values.length);
  const gap = slot > 4 ? Math.min(2, slot * 0.15) : 0;
  const out = frame({ width, height, top, ticks, yFormat, xTitle: chart.xTitle, yTitle: chart.yTitle });
  values.forEach((value, i) => {
    const h = (value / top) * plotHeight;
    const x = MARGIN.left + i * slot + gap / 2;
    const cls = chart.peak?.index === i ? 'bar peak' : 'bar';
    out.push(
      `<rect class="${cls}" x="${round1(x)}" y="${round1(MARGIN.top + plotHeight - h)}" width="${round1(Math.max(0.5, slot - gap))}" height="${round1(h)}"><title>${e(chart.title(i))}</title></rect>`,
    );
  });
  for (const tick of chart.xTicks) {
    const x = MARGIN.left + (tick.index + 0.5) * slot;
    out.push(
      `<text class="tick" x="${round1(x)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${e(tick.text)}</text>`,
    );
  }
  if (chart.peak) {
    const value = values[chart.peak.index] ?? 0;
    const x = MARGIN.left + chart.peak.index * slot;
    const y = MARGIN.top + plotHeight - (value / top) * plotHeight;
    const rightHalf = x > MARGIN.left + plotWidth / 2;
    out.push(
      `<text class="peak-label" x="${round1(rightHalf ? x + slot : x)}" y="${round1(y - 6)}" text-anchor="${rightHalf ? 'end' : 'start'}">${e(chart.peak.label)}</text>`,
    );
  }
  return svg(width, height, chart.label, out);
}

function svg(width: number, height: number, label: string, body: string[]): string {
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" style="max-width:${width}px" role="img" aria-label="${e(label)}">${body.join('')}</svg>`;
}

/** `0:10` into the run, or `2d 04h` in a run of days. */
function minuteLabel(minute: number, longRun: boolean): string {
  if (longRun)
    return `${Math.floor(minute / 1440)}d ${String(Math.floor((minute % 1440) / 60)).padStart(2, '0')}h`;
  return `${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, '0')}`;
}

/** Tick positions every `step` units, a step from `steps` that gives at most `most` ticks. */
function tickEvery(length: number, steps: readonly number[], most: number): number {
  return steps.find((step) => length / step <= most) ?? steps[steps.length - 1]!;
}

const MINUTE_STEPS = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10_080, 43_200];

function loadChart(report: FleetReport): string {
  const perMinute = report.load.perMinute;
  if (perMinute.length === 0) return '<p class="empty">No requests.</p>';
  const { width: group, peaks } = groupMinutes(perMinute, LOAD_BARS);
  const longRun = perMinute.length >= 2 * 1440;
  const every = tickEvery(perMinute.length, MINUTE_STEPS, 10);
  const xTicks: { index: number; text: string }[] = [];
  for (let minute = 0; minute < perMinute.length; minute += every)
    xTicks.push({ index: Math.floor(minute / group), text: minuteLabel(minute, longRun) });
  const busiest = busiestMinute(report);
  const start = report.run.start;
  const title = (i: number): string => {
    const from = i * group;
    const when = clockAt(start, from * 60_000, false);
    return group === 1
      ? `minute ${from + 1}${when ? ` (${when})` : ''}: ${formatCount(peaks[i] ?? 0)} requests`
      : `minutes ${from + 1}–${Math.min(perMinute.length, from + group)}${when ? ` (from ${when})` : ''}: busiest minute ${formatCount(peaks[i] ?? 0)} requests`;
  };
  return barChart({
    width: 960,
    height: 280,
    values: peaks,
    title,
    xTicks,
    xTitle: `time since the start (${longRun ? 'days, hours' : 'h:mm'})`,
    yTitle:
      group === 1 ? 'requests per minute' : `requests in the busiest minute of each ${formatMinutes(group)}`,
    label: 'requests per minute over the run',
    ...(busiest && {
      peak: {
        index: Math.floor(busiest.at / group),
        label: `peak: ${formatCount(busiest.requests)}/min (${formatCount(busiest.requests / 60)}/s) in minute ${formatCount(busiest.at + 1)} (${minuteLabel(busiest.at, longRun)})`,
      },
    }),
  });
}

/** The first hour second by second, as an area: the boot storm's shape and its peak. */
function stormChart(report: FleetReport): string {
  const peak = peakSecond(report);
  if (!peak) return '';
  const seconds = Object.keys(report.load.perSecondFirstHour).map(Number);
  const length = Math.max(...seconds) + 1;
  const values = new Array<number>(length).fill(0);
  for (const [second, n] of Object.entries(report.load.perSecondFirstHour)) values[Number(second)] = n;
  const width = 960;
  const height = 240;
  const { top, ticks } = valueAxis(peak.requests);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const x = (second: number): number =>
    MARGIN.left + (length === 1 ? 0.5 : second / (length - 1)) * plotWidth;
  const y = (n: number): number => MARGIN.top + plotHeight - (n / top) * plotHeight;
  const base = MARGIN.top + plotHeight;
  const points = values.map((n, second) => `${round1(x(second))},${round1(y(n))}`).join(' L');
  const out = frame({
    width,
    height,
    top,
    ticks,
    yFormat: formatCount,
    xTitle: 'time since the start (m:ss)',
    yTitle: 'requests per second',
  });
  out.push(
    `<path class="area" d="M${round1(x(0))},${base} L${points} L${round1(x(length - 1))},${base} Z"/>`,
  );
  const every = tickEvery(length, [1, 5, 10, 15, 30, 60, 120, 300, 600, 900], 10);
  for (let second = 0; second < length; second += every) {
    const label = `${Math.floor(second / 60)}:${String(second % 60).padStart(2, '0')}`;
    out.push(
      `<text class="tick" x="${round1(x(second))}" y="${base + 16}" text-anchor="middle">${label}</text>`,
    );
  }
  const px = x(peak.at);
  const anchor = px > width * 0.7 ? 'end' : 'start';
  const when = clockAt(report.run.start, peak.at * 1000);
  out.push(
    `<circle class="peak-dot" cx="${round1(px)}" cy="${round1(y(peak.requests))}" r="4"><title>${e(`second ${peak.at}${when ? ` (${when})` : ''}: ${formatCount(peak.requests)} requests`)}</title></circle>`,
    `<text class="peak-label" x="${round1(px + (anchor === 'start' ? 8 : -8))}" y="${round1(y(peak.requests) + 4)}" text-anchor="${anchor}">${e(`boot-storm peak: ${formatCount(peak.requests)} requests/s at ${formatOffset(peak.at * 1000)}`)}</text>`,
  );
  return svg(width, height, 'requests per second in the first hour', out);
}

/** A latency bucket by its upper bound, short enough to sit under its bar: `50`, `1s`, `>30s`. */
function bucketLabel(i: number): string {
  const short = (ms: number): string => (ms >= 1000 ? `${ms / 1000}s` : `${ms}`);
  const bound = LATENCY_BOUNDS_MS[i];
  return bound === undefined ? `>${short(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!)}` : short(bound);
}

/** A latency bucket in words, for its tooltip: `up to 50 ms`, `over 30,000 ms`. */
function bucketRange(i: number): string {
  const bound = LATENCY_BOUNDS_MS[i];
  return bound === undefined
    ? `over ${formatCount(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!)} ms`
    : `up to ${formatCount(bound)} ms`;
}

/** A latency histogram as bars, each bucket's share of the whole. */
function histogramChart(h: LatencyHistogram, what: string, label: string): string {
  const values = h.counts.map((n) => (n / h.count) * 100);
  return barChart({
    width: 470,
    height: 220,
    values,
    title: (i) =>
      `${bucketRange(i)}: ${formatCount(h.counts[i] ?? 0)} ${what} (${formatPercent(h.counts[i] ?? 0, h.count)})`,
    xTicks: values.map((_, i) => ({ index: i, text: bucketLabel(i) })),
    xTitle: 'bucket upper bound (ms, or s where marked)',
    yTitle: `% of ${what}`,
    yFormat: (v) => `${v}%`,
    label,
  });
}

function latencyCharts(report: FleetReport): string {
  const rows = latencyRows(report);
  if (rows.length === 0) return '<p class="empty">No requests.</p>';
  const charts = rows.map((row) => {
    const h = row.histogram;
    const chart = histogramChart(h, 'requests', `latency distribution of ${row.kind} requests`);
    return `<figure class="small"><figcaption><b>${e(row.kind)}</b> · ${formatCount(h.count)} requests · p50 ${formatMs(row.p50)} · p90 ${formatMs(row.p90)} · p99 ${formatMs(row.p99)} · max ${formatMs(row.max)} ms</figcaption>${chart}</figure>`;
  });
  const table = htmlTable(
    ['kind', 'requests', 'mean', 'p50', 'p90', 'p99', 'max'],
    rows.map((row) => [
      e(row.kind),
      formatCount(row.histogram.count),
      formatMs(row.histogram.sumMs / row.histogram.count),
      formatMs(row.p50),
      formatMs(row.p90),
      formatMs(row.p99),
      formatMs(row.max),
    ]),
  );
  return `<div class="grid2">${charts.join('')}</div>${table}<p class="note">Latencies in ms. A percentile is the upper bound of the bucket that holds it (capped at the slowest request): an upper estimate.</p>`;
}

function modelChart(report: FleetReport): string {
  const models = Object.entries(report.phones.byModel);
  if (models.length === 0) return '<p class="empty">No phones.</p>';
  const width = 960;
  const rowHeight = 34;
  const left = 110;
  const right = 210;
  const height = 24 + models.length * rowHeight;
  const largest = Math.max(1, ...models.map(([, m]) => m.total));
  const plotWidth = width - left - right;
  const out: string[] = [];
  models.forEach(([model, m], i) => {
    const y = 12 + i * rowHeight;
    const scale = plotWidth / largest;
    const okWidth = m.provisioned * scale;
    // A few failures among thousands of phones must still show.
    const failedWidth = m.failed > 0 ? Math.max(3, m.failed * scale) : 0;
    out.push(
      `<text class="label" x="${left - 8}" y="${y + 16}" text-anchor="end">${e(model)}</text>`,
      `<rect class="ok" x="${left}" y="${y}" width="${round1(okWidth)}" height="22"><title>${e(`${model}: ${formatCount(m.provisioned)} provisioned`)}</title></rect>`,
      `<rect class="failed" x="${round1(left + okWidth)}" y="${y}" width="${round1(failedWidth)}" height="22"><title>${e(`${model}: ${formatCount(m.failed)} failed`)}</title></rect>`,
    );
    out.push(
      `<text class="tick" x="${round1(left + okWidth + failedWidth + 8)}" y="${y + 16}">${e(`${formatCount(m.provisioned)} ok · ${formatCount(m.failed)} failed (${formatPercent(m.failed, m.total)})`)}</text>`,
    );
  });
  const legend = `<p class="legend"><span class="swatch ok"></span>provisioned <span class="swatch failed"></span>failed</p>`;
  const table = htmlTable(
    ['model', 'phones', 'provisioned', 'failed', 'reboots', 'upgrades'],
    models.map(([model, m]) => [
      e(model),
      formatCount(m.total),
      formatCount(m.provisioned),
      formatCount(m.failed),
      formatCount(m.reboots),
      formatCount(m.upgrades),
    ]),
  );
  return svg(width, height, 'outcomes by model', out) + legend + table;
}

/** A table whose cells are already HTML (escaped by the caller); columns after the first are numeric unless listed. */
function htmlTable(head: readonly string[], rows: readonly (readonly string[])[], textColumns = [0]): string {
  const cls = (i: number): string => (textColumns.includes(i) ? '' : ' class="num"');
  return `<table><thead><tr>${head.map((h, i) => `<th${cls(i)}>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell, i) => `<td${cls(i)}>${cell}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function failuresSection(report: FleetReport): string {
  const p = report.phones;
  if (p.failed === 0)
    return unfinishedText(report) === ''
      ? '<p class="good">Every phone was provisioned.</p>'
      : '<p class="good">No phone that finished failed.</p>';
  const reasons = htmlTable(
    ['reason', 'phones', 'of all phones'],
    byCountDesc(p.failures).map(([reason, n]) => [
      `<code>${e(reason)}</code>`,
      formatCount(n),
      e(formatPercent(n, p.total)),
    ]),
  );
  const failed = report.outcomes.filter((o) => o.status !== 'provisioned' && !isUnfinished(o.status));
  const shown = failed.slice(0, FAILED_PHONE_ROWS);
  const phones =
    shown.length === 0
      ? ''
      : `<h3>Failed phones${failed.length > shown.length ? ` (the first ${shown.length} of ${formatCount(failed.length)}, by MAC)` : ''}</h3>` +
        htmlTable(
          ['MAC', 'model', 'status', 'rounds', 'failure'],
          shown.map((o) => [
            `<code>${e(o.mac)}</code>`,
            e(o.model),
            e(o.status),
            formatCount(o.rounds),
            `<code>${e(o.failure ?? '')}</code>`,
          ]),
          [0, 1, 2, 4],
        );
  return reasons + phones;
}

function requestsSection(report: FleetReport): string {
  const r = report.requests;
  const statuses = Object.entries(r.byStatus).sort(([a], [b]) => statusOrder(a, b));
  const byStatus = htmlTable(
    ['status', 'requests', 'share'],
    statuses.map(([status, n]) => [
      status.startsWith('failed') ? `<span class="bad">${e(status)}</span>` : e(status),
      formatCount(n),
      e(formatPercent(n, r.total)),
    ]),
  );
  const files = filesByRequests(report);
  const shown = files.slice(0, FILE_ROWS);
  const columns = [...new Set(shown.flatMap((f) => f.statuses.map(([s]) => s)))].sort(statusOrder);
  const byFile = htmlTable(
    ['file', 'requests', ...columns],
    shown.map((f) => {
      const counts = new Map(f.statuses);
      return [
        `<code>${e(f.file)}</code>${f.files !== undefined ? ` <span class="note">${e(groupText(f))}</span>` : ''}`,
        formatCount(f.total),
        ...columns.map((s) => {
          const n = counts.get(s);
          return n === undefined
            ? ''
            : s.startsWith('failed')
              ? `<span class="bad">${formatCount(n)}</span>`
              : formatCount(n);
        }),
      ];
    }),
  );
  const more =
    files.length > shown.length
      ? `<p class="note">… and ${formatCount(files.length - shown.length)} more files (all are in the JSON report).</p>`
      : '';
  return `${byStatus}<h3>Per file${files.length > shown.length ? ` (the ${shown.length} most requested of ${formatCount(files.length)})` : ''}</h3>${byFile}${more}`;
}

/**
 * The verdict as one sentence: its first clause in bold (`The emulator kept up`: ...). The verdict
 * already says what happened, so no heading repeats it (that read "The emulator kept up. the
 * emulator kept up: ...").
 */
function verdictHtml(verdict: string): string {
  const text = verdict.charAt(0).toUpperCase() + verdict.slice(1);
  const colon = text.indexOf(': ');
  // A merge of shards that fared differently lists them: `shard 0: …; shard 2: …`.
  if (colon < 0 || /^shards? \d/i.test(text)) return e(text);
  return `<b>${e(text.slice(0, colon))}</b>: ${e(text.slice(colon + 2))}`;
}

/** A merged report: each shard process with its start and its own verdict. */
function shardRunsTable(report: FleetReport): string {
  const runs = report.run.shards.runs;
  if (!runs || runs.length < 2) return '';
  const earliest = Math.min(...runs.map((r) => Date.parse(r.start)));
  return (
    `<p class="note">${e(shardStartsText(report))}.</p>` +
    htmlTable(
      ['shard', 'started', 'after the first', 'length', 'emulator'],
      runs.map((r) => [
        e(r.indexes.join(', ')),
        e(r.start),
        e(formatDuration(Date.parse(r.start) - earliest)),
        e(formatDuration(r.durationMs)),
        `<span class="${r.emulator.bottleneck ? 'bad' : 'good'}">${e(r.emulator.verdict)}</span>`,
      ]),
      [0, 1, 4],
    )
  );
}

function emulatorSection(report: FleetReport): string {
  const em = report.emulator;
  const facts = [
    `wall time ${formatDuration(em.wallMs)}`,
    `CPU ${Math.round(em.cpuPercent)}% of one core`,
    `event-loop delay p99 ${formatMs(em.eventLoopDelayP99Ms)} ms (max ${formatMs(em.eventLoopDelayMaxMs)} ms)`,
    `heap ${formatBytes(em.heapUsedBytes)}`,
  ];
  return `<div class="verdict ${em.bottleneck ? 'warn' : 'fine'}"><p>${verdictHtml(em.verdict)}</p><p class="note">${e(facts.join(' · '))}</p></div>${shardRunsTable(report)}`;
}

/** The NOTIFYs of a storm: how they were answered, how fast, and the rounds they started (T7). */
function notifySection(report: FleetReport): string {
  const n = report.notify;
  if (!n) return '';
  const started = `<p>${e(`Rounds they started: ${formatCount(n.rounds)}; reboots after those rounds: ${formatCount(n.reboots)}.`)}</p>`;
  if (report.run.time === 'virtual')
    return `<h2>NOTIFYs</h2><p>${e(`${formatCount(n.sent)} check-sync NOTIFYs handed to the phones in-process (virtual time: no SIP).`)}</p>${started}`;
  const ended = notifyEnded(n);
  const rows = [
    ...notifyStatuses(n).map(([status, count]) => [
      status === '200' ? e(`answered ${status}`) : `<span class="bad">${e(`answered ${status}`)}</span>`,
      formatCount(count),
      e(formatPercent(count, ended)),
    ]),
    [
      n.timeouts > 0 ? '<span class="bad">timed out</span>' : 'timed out',
      formatCount(n.timeouts),
      e(formatPercent(n.timeouts, ended)),
    ],
    [
      n.notSent > 0 ? '<span class="bad">not sent</span>' : 'not sent',
      formatCount(n.notSent),
      e(formatPercent(n.notSent, ended)),
    ],
    ['retransmissions', formatCount(n.retransmissions), ''],
  ];
  const table = htmlTable(['NOTIFYs', 'count', 'share'], rows);
  let latency = '<p class="empty">No NOTIFY was answered.</p>';
  if (n.latency.count > 0) {
    const q = percentilesOf(n.latency);
    latency = `<figure class="small"><figcaption><b>NOTIFY latency</b> · sent to final response · ${formatCount(n.latency.count)} answered · p50 ${formatMs(q.p50)} · p90 ${formatMs(q.p90)} · p99 ${formatMs(q.p99)} · max ${formatMs(q.max)} ms</figcaption>${histogramChart(n.latency, 'NOTIFYs', 'latency distribution of NOTIFYs')}</figure>`;
  }
  return `<h2>NOTIFYs</h2><p>${e(`${formatCount(n.sent)} check-sync NOTIFYs sent over SIP, one per phone.`)}</p><div class="grid2"><div>${table}${started}</div>${latency}</div>`;
}

/** A stopped run says so first: what the report covers, and the phones it did not finish. */
function interruptedBanner(report: FleetReport): string {
  const stopped = interruptionText(report);
  if (!stopped) return '';
  const unfinished = unfinishedText(report);
  return `<div class="verdict warn"><p><b>${e('Run interrupted')}</b>: ${e(`${stopped}; the report covers what happened until then.`)}</p>${unfinished ? `<p class="note">${e(`Phones not finished: ${unfinished}. They are not counted as failed, and --fail-on judges the finished ones.`)}</p>` : ''}</div>`;
}

function cards(report: FleetReport): string {
  const p = report.phones;
  const peak = peakSecond(report);
  const card = (value: string, label: string, cls = ''): string =>
    `<div class="${cls ? `card ${cls}` : 'card'}"><div class="value">${e(value)}</div><div class="label">${e(label)}</div></div>`;
  return `<div class="cards">${[
    card(formatCount(p.total), 'phones'),
    card(formatCount(p.provisioned), `provisioned (${formatPercent(p.provisioned, p.total)})`, 'good'),
    card(formatCount(p.failed), `failed (${formatPercent(p.failed, p.total)})`, p.failed > 0 ? 'bad' : ''),
    ...(p.interrupted ? [card(formatCount(p.interrupted), 'interrupted')] : []),
    ...(p.notStarted ? [card(formatCount(p.notStarted), 'not started')] : []),
    card(formatCount(p.reboots), 'reboots'),
    card(formatCount(p.upgrades), 'upgrades'),
    card(formatCount(roundsOf(report)), 'rounds'),
    card(formatCount(report.requests.total), 'requests'),
    ...(peak ? [card(formatCount(peak.requests), 'peak requests/s')] : []),
    ...(report.notify ? [card(formatCount(report.notify.sent), 'NOTIFYs sent')] : []),
  ].join('')}</div>`;
}

const STYLE = `
:root{--fg:#1d2330;--muted:#5b6474;--bg:#fff;--panel:#f5f7fa;--line:#dde2ea;--accent:#2f6fde;--ok:#2e8b57;--bad:#c8372d;--warn:#b36b00;--warn-bg:#fff4e0;--fine-bg:#eaf6ee}
@media (prefers-color-scheme:dark){:root{--fg:#e4e8ef;--muted:#9aa4b4;--bg:#14171c;--panel:#1d2129;--line:#323844;--accent:#6b9cf5;--ok:#4fb47c;--bad:#ef6a60;--warn:#f0a640;--warn-bg:#3a2c12;--fine-bg:#16301f}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1040px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:18px 0 6px}
.sub,.note,figcaption{color:var(--muted)}.note{font-size:12px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{background:var(--panel);border-radius:8px;padding:10px 14px;min-width:120px}
.card .value{font-size:22px;font-weight:600}.card .label{color:var(--muted);font-size:12px}
.card.good .value{color:var(--ok)}.card.bad .value{color:var(--bad)}
.verdict{border-radius:8px;padding:10px 14px;margin:12px 0}.verdict p{margin:4px 0}
.verdict.warn{background:var(--warn-bg);border-left:4px solid var(--warn)}.verdict.fine{background:var(--fine-bg);border-left:4px solid var(--ok)}
table{border-collapse:collapse;margin:8px 0;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted)}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bad{color:var(--bad)}.good{color:var(--ok)}
.chart{width:100%;height:auto;display:block}
.chart text{font-size:11px;fill:var(--muted)}
.chart .peak-label{fill:var(--warn);font-weight:600}
.chart .axis-title{fill:var(--muted)}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .bar{fill:var(--accent)}.chart .bar.peak{fill:var(--warn)}
.chart .area{fill:var(--accent);fill-opacity:.35;stroke:var(--accent);stroke-width:1}
.chart .peak-dot{fill:var(--warn)}
.chart .ok{fill:var(--ok)}.chart .failed{fill:var(--bad)}
.chart .label{fill:var(--fg);font-weight:600}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
figure{margin:0}figure.small{background:var(--panel);border-radius:8px;padding:8px}
.legend{font-size:12px;color:var(--muted)}.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px}
.swatch.ok{background:var(--ok)}.swatch.failed{background:var(--bad)}
`;

/** The whole report as one HTML document. */
export function renderFleetHtml(report: FleetReport): string {
  const run = report.run;
  const shards = shardText(report);
  const title = `autop fleet: ${run.scenario}, seed ${seedText(run.seed)}`;
  const sub = [
    `${formatCount(report.phones.total)} phones${report.phones.total !== run.inventory ? ` of ${formatCount(run.inventory)}` : ''}${shards ? ` (${shards})` : ''}`,
    `server ${serverText(report)}`,
    timeText(report),
    `from ${run.start}`,
    `concurrency ${formatCount(run.concurrency)}`,
  ];
  const storm = stormChart(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${e(title)}</h1><p class="sub">${sub.map(e).join(' · ')}</p></header>
${interruptedBanner(report)}
${cards(report)}
${emulatorSection(report)}
<h2>Load over time</h2>
${loadChart(report)}
${storm ? `<h3>The first hour, second by second</h3>${storm}` : ''}
<h2>Latency distribution</h2>
${latencyCharts(report)}
${notifySection(report)}
<h2>Outcomes by model</h2>
${modelChart(report)}
<h2>Failures</h2>
${failuresSection(report)}
<h2>Requests</h2>
${requestsSection(report)}
<p class="note">${e(`${report.format}; the JSON report (--json-out) has every phone and file.`)}</p>
</body>
</html>
`;
}
