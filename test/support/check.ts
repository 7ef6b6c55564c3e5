// Runs `check` in-process on a fixture tree with its inventory, with the real engine and catalogues.
import { join } from 'node:path';
import { checkTree, type CheckResult } from '../../src/check/checkTree.js';
import { readInventory } from '../../src/check/inventory.js';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { Engine } from '../../src/engine/round.js';
import { models, params } from './engine.js';

export function checkFixture(relative: string, inventory = 'inventory.csv'): Promise<CheckResult> {
  return checkTreeAt(join(fixturesDir, relative), inventory);
}

/** `check` of a tree in any folder, with the inventory file inside it. */
export async function checkTreeAt(tree: string, inventory = 'inventory.csv'): Promise<CheckResult> {
  const read = await readInventory(join(tree, inventory), models);
  if (read.kind !== 'ok') throw new Error(read.message);
  return checkTree({
    tree,
    phones: read.phones,
    inventory: { file: inventory, problems: read.problems },
    engine: new Engine({ models, params }),
    now: new Date('2026-11-29T10:00:00Z'),
  });
}
