// `autop diff`: every phone provisioned by the first tree, then by the second, and what the second
// round would do to it (issue #4 §4): which settings change, who reboots and why (R1, R2), who
// upgrades (R3), what overwrite mode resets (B6), and which user settings MAC-local keeps (K3).
// Phones are reduced to a small record as they go; identical impacts are grouped.
import { macWithColons } from '../core/mac.js';
import type { Engine } from '../engine/round.js';
import { roundRan, type Change, type RebootReason } from '../engine/report.js';
import { factoryState, type PhoneState } from '../phone/state.js';
import { readStateFile } from '../phone/stateFile.js';
import { shownValue } from '../report/mask.js';
import type { InventoryPhone } from '../check/inventory.js';
import { MountedTree, MOUNT_URL } from './mountedTree.js';
import type { DiffResult, Group, PhoneDiff } from './diffResult.js';

export type { DiffResult, Group, PhoneDiff } from './diffResult.js';

export interface DiffInput {
  readonly engine: Engine;
  readonly before: string;
  readonly after: string;
  readonly phones: readonly InventoryPhone[];
  readonly keepPhones?: boolean;
  readonly showSecrets?: boolean;
  readonly now?: Date;
}

const SAMPLE = 5;

class Grouper<T> {
  private readonly groups = new Map<string, Group<T>>();
  add(key: string, what: T, mac: string): void {
    const group = this.groups.get(key) ?? { what, count: 0, sample: [] };
    group.count++;
    if (group.sample.length < SAMPLE) group.sample.push(mac);
    this.groups.set(key, group);
  }
  sorted(): Group<T>[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count);
  }
}

export async function diffTrees(input: DiffInput): Promise<DiffResult> {
  const { engine } = input;
  const params = engine.catalogues.params;
  const server = { url: MOUNT_URL, source: 'autop diff' };
  const treeA = new MountedTree(input.before);
  const treeB = new MountedTree(input.after);
  const now = input.now ?? new Date();
  const mask = (c: Change): Change => {
    if (input.showSecrets) return c;
    return {
      ...c,
      ...(c.before !== undefined && { before: shownValue(c.key, c.before, params) }),
      ...(c.after !== undefined && { after: shownValue(c.key, c.after, params) }),
    };
  };

  const reboots = new Grouper<RebootReason>();
  const upgrades = new Grouper<{ from: string; to: string }>();
  const resets = new Grouper<{ key: string; how: Change['how'] }>();
  const kept = new Grouper<string>();
  const changeGroups = new Grouper<readonly Change[]>();
  const perPhone: PhoneDiff[] = [];
  let changed = 0;
  let rebooting = 0;
  let upgrading = 0;
  let failedRounds = 0;

  for (const phone of input.phones) {
    const mac = macWithColons(phone.mac);
    const start = await startState(phone);
    const first = await engine.runRound({ model: phone.model, state: start, server, fetcher: treeA, now });
    const second = await engine.runRound({
      model: phone.model,
      state: first.state,
      server,
      fetcher: treeB,
      now,
    });
    const report = second.report;
    if (!roundRan(report.status)) failedRounds++;

    const changes = report.changes.map(mask);
    const upgrade =
      report.firmware?.install && report.firmware.version
        ? { from: report.firmware.running, to: report.firmware.version, rom: report.firmware.rom }
        : null;
    const phoneResets = changes.filter((c) => c.how === 'reset-blank' || c.how === 'reset-deleted');
    // K3: the value the second tree sets lost to the user's MAC-local one.
    const keptByLocal = Object.entries(report.provenance)
      .filter(([, p]) => p.origin.kind === 'mac-local' && p.overrode.some((o) => o.file !== 'previous'))
      .map(([key]) => key);

    if (changes.length > 0) {
      changed++;
      changeGroups.add(JSON.stringify(changes.map((c) => [c.key, c.before, c.after, c.how])), changes, mac);
    }
    if (report.reboot) rebooting++;
    for (const r of report.rebootReasons) reboots.add(`${r.rule}|${r.param ?? r.message}`, r, mac);
    if (upgrade) {
      upgrading++;
      upgrades.add(`${upgrade.from}|${upgrade.to}`, { from: upgrade.from, to: upgrade.to }, mac);
    }
    for (const c of phoneResets) resets.add(`${c.key}|${c.how}`, { key: c.key, how: c.how }, mac);
    for (const key of keptByLocal) kept.add(key, key, mac);

    if (input.keepPhones) {
      perPhone.push({
        mac,
        model: phone.model.id,
        ...(phone.name !== undefined && { name: phone.name }),
        before: first.report.status,
        after: report.status,
        changes,
        reboot: report.rebootReasons,
        upgrade,
        resets: phoneResets,
        keptByLocal,
      });
    }
  }

  return {
    phones: input.phones.length,
    changed,
    rebooting,
    upgrading,
    failed: failedRounds,
    reboots: reboots.sorted(),
    upgrades: upgrades.sorted(),
    resets: resets.sorted(),
    keptByLocal: kept.sorted(),
    changes: changeGroups.sorted(),
    ...(input.keepPhones && { perPhone }),
  };
}

async function startState(phone: InventoryPhone): Promise<PhoneState> {
  const factory = factoryState(phone.mac, phone.model.id, phone.firmware);
  if (phone.state.kind === 'factory') return factory;
  const read = await readStateFile(phone.state.path);
  return read.kind === 'ok' && read.state.mac === phone.mac
    ? { ...read.state, firmware: phone.firmware }
    : factory;
}
