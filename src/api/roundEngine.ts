// The engine of a library function or command that runs rounds, with the size limits its options
// give (issue #13.3). Not part of the public entry: the engine's types stay inside.
import type { DownloadKind } from '../engine/report.js';
import { Engine } from '../engine/round.js';
import type { RoundInput, RoundResult } from '../engine/types.js';
import { catalogues } from './inputs.js';

/** An engine whose every round takes these size limits (check, diff, explain and a life run many). */
class LimitedEngine extends Engine {
  constructor(private readonly sizeLimits: NonNullable<RoundInput['sizeLimits']>) {
    super(catalogues());
  }

  override runRound(input: RoundInput): Promise<RoundResult> {
    return super.runRound({ ...input, sizeLimits: { ...this.sizeLimits, ...input.sizeLimits } });
  }
}

/** The engine of a command or function that runs rounds, with its size limits (checked by now). */
export function engineFor(sizeLimits: Partial<Record<DownloadKind, number>> | undefined): Engine {
  return sizeLimits ? new LimitedEngine(sizeLimits) : new Engine(catalogues());
}
