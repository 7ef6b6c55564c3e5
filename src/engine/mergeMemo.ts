// Merges shared between phones (issue #14 §2): a merge is a pure function of the phone's maps before
// the round (configuration, origins, provisioned values, MAC-local settings) and the round's layers,
// which the ParseCache hands out as the same objects for every phone of a model that read the same
// files. A fleet's phones share their maps (the fleet's StateInterner), so thousands of phones whose
// files are byte-identical make one merge, not thousands: same prior state + same layers, same result.
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import type { Gathered } from './gather.js';
import { mergeStep, type Merged } from './mergeStep.js';

/** How many different rounds one configuration map keeps merges for (models, trees of a rollout). */
const PER_CONFIG = 16;

interface Kept {
  readonly origins: object;
  readonly provisioned: object;
  readonly local: object;
  readonly layers: readonly object[];
  readonly overwrite: boolean;
  readonly refused: string;
  readonly applied: string;
  readonly merged: Merged;
}

type Ok = Extract<Gathered, { kind: 'ok' }>;

export class MergeMemo {
  /** By the configuration map before the round: kept as long as some phone's flash holds it. */
  private readonly byConfig = new WeakMap<object, Kept[]>();

  merge(state: PhoneState, gathered: Ok, params: ParameterCatalogue): Merged {
    // A downloaded MAC-local file (K2) is the phone's own: nothing to share.
    if (gathered.macLocal) return mergeStep(state, gathered, params);
    const refused = gathered.refused.size === 0 ? '' : [...gathered.refused].join('\n');
    const applied = gathered.applied.join('\n');
    let kept = this.byConfig.get(state.config);
    const found = kept?.find(
      (k) =>
        k.origins === state.origins &&
        k.provisioned === state.provisioned &&
        k.local === state.local &&
        k.overwrite === gathered.overwrite &&
        k.refused === refused &&
        k.applied === applied &&
        sameItems(k.layers, gathered.layers),
    );
    if (found) return withOwnApplied(found.merged, state, gathered);
    const merged = mergeStep(state, gathered, params);
    if (!kept) this.byConfig.set(state.config, (kept = []));
    if (kept.length === PER_CONFIG) kept.shift();
    kept.push({
      origins: state.origins,
      provisioned: state.provisioned,
      local: state.local,
      layers: gathered.layers,
      overwrite: gathered.overwrite,
      refused,
      applied,
      merged,
    });
    return merged;
  }
}

function sameItems(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The merge of another phone with this one's file names: K4's `<mac>-local.cfg` is its own. */
function withOwnApplied(merged: Merged, state: PhoneState, gathered: Ok): Merged {
  if (merged.applied.length === gathered.applied.length) return merged;
  return { ...merged, applied: [...gathered.applied, `${state.mac}-local.cfg`] };
}
