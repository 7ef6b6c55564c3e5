// What a fleet run reports (issue #8 §4): the shape shared by the runner that fills it, the
// printers that show it (text, JSON, HTML, Prometheus) and `autop fleet merge`. Everything but the
// `emulator` section is made of counters and histograms with fixed buckets, so shards merge
// exactly: in virtual time the merge of shard reports equals the report of the unsharded run of the
// same seed; real-time shards, started moments apart, are put on one time axis (see merge.ts).

export const FLEET_REPORT_FORMAT = 'autop-fleet-report/1';

export type Scenario = 'boot-storm' | 'life' | 'notify-storm' | 'rollout';

/** Upper bounds (ms) of the latency buckets; the last bucket is everything above the last bound. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000,
];

export interface LatencyHistogram {
  /** counts[i] is the number of requests with latency <= LATENCY_BOUNDS_MS[i] (and above the previous bound); one extra bucket at the end. */
  readonly counts: number[];
  readonly count: number;
  readonly sumMs: number;
  readonly maxMs: number;
}

/** What a request fetched, from its file name (`.boot`, `-local.cfg`, `.cfg`, firmware, other). */
export type RequestKind = 'boot' | 'config' | 'mac-local' | 'firmware' | 'other';

/** `ok`, `not-found`, or `failed:<cause>` (FailureCause of src/fetch/fetcher.ts). */
export type RequestStatus = string;

/**
 * A phone whose part of the scenario was not over when the run was stopped (Ctrl-C, SIGTERM):
 * `interrupted` once powered on, `not-started` before its power-on instant. Neither is a failure.
 */
export type UnfinishedStatus = 'interrupted' | 'not-started';

export const UNFINISHED: readonly UnfinishedStatus[] = ['interrupted', 'not-started'];

export function isUnfinished(status: PhoneOutcome['status']): status is UnfinishedStatus {
  return status === 'interrupted' || status === 'not-started';
}

/** One phone's end state: what an admin checks per MAC. */
export interface PhoneOutcome {
  readonly mac: string;
  readonly model: string;
  /**
   * The status of the phone's last round: `provisioned` (updated or unchanged), `failed`,
   * `no-server`, `nothing-found`; or, in a stopped run, why the phone has none (UnfinishedStatus).
   */
  readonly status: 'provisioned' | 'failed' | 'no-server' | 'nothing-found' | UnfinishedStatus;
  readonly rounds: number;
  readonly reboots: number;
  /** The firmware the phone ended on, when an upgrade happened. */
  readonly upgradedTo?: string;
  /** With --discover: the S1 source the phone's last boot took its server from (`dhcp-66`, `pnp`, ...). */
  readonly serverSource?: string;
  /** Why the last failed round failed (first error of the round report). */
  readonly failure?: string;
}

