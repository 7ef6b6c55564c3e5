import { describe, expect, it } from 'vitest';
import { MemoryTree, file } from '../support/memoryTree.js';
import { newPhone, round } from '../support/engine.js';

const boot = (mode?: 0 | 1) =>
  file(...(mode === undefined ? [] : [`overwrite_mode = ${mode}`]), 'include:config "a.cfg"');

async function twoRounds(mode: 0 | 1 | undefined, first: string[], second: string[]) {
  const tree = new MemoryTree({ 'y000000000000.boot': boot(mode), 'a.cfg': file(...first) });
  const one = await round(tree, newPhone());
  tree.set({ 'a.cfg': file(...second) });
  return { one, two: await round(tree, one.state) };
}

describe('B6 overwrite mode', () => {
  it('mode 1 (default when absent): a blank value resets the parameter to its factory default', async () => {
    const { two } = await twoRounds(
      undefined,
      ['features.dnd.enable = 1', 'static.syslog.server = 192.0.2.5'],
      ['features.dnd.enable =', 'static.syslog.server ='],
    );
    expect(two.report.config['features.dnd.enable']).toBeUndefined();
    expect(two.report.config['static.syslog.server']).toBeUndefined();
    expect(two.report.changes).toContainEqual(
      expect.objectContaining({ key: 'features.dnd.enable', before: '1', how: 'reset-blank' }),
    );
  });

  it('mode 1: a deleted non-static parameter resets, a deleted static one keeps its value', async () => {
    const { two } = await twoRounds(
      1,
      ['features.dnd.enable = 1', 'static.syslog.server = 192.0.2.5', 'lang.gui = French'],
      ['lang.gui = French'],
    );
    expect(two.report.config['features.dnd.enable']).toBeUndefined();
    expect(two.report.config['static.syslog.server']).toBe('192.0.2.5');
    expect(two.report.changes).toEqual([
      expect.objectContaining({ key: 'features.dnd.enable', how: 'reset-deleted' }),
    ]);
  });

  it('mode 1: a parameter the server never set (a UI change) is left alone', async () => {
    const tree = new MemoryTree({ 'y000000000000.boot': boot(1), 'a.cfg': file('lang.gui = French') });
    const first = await round(tree, newPhone());
    const state = { ...first.state, config: { ...first.state.config, 'features.dnd.enable': '1' } };
    tree.set({ 'a.cfg': file('lang.gui = German') });
    const second = await round(tree, state);
    expect(second.report.config['features.dnd.enable']).toBe('1');
  });

  it('mode 0: blank, deleted and commented-out parameters keep their values', async () => {
    const { two } = await twoRounds(
      0,
      ['features.dnd.enable = 1', 'lang.gui = French', 'a.b = 1'],
      ['features.dnd.enable =', '# lang.gui = French', 'c.d = 2'],
    );
    expect(two.report.config).toMatchObject({
      'features.dnd.enable': '1',
      'lang.gui': 'French',
      'a.b': '1',
      'c.d': '2',
    });
  });
});

describe('C2a %NULL% and blank values', () => {
  it('%NULL% sets the empty string, a value and not a reset', async () => {
    const { two } = await twoRounds(
      1,
      ['account.1.label = Desk', 'custom.note = x'],
      ['account.1.label = %NULL%', 'custom.note = %NULL%'],
    );
    expect(two.state.config['account.1.label']).toBe('');
    expect(two.report.config['custom.note']).toBe('');
    expect(two.report.changes).toContainEqual(
      expect.objectContaining({ key: 'custom.note', before: 'x', after: '', how: 'set' }),
    );
  });

  it('a blank value after a value in the same round resets under mode 1', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"', 'include:config "b.cfg"'),
      'a.cfg': file('x.y = 1'),
      'b.cfg': file('x.y ='),
    });
    const { report } = await round(tree, newPhone());
    expect(report.config['x.y']).toBeUndefined();
  });

  it('a blank value after a value in the same round changes nothing under mode 0', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('overwrite_mode = 0', 'include:config "a.cfg"', 'include:config "b.cfg"'),
      'a.cfg': file('x.y = 1'),
      'b.cfg': file('x.y ='),
    });
    const { report } = await round(tree, newPhone());
    expect(report.config['x.y']).toBe('1');
  });
});

describe('configuration reported against factory defaults', () => {
  it('leaves out parameters set to their catalogued factory default', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot(),
      'a.cfg': file('static.auto_provision.repeat.minutes = 1440', 'static.auto_provision.repeat.enable = 1'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.config).toEqual({ 'static.auto_provision.repeat.enable': '1' });
  });
});
