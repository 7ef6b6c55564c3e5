// How a fleet run shows that it is alive: on a terminal a progress bar (phones done, failed, rates,
// ETA) redrawn in place; elsewhere (CI logs, `| tee`, Kubernetes) one plain line every few seconds.
// The figures are computed by pure functions from LiveStats snapshots; the timers here are unref'd,
// so a run that forgets stop() still exits.
import { SingleBar } from 'cli-progress';
import type { LiveStats } from './report.js';
import { formatCount, formatDuration } from './render/figures.js';

export interface ProgressOptions {
  /** Phones in the run. */
  readonly total: number;
  readonly stream: NodeJS.WriteStream | NodeJS.WritableStream;
  /** A redrawn bar (true) or plain lines (false); default: whether the stream is a terminal. */
  readonly tty?: boolean;
  /** Period of the plain lines, in ms (default 5000). */
  readonly intervalMs?: number;
  readonly live: () => LiveStats;
  /**
   * The scenario's length on its clock, when known: the ETA then also follows the scenario clock
   * (`life` phones are only done at its end, so phones done alone would give no ETA until then).
   */
  readonly durationMs?: number;
  /** Wall clock in ms (default performance.now); for tests. */
  readonly now?: () => number;
}

export interface Progress {
  start(): void;
  /** Draws the final state and stops every timer; calling it again does nothing. */
  stop(): void;
}

/** A snapshot at a wall-clock time (ms from the progress's start). */
export interface ProgressSample {
  readonly wallMs: number;
  readonly live: LiveStats;
}

export interface ProgressFigures {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** Phones done per second of wall time since the start. */
  readonly phonesPerSecond: number;
  /** Requests per second of wall time over the recent window. */
  readonly requestsPerSecond: number;
  /** Wall ms to the end, when there is anything to extrapolate from. */
  readonly etaMs: number | undefined;
  readonly wallMs: number;
  /** In a run that sends NOTIFYs, once it has: how many went out, and how many got a final answer. */
  readonly notify?: { readonly sent: number; readonly answered: number };
}

/**
 * The figures at `now`: rates from wall time (what the server sees), requests per second over the
 * window since `since`, and an ETA from how much of the run is done: the larger of the share of
 * phones done and, when the scenario's length is known, the share of its clock gone by.
 */
export function progressFigures(
  total: number,
  since: ProgressSample,
  now: ProgressSample,
  durationMs?: number,
): ProgressFigures {
  const { done, failed } = now.live;
  const seconds = now.wallMs / 1000;
  const windowSeconds = (now.wallMs - since.wallMs) / 1000;
  const phoneShare = total > 0 ? done / total : 1;
  const clockShare = durationMs !== undefined && durationMs > 0 ? now.live.elapsedMs / durationMs : 0;
  const share = Math.min(1, Math.max(phoneShare, clockShare));
  return {
    total,
    done,
    failed,
    phonesPerSecond: seconds > 0 ? done / seconds : 0,
    requestsPerSecond:
      windowSeconds > 0 ? Math.max(0, now.live.requests - since.live.requests) / windowSeconds : 0,
    etaMs: share >= 1 ? 0 : share > 0 && now.wallMs > 0 ? (now.wallMs * (1 - share)) / share : undefined,
    wallMs: now.wallMs,
    ...(now.live.notify &&
      now.live.notify.sent > 0 && {
        notify: {
          sent: now.live.notify.sent,
          answered: Object.values(now.live.notify.answered).reduce((a, b) => a + b, 0),
        },
      }),
  };
}

/** `, NOTIFYs 480/500 answered`: a NOTIFY storm's progress; '' before (or without) one. */
export function notifyText(f: ProgressFigures): string {
  return f.notify ? `, NOTIFYs ${formatCount(f.notify.answered)}/${formatCount(f.notify.sent)} answered` : '';
}

/**
 * The snapshots a rate over `windowMs` before `nowMs` needs: those inside the window, and the newest
 * one at or before its start. Keeping that one matters: timers fire late, so the snapshot taken one
 * interval ago is a little more than a window old when the next arrives; dropping it left no
 * snapshot to measure from, and the plain lines said 0 requests/s.
 */
export function windowHistory(
  history: readonly ProgressSample[],
  nowMs: number,
  windowMs: number,
): ProgressSample[] {
  let first = 0;
  for (let i = 0; i < history.length; i++) if (nowMs - history[i]!.wallMs >= windowMs) first = i;
  return history.slice(first);
}

/** `5s`, `3m 20s`, `1h 05m`; `?` before anything is done. */
export function etaText(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  return ms < 60_000 ? `${Math.ceil(ms / 1000)}s` : formatDuration(ms);
}