export interface FleetReport {
  readonly format: typeof FLEET_REPORT_FORMAT;
  readonly run: {
    readonly scenario: Scenario;
    readonly seed: string;
    readonly time: 'real' | 'virtual';
    /** ISO 8601 of the scenario clock's start. */
    readonly start: string;
    /** Scenario clock length of the run (virtual ms in virtual time). */
    readonly durationMs: number;
    /**
     * Where the phones fetched from, user info removed: the server's URL; with `--tree` in real
     * time the embedded HTTP server's address, in virtual time the tree's file URL (read in-process).
     */
    readonly server: string;
    /** With `--tree`: the tree on disk, as a file URL. */
    readonly tree?: string;
    /**
     * The run was stopped before its end (Ctrl-C: SIGINT; a pod's SIGTERM) `atMs` scenario-clock ms
     * after the start: the report covers what happened until then; phones whose part was not over
     * are counted apart (`phones.interrupted`, `phones.notStarted`), not as failed.
     */
    readonly interrupted?: Interruption;
    readonly concurrency: number;
    /** Phones in the whole inventory, and which shards this report covers (sorted). */
    readonly inventory: number;
    readonly shards: {
      readonly count: number;
      readonly indexes: number[];
      /** In a merged report: each shard process's own start, length, server and health, by first index. */
      readonly runs?: ShardRun[];
    };
  };
  readonly phones: {
    readonly total: number;
    readonly provisioned: number;
    /** Finished phones that were not provisioned (interrupted and not-started phones are not). */
    readonly failed: number;
    /** In a stopped run: phones powered on whose part of the scenario was not over. */
    readonly interrupted?: number;
    /** In a stopped run: phones not yet powered on. */
    readonly notStarted?: number;
    readonly reboots: number;
    readonly upgrades: number;
    /** Failure reason (as in PhoneOutcome.failure, with host-specific text removed) → phones. */
    readonly failures: Record<string, number>;
    readonly byModel: Record<
      string,
      { total: number; provisioned: number; failed: number; reboots: number; upgrades: number }
    >;
  };
  /** Sorted by MAC. */
  readonly outcomes: PhoneOutcome[];
  /**
   * The check-sync NOTIFYs of a run that sends them (`notify-storm`, `rollout --rollout-notify`):
   * over SIP in real time, handed to each phone in-process in virtual time (no SIP figures then).
   */
  readonly notify?: NotifyFigures;
  readonly requests: {
    readonly total: number;
    /** URL path (no host, no user info) → status → count. */
    readonly byFile: Record<string, Record<RequestStatus, number>>;
    readonly byStatus: Record<RequestStatus, number>;
    readonly latency: Partial<Record<RequestKind, LatencyHistogram>>;
  };
  readonly load: {
    /** Requests started in each minute of the run, from the run's start. */
    readonly perMinute: number[];
    /** Requests started in each second of the first hour (the boot-storm window), sparse: second → count. */
    readonly perSecondFirstHour: Record<string, number>;
  };
  /** The emulator's own health (issue #8 §5); measured, so not expected to be equal across runs. */
  readonly emulator: {
    readonly wallMs: number;
    readonly eventLoopDelayP99Ms: number;
    readonly eventLoopDelayMaxMs: number;
    /** CPU time of this process over wall time, in % of one core. */
    readonly cpuPercent: number;
    readonly heapUsedBytes: number;
    /** True when the emulator, not the server, limited the run. */
    readonly bottleneck: boolean;
    readonly verdict: string;
  };
}

/** One shard process of a merged run, as its own report said. */
export interface ShardRun {
  readonly indexes: number[];
  /** ISO 8601: real-time shards start at different moments (pods a few seconds apart). */
  readonly start: string;
  readonly durationMs: number;
  readonly server: string;
  readonly emulator: FleetReport['emulator'];
  /** The shard was stopped before its end. */
  readonly interrupted?: Interruption;
}

export interface Interruption {
  /** What stopped it: `SIGINT` (Ctrl-C) or `SIGTERM`. */
  readonly signal: string;
  /** Scenario-clock ms from the run's start to the stop. */
  readonly atMs: number;
}

/**
 * The NOTIFYs of a run: counters and a fixed-bucket histogram, so shards add up exactly. Every
 * NOTIFY sent ends answered (by status), timed out or, when the run stops first, still in flight.
 */
export interface NotifyFigures {
  /** NOTIFYs that went out (first transmission); in virtual time, handed to a powered-on phone. */
  readonly sent: number;
  /** Final responses by status code (`"200"`, `"404"`, ...). */
  readonly answered: Record<string, number>;
  /** Sent and never answered: Timer F (32 s) ran out, or the run stopped first. */
  readonly timeouts: number;
  /** Could not be sent (no route, the socket refused). */
  readonly notSent: number;
  /** Transmissions beyond the first (RFC 3261 Timer E), of the NOTIFYs that ended. */
  readonly retransmissions: number;
  /** From the first transmission to the final response, of the answered NOTIFYs. */
  readonly latency: LatencyHistogram;
  /** Provisioning rounds the NOTIFYs started (spec T7: trigger `notify`). */
  readonly rounds: number;
  /** Reboots after those rounds (T7 `sip.notify_reboot_enable`, or R1-R3). */
  readonly reboots: number;
}

/** What the progress bar and the Prometheus endpoint show while a run goes on. */
export interface LiveStats {
  readonly phones: number;
  /** Phones whose scenario is over (provisioned or not), and of those, the failed ones. */
  readonly done: number;
  readonly failed: number;
  readonly rounds: number;
  readonly reboots: number;
  readonly upgrades: number;
  readonly requests: number;
  readonly inFlight: number;
  readonly requestsByStatus: Readonly<Record<RequestStatus, number>>;
  readonly latency: Partial<Record<RequestKind, LatencyHistogram>>;
  /** Scenario-clock ms since the start (virtual in virtual time). */
  readonly elapsedMs: number;
  /** In a run that sends NOTIFYs: how many, and how they were answered so far. */
  readonly notify?: NotifyFigures;
}
