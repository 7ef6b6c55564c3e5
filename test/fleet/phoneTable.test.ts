// Issue #14 §2: the fleet's phones as columns. A phone's flash read back is the flash it was
// given; phones with the same flash share one record of it; a round noted moves only the counter.
import { describe, expect, it } from 'vitest';
import { macOrThrow } from '../../src/core/mac.js';
import type { FleetPhone } from '../../src/fleet/fleetInventory.js';
import { PhoneTable } from '../../src/fleet/phoneTable.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { factoryState, type PhoneState } from '../../src/phone/state.js';

const T46U = loadModelCatalogue().find('T46U')!;
const phone = (mac: string): FleetPhone => ({
  mac: macOrThrow(mac),
  model: T46U,
  firmware: T46U.firmware.current,
});
const maps = { config: { 'lang.gui': 'French' }, origins: {}, provisioned: {}, local: {}, md5: {} };

describe('issue #14 §2: PhoneTable', () => {
  it('keeps the phones in MAC order and gives back each flash as it was given', () => {
    const saved: PhoneState = {
      ...factoryState(macOrThrow('001565000003'), 'T46U', '108.86.0.90'),
      ...maps,
      server: 'http://prov.example/',
      rounds: 7,
      // A saved flash's time as someone wrote it, not as the engine would: kept as written.
      lastRound: '2026-01-05T00:00:00Z',
    };
    const table = new PhoneTable([phone('001565000003'), phone('001565000001')], (p) =>
      p.mac === saved.mac ? saved : factoryState(p.mac, 'T46U', p.firmware),
    );
    expect(table.phones.map((p) => p.mac)).toEqual(['001565000001', '001565000003']);
    expect(table.state(1)).toEqual(saved);
    expect(table.state(0)).toEqual(factoryState(macOrThrow('001565000001'), 'T46U', T46U.firmware.current));
  });

  it('shares one record of a flash between phones, and notes a round as the engine does', () => {
    const table = new PhoneTable([phone('001565000001'), phone('001565000002')], (p) => ({
      ...factoryState(p.mac, 'T46U', p.firmware),
      ...maps,
    }));
    expect(table.flash(0)).toBe(table.flash(1));
    const at = Date.UTC(2026, 0, 5, 1, 2, 3, 4);
    table.noteRound(1, 'file:///srv/tree/', at);
    expect(table.state(1)).toEqual({
      ...factoryState(macOrThrow('001565000002'), 'T46U', T46U.firmware.current),
      ...maps,
      server: 'file:///srv/tree/',
      rounds: 1,
      lastRound: '2026-01-05T01:02:03.004Z',
    });
    table.noteRound(0, 'file:///srv/tree/', at);
    expect(table.flash(0)).toBe(table.flash(1));
  });
});
