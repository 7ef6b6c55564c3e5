import { describe, expect, it } from 'vitest';
import { MemoryTree, file } from '../support/memoryTree.js';
import { newPhone, round } from '../support/engine.js';

const boot = file('include:config "a.cfg"', 'include:config "b.cfg"');

describe('M1 MD5 change detection', () => {
  it('ends a round with the same MD5s as the last without updating or rebooting', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('static.network.vlan.internet_port_enable = 1'),
      'b.cfg': file('x = 1'),
    });
    const first = await round(tree, newPhone());
    expect(first.report.updated).toBe(true);
    const second = await round(tree, first.state);
    expect(second.report).toMatchObject({ status: 'unchanged', updated: false, reboot: false, changes: [] });
    expect(second.report.warnings).toContainEqual(expect.objectContaining({ rule: 'M1' }));
    expect(second.state.config).toEqual(first.state.config);
    expect(second.state.rounds).toBe(2);
  });

  it('updates when any configuration file of the round changed', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('x = 1'),
      'b.cfg': file('y = 1'),
    });
    const first = await round(tree, newPhone());
    tree.set({ 'b.cfg': file('y = 2') });
    const second = await round(tree, first.state);
    expect(second.report.updated).toBe(true);
    expect(second.report.changes).toEqual([expect.objectContaining({ key: 'y', before: '1', after: '2' })]);
  });

  it('updates when the set of files changed (one vanished)', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('x = 1'),
      'b.cfg': file('y = 1'),
    });
    const first = await round(tree, newPhone());
    tree.delete('b.cfg');
    const second = await round(tree, first.state);
    expect(second.report.updated).toBe(true);
  });

  it('reports the MD5 of every download', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('x = 1'),
      'b.cfg': file('y = 1'),
    });
    const { report, state } = await round(tree, newPhone());
    expect(report.downloads.filter((d) => d.outcome === 'ok').map((d) => d.md5)).toEqual(
      Object.values(state.md5),
    );
    expect(report.downloads.find((d) => d.name === 'a.cfg')?.md5).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('R1 reboot when a changed setting needs one', () => {
  it('reboots for a changed static.network setting, naming it', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('static.network.vlan.internet_port_enable = 1'),
      'b.cfg': file('lang.gui = French'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.reboot).toBe(true);
    expect(report.rebootReasons).toEqual([
      expect.objectContaining({ rule: 'R1', param: 'static.network.vlan.internet_port_enable' }),
    ]);
  });

  it('does not reboot for settings that take effect at once', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('lang.gui = French'),
      'b.cfg': file('features.dnd.enable = 1'),
    });
    const { report } = await round(tree, newPhone());
    expect(report).toMatchObject({ reboot: false, rebootReasons: [] });
  });

  it('does not reboot when the reboot setting is provisioned again unchanged beside another change', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('static.network.vlan.internet_port_enable = 1'),
      'b.cfg': file('x = 1'),
    });
    const first = await round(tree, newPhone());
    tree.set({ 'b.cfg': file('x = 2') });
    const second = await round(tree, first.state);
    expect(second.report.reboot).toBe(false);
  });
});

describe('R2 forced reboot', () => {
  it('reboots after every round that updated something', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'a.cfg': file('static.auto_provision.reboot_force.enable = 1'),
      'b.cfg': file('x = 1'),
    });
    const first = await round(tree, newPhone());
    expect(first.report.rebootReasons.map((r) => r.rule)).toEqual(['R2']);
    tree.set({ 'b.cfg': file('x = 2') });
    expect((await round(tree, first.state)).report.reboot).toBe(true);
    expect((await round(tree, (await round(tree, first.state)).state)).report.reboot).toBe(false);
  });
});

describe('R3 firmware', () => {
  const rom = 'T46U(T43U,T46U,T41U,T48U,T42U,T44U,T44W)-108.86.0.95.rom';
  const firmwareTree = (url: string) =>
    new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file(`static.firmware.url = ${url}`),
      [`fw/${rom}`]: new Uint8Array(2048),
    });

  it('downloads a newer ROM after the configuration, reboots, and runs the new version next', async () => {
    const tree = firmwareTree(`http://prov.test/fw/${rom}`);
    const { report, state } = await round(tree, newPhone('T46U', undefined, '108.86.0.90'));
    expect(tree.requested.at(-1)).toBe(`fw/${rom}`);
    expect(report.firmware).toMatchObject({
      install: true,
      version: '108.86.0.95',
      running: '108.86.0.90',
      size: 2048,
    });
    expect(report.rebootReasons).toContainEqual(expect.objectContaining({ rule: 'R3' }));
    expect(state.firmware).toBe('108.86.0.95');
    const next = new MemoryTree();
    await round(next, state);
    expect(next.requests[0]?.userAgent).toContain(' 108.86.0.95 ');
  });

  it('expands $PN and resolves a relative ROM URL against the server', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file(`static.firmware.url = $PN/${rom}`),
      [`T46U/${rom}`]: new Uint8Array(8),
    });
    const { report } = await round(tree, newPhone('T46U', undefined, '108.86.0.90'));
    expect(report.firmware?.install).toBe(true);
    expect(tree.requested.at(-1)).toBe(`T46U/${rom}`);
  });

  it('does not install the running version, nor another family, and says why', async () => {
    const same = await round(
      firmwareTree(`http://prov.test/fw/${rom}`),
      newPhone('T46U', undefined, '108.86.0.95'),
    );
    expect(same.report.firmware).toMatchObject({ install: false });
    expect(same.report.firmware?.reason).toMatch(/already running/);
    expect(same.report.reboot).toBe(false);
    const other = await round(firmwareTree('http://prov.test/fw/T23-44.84.0.150.rom'), newPhone('T46U'));
    expect(other.report.firmware).toMatchObject({ install: false });
    expect(other.report.firmware?.reason).toMatch(/family 44/);
  });

  it('reports a missing ROM as an error and does not upgrade', async () => {
    const { report, state } = await round(
      firmwareTree('http://prov.test/fw/T46U-108.87.0.1.rom'),
      newPhone('T46U', undefined, '108.86.0.90'),
    );
    expect(report.errors).toContainEqual(expect.objectContaining({ rule: 'R3' }));
    expect(report.firmware?.install).toBe(false);
    expect(state.firmware).toBe('108.86.0.90');
  });
});
