import { describe, expect, it } from 'vitest';
import { MemoryTree, file } from '../support/memoryTree.js';
import { newPhone, round, T23G_MAC } from '../support/engine.js';

const siteBoot = (...extra: string[]) =>
  file(
    ...extra,
    'include:config "site.cfg"',
    '[T46U]include:config "y000000000108.cfg"',
    '[T46S, T23G] include:config "y000000000044.cfg"',
  );

const site = (boot: string) =>
  new MemoryTree({
    'y000000000000.boot': boot,
    'site.cfg': file('lang.gui = English'),
    'y000000000108.cfg': file('phone_setting.backlight_time = 60'),
    'y000000000044.cfg': file('phone_setting.backlight_time = 30'),
  });

describe('B5 [$MODEL] includes', () => {
  it('downloads the includes for the phone model and the unmarked ones, skipping the others', async () => {
    const tree = site(siteBoot());
    const { report } = await round(tree, newPhone('T46U'));
    expect(report.applied).toEqual(['site.cfg', 'y000000000108.cfg']);
    expect(report.skipped).toEqual([
      {
        file: 'y000000000000.boot',
        line: 4,
        target: 'y000000000044.cfg',
        models: ['T46S', 'T23G'],
        reason: 'other-model',
      },
    ]);
    const t23 = await round(site(siteBoot()), newPhone('T23G', T23G_MAC));
    expect(t23.report.applied).toEqual(['site.cfg', 'y000000000044.cfg']);
  });

  it('ignores [$MODEL] lines, with a warning, on a model that does not support them (W52P)', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('[T46U]include:config "x.cfg"', 'include:config "all.cfg"'),
      'all.cfg': file('a = 1'),
    });
    const { report } = await round(tree, newPhone('W52P'));
    expect(report.applied).toEqual(['all.cfg']);
    expect(report.skipped.map((s) => s.reason)).toEqual(['model-filter-unsupported']);
    expect(report.warnings).toContainEqual(expect.objectContaining({ rule: 'B5', line: 2 }));
  });
});

describe('B7 excluded mode', () => {
  it('mode 0 (the default) downloads own-model and unmarked includes in listed order', async () => {
    const tree = site(siteBoot('specific_model.excluded_mode = 0'));
    const { report } = await round(tree, newPhone('T46U'));
    expect(report.applied).toEqual(['site.cfg', 'y000000000108.cfg']);
  });

  it('mode 1 downloads only the model includes when one of them is found', async () => {
    const tree = site(siteBoot('specific_model.excluded_mode = 1'));
    const { report } = await round(tree, newPhone('T46U'));
    expect(report.applied).toEqual(['y000000000108.cfg']);
    expect(report.skipped).toContainEqual(
      expect.objectContaining({ target: 'site.cfg', reason: 'excluded-mode' }),
    );
  });

  it('mode 1 falls back to the unmarked includes when the model file is missing', async () => {
    const tree = site(siteBoot('specific_model.excluded_mode = 1')).delete('y000000000108.cfg');
    const { report } = await round(tree, newPhone('T46U'));
    expect(tree.requested.slice(2)).toEqual(['y000000000108.cfg', 'site.cfg']);
    expect(report.applied).toEqual(['site.cfg']);
  });

  it('mode 1 falls back when the boot file lists nothing for the model (Decision)', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file(
        'specific_model.excluded_mode = 1',
        '[T23G]include:config "t23.cfg"',
        'include:config "all.cfg"',
      ),
      'all.cfg': file('a = 1'),
    });
    const { report } = await round(tree, newPhone('T46U'));
    expect(report.applied).toEqual(['all.cfg']);
  });

  it('is ignored (mode 0), with a warning, on models without excluded mode (CP920)', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file(
        'specific_model.excluded_mode = 1',
        '[CP920]include:config "cp.cfg"',
        'include:config "all.cfg"',
      ),
      'cp.cfg': file('b = 1'),
      'all.cfg': file('a = 1'),
    });
    const { report } = await round(tree, newPhone('CP920'));
    expect(report.applied).toEqual(['cp.cfg', 'all.cfg']);
    expect(report.warnings).toContainEqual(expect.objectContaining({ rule: 'B7', line: 2 }));
  });

  it('is ignored on firmware older than the gate', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file(
        'specific_model.excluded_mode = 1',
        '[T23G]include:config "t.cfg"',
        'include:config "all.cfg"',
      ),
      't.cfg': file('b = 1'),
      'all.cfg': file('a = 1'),
    });
    const { report } = await round(tree, newPhone('T23G', T23G_MAC, '44.81.0.10'));
    expect(report.warnings).toContainEqual(expect.objectContaining({ rule: 'B7' }));
    expect(report.skipped.map((s) => s.reason)).toEqual(['model-filter-unsupported']);
    expect(report.applied).toEqual(['all.cfg']);
  });
});

describe('C3 [$MODEL] parameter lines', () => {
  it('applies the phone model lines and the unmarked lines in file order', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file(
        'features.dnd_mode = 9',
        '[T46S] features.dnd_mode = 1',
        '[T48G, T23G] features.dnd_mode = 0',
        'other = x',
      ),
    });
    const t23 = await round(tree, newPhone('T23G', T23G_MAC));
    expect(t23.state.config).toMatchObject({ 'features.dnd_mode': '0', other: 'x' });
    expect(t23.report.provenance['features.dnd_mode']?.origin).toEqual({
      kind: 'file',
      file: 'a.cfg',
      line: 4,
    });
    const t46u = await round(tree, newPhone('T46U'));
    expect(t46u.state.config['features.dnd_mode']).toBe('9');
  });

  it('ignores prefixed lines on firmware without model filters, saying how many', async () => {
    const tree = new MemoryTree({ 'y000000000044.cfg': file('[T23G] a = 1', 'b = 2') });
    const { report } = await round(tree, newPhone('T23G', T23G_MAC, '44.81.0.10'));
    expect(report.config).toMatchObject({ b: '2' });
    expect(report.config.a).toBeUndefined();
    expect(report.warnings).toContainEqual(
      expect.objectContaining({ rule: 'C3', file: 'y000000000044.cfg' }),
    );
  });
});
