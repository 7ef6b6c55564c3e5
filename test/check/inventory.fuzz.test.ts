// Issue #13, the systematic part: inventories (CSV and JSON) under generated rows and bytes, as
// `check`, `diff` and `fleet` read them. A bad row is a problem named by its line, a file that is no
// inventory a message; never a throw, and every phone accepted is a usable one.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readInventory } from '../../src/check/inventory.js';
import { UsageError } from '../../src/core/usageError.js';
import { fleetFromInventory } from '../../src/fleet/fleetInventory.js';
import { models } from '../support/engine.js';

const SEED = 1320;

const cell = fc.oneof(
  fc.constantFrom(
    '00:15:65:74:b1:50',
    '001565aaaaaa',
    'T46U',
    'SIP-T23G',
    '108.86.0.90',
    'state.json',
    '',
    '"',
    '""',
    '#',
  ),
  fc.string({ maxLength: 12 }),
);
const csv = fc
  .tuple(
    fc.constantFrom('mac,model,firmware,state,name', 'mac,model', 'model,mac', 'MAC , Model', '', 'name'),
    fc.array(
      fc.array(cell, { maxLength: 6 }).map((cells) => cells.join(',')),
      { maxLength: 6 },
    ),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([header, rows, end]) => [header, ...rows].join(end));
const jsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
  fc
    .array(
      fc.record(
        {
          mac: fc.oneof(cell, fc.integer()),
          model: cell,
          firmware: cell,
          state: cell,
          name: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 5 },
    )
    .chain((phones) => fc.constantFrom(JSON.stringify(phones), JSON.stringify({ phones }))),
);

describe('#13 inventories under generated rows and bytes', () => {
  it('check and diff read phones and problems, or refuse the file; fleet the same (reading only)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-inventory-fuzz-'));
    await writeFile(join(dir, 'state.json'), '{"format":"autop-phone-state/1"}');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csv.map((text) => ({ name: 'inventory.csv', text })),
          jsonText.map((text) => ({ name: 'inventory.json', text })),
          fc.uint8Array({ maxLength: 60 }).map((bytes) => ({ name: 'inventory.csv', text: bytes })),
        ),
        async ({ name, text }) => {
          const path = join(dir, name);
          await writeFile(path, text);
          const read = await readInventory(path, models);
          if (read.kind === 'ok')
            for (const phone of read.phones) {
              expect(phone.mac).toMatch(/^[0-9a-f]{12}$/);
              expect(models.find(phone.model.id)).toBeDefined();
            }
          try {
            await fleetFromInventory(path, models);
          } catch (e) {
            expect(e).toBeInstanceOf(UsageError);
          }
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});
