// Without an inventory, `check` invents one phone per model that the tree can serve (issue #4 §1):
// every model when there is a common boot file (B1), else the models whose common CFG is there (L1).
import { macOrThrow } from '../core/mac.js';
import { parseFirmware } from '../core/firmware.js';
import { supportsBootFiles, type ModelEntry } from '../models/catalogue.js';
import type { InventoryPhone } from './inventory.js';
import { COMMON_BOOT, listTree } from './treeFiles.js';

export async function syntheticPhones(
  root: string,
  models: readonly ModelEntry[],
): Promise<InventoryPhone[]> {
  const files = await listTree(root);
  const top = new Set(files.filter((f) => !f.path.includes('/')).map((f) => f.path));
  const taken = new Set(files.flatMap((f) => (f.mac ? [f.mac.toLowerCase()] : [])));
  const phones: InventoryPhone[] = [];
  let next = 0xf00000;
  for (const model of models) {
    const firmware = parseFirmware(model.firmware.current);
    const boots = firmware !== undefined && supportsBootFiles(model, firmware) && top.has(COMMON_BOOT);
    if (!boots && !top.has(model.commonCfg)) continue;
    // A MAC of Yealink's OUI that no file of the tree is named for, so the phone is nobody in particular.
    let mac: string;
    do mac = `001565${(next++).toString(16).padStart(6, '0')}`;
    while (taken.has(mac));
    phones.push({
      mac: macOrThrow(mac),
      model,
      firmware: model.firmware.current,
      name: `synthetic ${model.id}`,
      state: { kind: 'factory' },
    });
  }
  return phones;
}
