// What a round's merge means: the changes (against factory defaults), the reboot decision (R1,
// R2), the M1 comparison, and the configuration and provenance as reports show them.
import type { ParameterCatalogue } from '../models/parameters.js';
import type { PhoneState } from '../phone/state.js';
import { paramOf, type MergeResult } from './merge.js';
import type { Change, Provenance, RebootReason } from './report.js';
import { type ConfigView } from './settings.js';

export function sameMd5(now: ReadonlyMap<string, string>, before: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(before);
  if (keys.length === 0 || keys.length !== now.size) return false;
  return keys.every((url) => now.get(url) === before[url]);
}

export function diffConfig(
  before: Readonly<Record<string, string>>,
  merged: MergeResult,
  params: ParameterCatalogue,
): Change[] {
  const changes: Change[] = [];
  const resetHow = new Map(
    merged.resets.map((r) => [r.key, r.reason === 'blank' ? 'reset-blank' : 'reset-deleted'] as const),
  );
  const keys = new Set([...Object.keys(before), ...Object.keys(merged.config)]);
  for (const key of keys) {
    const def = params.defaultOf(paramOf(key));
    const was = before[key] ?? def;
    const now = merged.config[key] ?? def;
    if (was === now) continue;
    const origin = merged.origins[key];
    const how = resetHow.get(key) ?? (origin?.kind === 'mac-local' ? 'mac-local' : 'set');
    changes.push({
      key,
      ...(before[key] !== undefined && before[key] !== def && { before: before[key] }),
      ...(merged.config[key] !== undefined && merged.config[key] !== def && { after: merged.config[key] }),
      how,
      ...(origin && { origin }),
    });
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** R1: a changed setting that needs a reboot; R2: a forced reboot after any update. */
export function rebootReasonsFor(
  changes: readonly Change[],
  get: ConfigView,
  params: ParameterCatalogue,
): RebootReason[] {
  const reasons: RebootReason[] = [];
  for (const change of changes) {
    const param = paramOf(change.key);
    if (params.needsReboot(param)) {
      reasons.push({
        rule: 'R1',
        param: change.key,
        message: `${change.key} changed, and a change of it needs a reboot`,
      });
    }
  }
  if (get('static.auto_provision.reboot_force.enable') === '1') {
    reasons.push({
      rule: 'R2',
      message:
        'static.auto_provision.reboot_force.enable = 1 reboots after every round that updated something',
    });
  }
  return reasons;
}

export function visibleConfig(
  config: Readonly<Record<string, string>>,
  params: ParameterCatalogue,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(config).sort()) {
    const value = config[key]!;
    if (params.defaultOf(paramOf(key)) !== value) out[key] = value;
  }
  return out;
}

export function provenanceOf(
  prev: PhoneState,
  merged: Pick<MergeResult, 'config' | 'origins' | 'setBy'>,
): Record<string, Provenance> {
  const out: Record<string, Provenance> = {};
  for (const key of Object.keys(merged.config).sort()) {
    const origin = merged.origins[key];
    if (!origin) continue;
    const chain = merged.setBy.get(key) ?? [];
    const earlier = origin.kind === 'file' ? chain.slice(0, -1) : chain;
    const previous = prev.config[key];
    out[key] = {
      origin,
      overrode: [
        ...(previous !== undefined && previous !== merged.config[key]
          ? [{ file: 'previous' as const, value: previous }]
          : []),
        ...earlier,
      ],
    };
  }
  return out;
}
