// Without an inventory, the phones `autop diff` (and `check`) make up for a tree: the choice of
// modelChoice.ts, the models the tree names and phones of unknown model (issue #12).
import { loadModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import type { InventoryPhone } from './inventory.js';
import { chooseModels } from './modelChoice.js';

/** @param models the catalogue's models (the tree decides), or those of `--model`. */
export async function syntheticPhones(
  root: string,
  models: readonly ModelEntry[],
): Promise<InventoryPhone[]> {
  const catalogue = loadModelCatalogue();
  const all = models === catalogue.models || models.length === catalogue.models.length;
  return [...(await chooseModels(root, catalogue, all ? undefined : models)).phones];
}
