// Issue #4 §6: `check` of the realistic common-only tree for a generated inventory of 10,000 phones,
// against the raw baseline, measured in the same run, of reading and MD5-hashing every file each
// phone fetches. The goal is a ratio of 1 or less.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTree } from '../src/check/checkTree.js';
import { readInventory } from '../src/check/inventory.js';
import { fixturesDir } from '../src/core/packageRoot.js';
import { macWithColons, macOrThrow } from '../src/core/mac.js';
import { Engine } from '../src/engine/round.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';
import { loadParameterCatalogue } from '../src/models/parameters.js';
import { heading, print, timed } from './measure.js';

const PHONES = 10_000;

export async function benchCheck(): Promise<void> {
  heading('autop check (issue #4)');
  const tree = join(fixturesDir, 'site-common-only');
  const dir = await mkdtemp(join(tmpdir(), 'autop-bench-'));
  try {
    const rows = ['mac,model,firmware'];
    for (let i = 0; i < PHONES; i++) {
      const mac = macWithColons(macOrThrow((0x001565100000 + i).toString(16).padStart(12, '0')));
      rows.push(i % 10 < 7 ? `${mac},T46U,108.86.0.90` : `${mac},T23G,44.84.0.140`);
    }
    const inventoryPath = join(dir, 'inventory.csv');
    await writeFile(inventoryPath, rows.join('\n') + '\n');

    const models = loadModelCatalogue();
    const engine = new Engine({ models, params: loadParameterCatalogue() });
    const fetched: string[][] = [];
    const memoryBefore = process.memoryUsage().heapUsed;
    let peak = memoryBefore;
    const check = await timed(async () => {
      const inventory = await readInventory(inventoryPath, models);
      if (inventory.kind !== 'ok') throw new Error(inventory.message);
      return checkTree({
        tree,
        phones: inventory.phones,
        inventory: { file: '../inventory.csv', problems: inventory.problems },
        engine,
        onPhone: (_summary, report) => {
          fetched.push(report.downloads.filter((d) => d.outcome === 'ok').map((d) => d.file));
          if (fetched.length % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
        },
      });
    });
    print({
      name: `check, ${PHONES.toLocaleString('en')} phones, site-common-only`,
      value: (PHONES / check.ms) * 1000,
      unit: 'phones/s',
      note: `${(check.ms / 1000).toFixed(2)} s; ${check.result.findings.length} findings; heap +${((peak - memoryBefore) / 2 ** 20).toFixed(0)} MiB`,
    });

    // The baseline: no engine, no parsing, no cache: read and hash each file each phone fetches.
    const baseline = await timed(async () => {
      for (const files of fetched) {
        for (const file of files)
          createHash('md5')
            .update(await readFile(join(tree, file)))
            .digest('hex');
      }
    });
    const reads = fetched.reduce((n, files) => n + files.length, 0);
    print({
      name: 'baseline: read and MD5 every file each phone fetches',
      value: (PHONES / baseline.ms) * 1000,
      unit: 'phones/s',
      note: `${reads.toLocaleString('en')} reads in ${(baseline.ms / 1000).toFixed(2)} s`,
    });
    print({ name: 'check time / baseline time (goal: 1 or less)', value: check.ms / baseline.ms, unit: '×' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
