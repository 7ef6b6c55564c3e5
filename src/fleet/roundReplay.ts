// A phone's round that repeats its last one (issue #14 §2, M1). In virtual time against a tree read
// in-process, a round is a pure function of the phone's flash and what the tree serves: the engine
// reads the flash's maps, firmware, model and MAC, fetches from a tree that answers every URL the
// same way until the tree changes (a rollout's switch, an upload), and nothing else. So when a
// round found nothing new and the phone's flash and the tree are still as they were, the next round
// is that round again: the same requests with the same answers, nothing new again (M1). Such a
// round is replayed: its requests are counted as before, the flash notes the round, and the life
// hears the same outcome, without parsing, merging or comparing anything (a few identity checks).
import type { Fetcher, FetchOutcome, FetchRequest, Uploader } from '../fetch/fetcher.js';
import type { LifeFlash, RoundOutcome } from '../phone/lifeMachine.js';
import { statusOf } from './meteredFetcher.js';
import type { FleetMetrics, RequestTally } from './metrics.js';
import type { RequestStatus } from './report.js';

/** What a round that found nothing new did, kept to replay it. */
export interface RoundReplay {
  /** The tree as it was (TreeVersions): a new version, and the round runs on the engine again. */
  readonly version: object;
  /**
   * The flash the round ran with and left (an M1 round changes nothing in it the engine reads):
   * the same Flash object on the next round (PhoneTable shares them) means the same flash. Only its
   * identity is compared, so it is typed as an object (PhoneTable imports this module).
   */
  readonly flash: object;
  /** The server the flash notes after the round (PhoneState.server). */
  readonly server: string;
  /** Its requests, in order, where the metrics count them. */
  readonly tallies: readonly RequestTally[];
  readonly outcome: RoundOutcome;
  /** The life's view of the flash after it. */
  readonly lifeFlash: LifeFlash;
}

/**
 * The versions of what a run's trees serve. A tree read in-process is read once (FileFetcher's
 * cache): it answers each URL the same way until something is uploaded to it, which starts a new
 * version. A rollout has two trees, the second from its switch on.
 */
export class TreeVersions {
  private versions: object[];

  constructor(trees: number) {
    this.versions = Array.from({ length: trees }, () => ({}));
  }

  /** The version of tree `index` (0: the source, 1: a rollout's tree B). */
  of(index: number): object {
    return this.versions[index]!;
  }

  /** An upload to tree `index`: what it serves may have changed. */
  changed(index: number): void {
    this.versions[index] = {};
  }

  /** A tree's fetcher whose uploads start a new version of it. */
  watch(index: number, fetcher: Fetcher & Uploader): Fetcher & Uploader {
    return {
      fetch: (request) => fetcher.fetch(request),
      put: (request, bytes) => {
        this.changed(index);
        return fetcher.put(request, bytes);
      },
    };
  }
}

/** A fetcher for one round that notes each request and how it went, for its replay. */
export class RoundRequests implements Fetcher {
  private readonly urls: URL[] = [];
  private readonly statuses: RequestStatus[] = [];

  constructor(private readonly inner: Fetcher) {}

  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const outcome = await this.inner.fetch(request);
    this.urls.push(request.url);
    this.statuses.push(statusOf(outcome));
    return outcome;
  }

  /** Where the metrics counted them. */
  tallies(metrics: FleetMetrics): RequestTally[] {
    return this.urls.map((url, i) => metrics.tally(url, this.statuses[i]!));
  }
}
