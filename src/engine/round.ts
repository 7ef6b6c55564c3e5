// One provisioning round, as the firmware runs it: a short driver over the spec's steps, each a
// module of its own that returns what happened as a value. Pure but for the fetcher handed in:
// phone and state in, report and next state out.
import { warning } from '../config/diagnostic.js';
import { supportsBootFiles } from '../models/catalogue.js';
import { considerCertificates } from './certificateStep.js';
import { considerFirmware, withUpgrade } from './firmwareStep.js';
import { gather } from './gather.js';
import { MergeMemo } from './mergeMemo.js';
import { unchangedState, updatedState } from './nextState.js';
import { sameMd5 } from './outcome.js';
import { ParseCache } from './parseCache.js';
import { RoundLog } from './roundContext.js';
import { roundResult } from './roundReport.js';
import { resolveServer, roundContext } from './serverStep.js';
import type { Catalogues, RoundInput, RoundResult } from './types.js';

export type { Catalogues, RoundInput, RoundResult } from './types.js';

export class Engine {
  readonly cache: ParseCache;
  /** Merges shared by phones with the same maps and the same files (a fleet's). */
  private readonly merges = new MergeMemo();

  constructor(
    readonly catalogues: Catalogues,
    options: { cacheEntries?: number } = {},
  ) {
    this.cache = new ParseCache(options.cacheEntries ?? 4096);
  }

  async runRound(input: RoundInput): Promise<RoundResult> {
    const { state, model, now } = input;
    const log = new RoundLog();
    const report = roundResult.bind(null, input, this.catalogues.params, log);

    // S1, S4-S6: the server and how to reach it.
    const server = resolveServer(input, this.catalogues.params, log);
    if (server.kind !== 'ok') return report({ status: server.kind });
    const ctx = roundContext(input, server, this.catalogues, this.cache, log);

    // B1, L1, B3-B7, E1-E4, K2: the files of the round, their lines for this phone, their MD5s.
    const gathered = await gather(ctx, server.target, supportsBootFiles(model, server.firmware));
    if (gathered.kind === 'nothing') return report({ status: 'nothing-found', server: server.shown });
    const ran = { server: server.shown, mechanism: gathered.mechanism, boot: gathered.boot };
    if (gathered.kind === 'failed') return report({ status: 'failed', ...ran });

    // M1: every configuration file as it was last time: the round ends, nothing updated.
    if (sameMd5(gathered.md5, state.md5)) {
      log.add(
        warning('M1', 'the configuration files have the same MD5 as in the last round; nothing was updated'),
      );
      const next = unchangedState(state, server.target.url, now);
      return report({ status: 'unchanged', ...ran, applied: gathered.applied }, next);
    }

    // B6, C2a, K1-K4: the merge, its changes and the reboots they need (R1, R2).
    const merged = this.merges.merge(state, gathered, this.catalogues.params);
    // S5, R3: trusted CAs and firmware, as the merged configuration names them.
    const certificates = await considerCertificates(ctx, merged.view, merged.setAt, state.certificates ?? {});
    const firmware = await considerFirmware(ctx, merged.view, merged.setAt, server.pn, server.firmware);

    // R1-R3: the flash after the round, and whether the phone reboots.
    const next = updatedState(state, server.target.url, now, {
      merged,
      md5: gathered.md5,
      certificates,
      firmware,
    });
    const rebootReasons = withUpgrade(merged.rebootReasons, firmware);
    const { applied, changes } = merged;
    return report(
      {
        status: 'updated',
        ...ran,
        applied,
        updated: true,
        changes,
        reboot: rebootReasons.length > 0,
        rebootReasons,
        firmware,
      },
      next,
      merged.result,
    );
  }
}
