import { describe, expect, it } from 'vitest';
import { MemoryTree, file } from '../support/memoryTree.js';
import { newPhone, params, round, T46U_MAC } from '../support/engine.js';
import { applyUiChange } from '../../src/phone/uiChange.js';

const LOCAL = `${T46U_MAC}-local.cfg`;

function tree(protect: 0 | 1, sync: 0 | 1, overwrite: 0 | 1 = 1) {
  return new MemoryTree({
    'y000000000000.boot': file(`overwrite_mode = ${overwrite}`, 'include:config "common.cfg"'),
    'common.cfg': file(
      `static.auto_provision.custom.protect = ${protect}`,
      `static.auto_provision.custom.sync = ${sync}`,
      'phone_setting.backlight_time = 60',
      'static.syslog.server = 192.0.2.5',
    ),
  });
}

describe('K1 MAC-local records non-static UI changes while custom.protect = 1', () => {
  it('records a non-static change in MAC-local, and never a static one', async () => {
    const first = await round(tree(1, 0), newPhone());
    const a = applyUiChange(first.state, 'phone_setting.backlight_time', '120', params);
    expect(a.local).toBe(true);
    expect(a.state.local).toEqual({ 'phone_setting.backlight_time': '120' });
    const b = applyUiChange(a.state, 'static.syslog.server', '192.0.2.99', params);
    expect(b.local).toBe(false);
    expect(b.state.local).toEqual({ 'phone_setting.backlight_time': '120' });
    expect(b.state.config['static.syslog.server']).toBe('192.0.2.99');
  });

  it('keeps no MAC-local file without custom.protect', async () => {
    const first = await round(tree(0, 0), newPhone());
    const a = applyUiChange(first.state, 'phone_setting.backlight_time', '120', params);
    expect(a.local).toBe(false);
    expect(a.state.local).toEqual({});
  });
});

describe('K3 MAC-local is applied last while custom.protect = 1', () => {
  it('keeps the UI value through the next round that changes the server value', async () => {
    const t = tree(1, 0);
    const first = await round(t, newPhone());
    const changed = applyUiChange(first.state, 'phone_setting.backlight_time', '120', params).state;
    t.set({
      'common.cfg': file(
        'static.auto_provision.custom.protect = 1',
        'phone_setting.backlight_time = 30',
        'lang.gui = French',
      ),
    });
    const { report } = await round(t, changed);
    expect(report.config['phone_setting.backlight_time']).toBe('120');
    expect(report.provenance['phone_setting.backlight_time']?.origin).toEqual({ kind: 'mac-local' });
    expect(report.applied).toEqual(['common.cfg', LOCAL]);
  });

  it('lets the static UI change go: provisioning always applies static settings', async () => {
    const t = tree(1, 0);
    const first = await round(t, newPhone());
    const changed = applyUiChange(first.state, 'static.syslog.server', '192.0.2.99', params).state;
    t.set({
      'common.cfg': file(
        'static.auto_provision.custom.protect = 1',
        'static.syslog.server = 192.0.2.5',
        'x = 1',
      ),
    });
    const { report } = await round(t, changed);
    expect(report.config['static.syslog.server']).toBe('192.0.2.5');
  });

  it('with custom.protect = 0, provisioned values win over UI changes', async () => {
    const t = tree(0, 0);
    const first = await round(t, newPhone());
    const changed = applyUiChange(first.state, 'phone_setting.backlight_time', '120', params).state;
    t.set({ 'common.cfg': file('phone_setting.backlight_time = 60', 'x = 2') });
    const { report } = await round(t, changed);
    expect(report.config['phone_setting.backlight_time']).toBe('60');
  });
});

describe('K2 MAC-local from the server with custom.sync = 1', () => {
  it('downloads <mac>-local.cfg after the CFGs and, with overwrite mode 1, applies the server copy', async () => {
    const t = tree(1, 1, 1).set({ [LOCAL]: file('phone_setting.backlight_time = 240') });
    const { report, state } = await round(t, newPhone());
    expect(t.requested.at(-1)).toBe(LOCAL);
    expect(report.downloads.at(-1)).toMatchObject({ name: LOCAL, kind: 'mac-local', outcome: 'ok' });
    expect(report.config['phone_setting.backlight_time']).toBe('240');
    expect(state.local).toEqual({ 'phone_setting.backlight_time': '240' });
  });

  it('with overwrite mode 0 applies the copy stored on the phone', async () => {
    const t = tree(1, 1, 0);
    const first = await round(t, newPhone());
    const changed = applyUiChange(first.state, 'phone_setting.backlight_time', '90', params).state;
    t.set({ [LOCAL]: file('phone_setting.backlight_time = 240') });
    const { report } = await round(t, changed);
    expect(report.config['phone_setting.backlight_time']).toBe('90');
  });

  it('downloads from custom.sync.path when it is set', async () => {
    const t = new MemoryTree({
      'y000000000000.boot': file('include:config "common.cfg"'),
      'common.cfg': file(
        'static.auto_provision.custom.protect = 1',
        'static.auto_provision.custom.sync = 1',
        'static.auto_provision.custom.sync.path = http://backup.test/locals',
      ),
      [`http://backup.test/locals/${LOCAL}`]: file('lang.gui = German'),
    });
    const { report } = await round(t, newPhone());
    expect(t.requested.at(-1)).toBe(`http://backup.test/locals/${LOCAL}`);
    expect(report.config['lang.gui']).toBe('German');
  });
});

describe('K4 order of application', () => {
  it('boot includes in order, then MAC-local', async () => {
    const t = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"', 'include:config "b.cfg"'),
      'a.cfg': file(
        'static.auto_provision.custom.protect = 1',
        'static.auto_provision.custom.sync = 1',
        'k = a',
      ),
      'b.cfg': file('k = b'),
      [LOCAL]: file('k = local'),
    });
    const { report } = await round(t, newPhone());
    expect(t.requested.slice(2)).toEqual(['a.cfg', 'b.cfg', LOCAL]);
    expect(report.config.k).toBe('local');
    expect(report.applied).toEqual(['a.cfg', 'b.cfg', LOCAL]);
  });

  it('legacy: common CFG, MAC CFG, then MAC-local', async () => {
    const t = new MemoryTree({
      'y000000000108.cfg': file(
        'static.auto_provision.custom.protect = 1',
        'static.auto_provision.custom.sync = 1',
        'k = common',
      ),
      [`${T46U_MAC}.cfg`]: file('k = mac'),
      [LOCAL]: file('k = local'),
    });
    const { report } = await round(t, newPhone());
    expect(t.requested.slice(2)).toEqual(['y000000000108.cfg', `${T46U_MAC}.cfg`, LOCAL]);
    expect(report.config.k).toBe('mac');
    expect(report.warnings).toEqual([]);
  });
});
