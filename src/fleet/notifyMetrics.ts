// The counters of a run's check-sync NOTIFYs (issue #15): each NOTIFY as it goes out and as it ends,
// and the rounds and reboots they start (spec T7), for the progress line, Prometheus and the report.
// Counters and a fixed-bucket histogram only, so shard reports add up exactly.
import type { NotifyOutcome } from '../sip/sender.js';
import { copyHistogram, emptyHistogram, observe } from './histogram.js';
import { sortedRecord } from './metrics.js';
import type { NotifyFigures } from './report.js';

export class NotifyMetrics {
  private sent = 0;
  private readonly answered = new Map<string, number>();
  private timeouts = 0;
  private notSent = 0;
  private retransmissions = 0;
  private readonly latency = emptyHistogram();
  private rounds = 0;
  private reboots = 0;

  /** A NOTIFY went out (over SIP), or was handed to a powered-on phone (virtual time). */
  sentOne(): void {
    this.sent++;
  }

  /** How a NOTIFY sent over SIP ended. */
  ended(outcome: NotifyOutcome): void {
    if (outcome.kind === 'answered') {
      const status = String(outcome.status);
      this.answered.set(status, (this.answered.get(status) ?? 0) + 1);
      observe(this.latency, outcome.latencyMs);
    } else if (outcome.kind === 'timeout') {
      this.timeouts++;
    } else if (outcome.transmissions === 0) {
      this.notSent++;
    } else {
      // Sent, then stopped before an answer came: unanswered, as a timeout is.
      this.timeouts++;
    }
    this.retransmissions += Math.max(0, outcome.transmissions - 1);
  }

  /** A round a NOTIFY started (T7), and whether the phone rebooted after it. */
  round(reboot: boolean): void {
    this.rounds++;
    if (reboot) this.reboots++;
  }

  figures(): NotifyFigures {
    return {
      sent: this.sent,
      answered: sortedRecord(this.answered),
      timeouts: this.timeouts,
      notSent: this.notSent,
      retransmissions: this.retransmissions,
      latency: copyHistogram(this.latency),
      rounds: this.rounds,
      reboots: this.reboots,
    };
  }
}