function rateText(perSecond: number): string {
  return perSecond > 0 && perSecond < 10 ? perSecond.toFixed(1) : formatCount(perSecond);
}

/**
 * `fleet: 4,210/10,000 phones done, 3 failed, 1,204 requests/s, ETA 5s` (the last: `…, done in 42s`);
 * in a NOTIFY storm also `NOTIFYs 480/500 answered`.
 */
export function progressLine(f: ProgressFigures, final = false): string {
  const end = final ? `done in ${formatDuration(f.wallMs)}` : `ETA ${etaText(f.etaMs)}`;
  return `fleet: ${formatCount(f.done)}/${formatCount(f.total)} phones done, ${formatCount(f.failed)} failed, ${rateText(f.requestsPerSecond)} requests/s${notifyText(f)}, ${end}`;
}

/** The bar's redraw timer is cli-progress's own; it must not keep the process alive either. */
class UnrefBar extends SingleBar {
  override render(): void {
    super.render();
    (this as unknown as { timer?: NodeJS.Timeout | null }).timer?.unref();
  }
}

/** How often the bar takes a snapshot, and over how long its request rate is measured. */
const BAR_POLL_MS = 250;
const BAR_RATE_WINDOW_MS = 5_000;

export function createProgress(options: ProgressOptions): Progress {
  const tty = options.tty ?? (options.stream as NodeJS.WriteStream).isTTY === true;
  const intervalMs = options.intervalMs ?? 5_000;
  const clock = options.now ?? (() => performance.now());
  let startedAt = 0;
  /** The snapshot at start(): the final line's rates are over the whole run. */
  let first: ProgressSample | undefined;
  /** Recent snapshots, for the request rate over a window. */
  let history: ProgressSample[] = [];
  let timer: NodeJS.Timeout | undefined;
  let bar: UnrefBar | undefined;
  let state: 'idle' | 'running' | 'stopped' = 'idle';

  const sample = (): ProgressSample => ({ wallMs: clock() - startedAt, live: options.live() });

  /** Takes a snapshot; the rate is measured since the snapshot that opens the window. */
  const advance = (windowMs: number): ProgressFigures => {
    const now = sample();
    history = windowHistory(history, now.wallMs, windowMs);
    const since = history[0] ?? now;
    history.push(now);
    return progressFigures(options.total, since, now, options.durationMs);
  };

  const barPayload = (f: ProgressFigures, final: boolean): Record<string, string> => ({
    doneText: formatCount(f.done),
    totalText: formatCount(f.total),
    failedText: formatCount(f.failed),
    phoneRate: rateText(f.phonesPerSecond),
    requestRate: rateText(f.requestsPerSecond),
    notify: f.notify ? ` | ${notifyText(f).slice(2)}` : '',
    end: final ? `done in ${formatDuration(f.wallMs)}` : `ETA ${etaText(f.etaMs)}`,
  });

  return {
    start() {
      if (state !== 'idle') return;
      state = 'running';
      startedAt = clock();
      first = { wallMs: 0, live: options.live() };
      history = [first];
      if (tty) {
        bar = new UnrefBar({
          stream: options.stream,
          format:
            'fleet {bar} {doneText}/{totalText} phones | {failedText} failed | {phoneRate} phones/s | {requestRate} requests/s{notify} | {end}',
          barsize: 30,
          hideCursor: false,
          // The run decides what Ctrl-C does; cli-progress's handler would swallow the signal.
          gracefulExit: false,
          // A stream forced into bar mode that is no terminal gets the bar as lines.
          noTTYOutput: (options.stream as NodeJS.WriteStream).isTTY !== true,
          notTTYSchedule: intervalMs,
        });
        bar.start(
          Math.max(1, options.total),
          first.live.done,
          barPayload(progressFigures(options.total, first, first), false),
        );
        timer = setInterval(() => {
          const f = advance(BAR_RATE_WINDOW_MS);
          bar?.update(f.done, barPayload(f, false));
        }, BAR_POLL_MS);
      } else {
        timer = setInterval(() => {
          options.stream.write(`${progressLine(advance(intervalMs))}\n`);
        }, intervalMs);
      }
      timer.unref();
    },

    stop() {
      if (state !== 'running') {
        state = 'stopped';
        return;
      }
      state = 'stopped';
      clearInterval(timer);
      timer = undefined;
      const f = progressFigures(options.total, first!, sample(), options.durationMs);
      if (bar) {
        bar.update(f.done, barPayload(f, true));
        bar.stop();
        bar = undefined;
      } else {
        options.stream.write(`${progressLine(f, true)}\n`);
      }
    },
  };
}
