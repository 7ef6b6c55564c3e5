import { describe, expect, it } from 'vitest';
import { MemoryTree, file } from '../support/memoryTree.js';
import { newPhone, round, T23G_MAC, T46U_MAC } from '../support/engine.js';

describe('B1 boot file lookup', () => {
  it('asks for <mac>.boot first and uses only it when both boot files exist', async () => {
    const tree = new MemoryTree({
      [`${T46U_MAC}.boot`]: file('include:config "mine.cfg"'),
      'y000000000000.boot': file('include:config "common.cfg"'),
      'mine.cfg': file('features.dnd.enable = 1'),
      'common.cfg': file('features.dnd.enable = 0'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.mechanism).toBe('mac-boot');
    expect(tree.requested).toEqual([`${T46U_MAC}.boot`, 'mine.cfg']);
    expect(report.applied).toEqual(['mine.cfg']);
    expect(report.config['features.dnd.enable']).toBe('1');
  });

  it('falls back to y000000000000.boot when the MAC boot file is not found', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "common.cfg"'),
      'common.cfg': file('a.b = 1'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.mechanism).toBe('common-boot');
    expect(tree.requested).toEqual([`${T46U_MAC}.boot`, 'y000000000000.boot', 'common.cfg']);
    expect(report.downloads.map((d) => [d.name, d.outcome])).toEqual([
      [`${T46U_MAC}.boot`, 'not-found'],
      ['y000000000000.boot', 'ok'],
      ['common.cfg', 'ok'],
    ]);
  });

  it('falls back to the legacy mechanism when neither boot file is found', async () => {
    const tree = new MemoryTree({
      'y000000000108.cfg': file('a.b = 1'),
      [`${T46U_MAC}.cfg`]: file('a.b = 2'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.mechanism).toBe('legacy');
    expect(tree.requested).toEqual([
      `${T46U_MAC}.boot`,
      'y000000000000.boot',
      'y000000000108.cfg',
      `${T46U_MAC}.cfg`,
    ]);
  });

  it('reports mechanism none and nothing-found when the server has nothing for the phone', async () => {
    const { report } = await round(new MemoryTree(), newPhone());
    expect(report.mechanism).toBe('none');
    expect(report.status).toBe('nothing-found');
    expect(report.updated).toBe(false);
  });

  it('stops, keeping the state, when a boot request fails rather than is missing', async () => {
    const tree = new MemoryTree({
      [`${T46U_MAC}.boot`]: 'fail',
      'y000000000000.boot': file('include:config "a.cfg"'),
    });
    const phone = newPhone();
    const { report, state } = await round(tree, phone);
    expect(report.status).toBe('failed');
    expect(tree.requested).toEqual([`${T46U_MAC}.boot`]);
    expect(state).toBe(phone);
    expect(report.errors).toMatchObject([{ rule: 'D' }]);
  });
});

describe('L1 legacy mechanism', () => {
  it('applies the common CFG then the MAC CFG, the MAC file winning', async () => {
    const tree = new MemoryTree({
      'y000000000044.cfg': file('lang.gui = English', 'features.dnd.enable = 0'),
      [`${T23G_MAC}.cfg`]: file('features.dnd.enable = 1'),
    });
    const { report } = await round(tree, newPhone('T23G', T23G_MAC));
    expect(report.applied).toEqual(['y000000000044.cfg', `${T23G_MAC}.cfg`]);
    expect(report.config['features.dnd.enable']).toBe('1');
    expect(report.provenance['features.dnd.enable']?.origin).toEqual({
      kind: 'file',
      file: `${T23G_MAC}.cfg`,
      line: 2,
    });
  });

  it('keeps deleted and blank parameters (no overwrite mode)', async () => {
    const tree = new MemoryTree({ 'y000000000108.cfg': file('a.b = 1', 'c.d = 2') });
    const first = await round(tree, newPhone());
    tree.set({ 'y000000000108.cfg': file('a.b =') });
    const second = await round(tree, first.state);
    expect(second.report.config).toMatchObject({ 'a.b': '1', 'c.d': '2' });
  });

  it('is used directly by firmware older than the model supports boot files for', async () => {
    const tree = new MemoryTree({
      'y000000000044.cfg': file('a.b = 1'),
      'y000000000000.boot': file('include:config "x.cfg"'),
    });
    const { report } = await round(tree, newPhone('T23G', T23G_MAC, '44.80.0.60'));
    expect(report.mechanism).toBe('legacy');
    expect(tree.requested).toEqual(['y000000000044.cfg', `${T23G_MAC}.cfg`]);
    expect(report.warnings).toMatchObject([{ rule: 'B1' }]);
  });
});

describe('B3 include URLs', () => {
  it('resolves relative targets against the boot file, with spaces, sub-folders and ../', async () => {
    const tree = new MemoryTree({
      'sub/y000000000000.boot': file(
        'include:config "HTTP Directory/sip.cfg"',
        'include:config <../top.cfg>',
        'include:config "http://other.test/abs.cfg"',
      ),
      'sub/HTTP Directory/sip.cfg': file('a = 1'),
      'top.cfg': file('b = 2'),
      'http://other.test/abs.cfg': file('c = 3'),
    });
    const { report } = await round(tree, newPhone(), 'http://prov.test/sub/');
    expect(tree.requested).toEqual([
      'sub/00156574b150.boot',
      'sub/y000000000000.boot',
      'sub/HTTP Directory/sip.cfg',
      'top.cfg',
      'http://other.test/abs.cfg',
    ]);
    expect(report.config).toMatchObject({ a: '1', b: '2', c: '3' });
  });

  it('reports a missing include with the boot file and line, and goes on', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "gone.cfg"', 'include:config "here.cfg"'),
      'here.cfg': file('a = 1'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.status).toBe('updated');
    expect(report.warnings).toContainEqual(
      expect.objectContaining({ rule: 'D', file: 'y000000000000.boot', line: 2 }),
    );
    expect(report.applied).toEqual(['here.cfg']);
  });

  it('aborts the round and keeps the phone as it was when an include fails to transfer', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"', 'include:config "b.cfg"'),
      'a.cfg': file('x = 1'),
      'b.cfg': 'fail',
    });
    const phone = newPhone();
    const { report, state } = await round(tree, phone);
    expect(report.status).toBe('failed');
    expect(state).toBe(phone);
    expect(report.errors).toContainEqual(
      expect.objectContaining({ rule: 'D', file: 'y000000000000.boot', line: 3 }),
    );
  });
});

describe('B4 include order', () => {
  it('downloads top to bottom, a later file overriding an earlier one, and records what was overridden', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "one.cfg"', 'include:config "two.cfg"'),
      'one.cfg': file('features.dnd.enable = 1', 'lang.gui = French'),
      'two.cfg': file('features.dnd.enable = 0'),
    });
    const { report } = await round(tree, newPhone());
    expect(tree.requested.slice(2)).toEqual(['one.cfg', 'two.cfg']);
    expect(report.config['lang.gui']).toBe('French');
    expect(report.provenance['features.dnd.enable']).toEqual({
      origin: { kind: 'file', file: 'two.cfg', line: 2 },
      overrode: [{ file: 'one.cfg', line: 2, value: '1' }],
    });
  });

  it('lets the last occurrence in one file win (C2)', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('x.y = 1', 'x.y = 2'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.config['x.y']).toBe('2');
  });
});

describe('S4 wildcards and S6 directory or file', () => {
  it('expands $PN and $MAC in the server URL', async () => {
    const tree = new MemoryTree({
      [`T46U/${T46U_MAC}.boot`]: file('include:config "a.cfg"'),
      'T46U/a.cfg': file('x = 1'),
    });
    const { report } = await round(tree, newPhone(), 'http://prov.test/$PN/$MAC.boot');
    expect(tree.requested).toEqual([`T46U/${T46U_MAC}.boot`, 'T46U/a.cfg']);
    expect(report.mechanism).toBe('mac-boot');
  });

  it('uses url_wildcard.pn from the configuration for $PN', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('static.auto_provision.url_wildcard.pn = office-phones'),
    });
    const first = await round(tree, newPhone());
    const again = new MemoryTree({
      'office-phones/y000000000000.boot': file('include:config "a.cfg"'),
      'office-phones/a.cfg': file('x = 1'),
    });
    const { report } = await round(again, first.state, 'http://prov.test/$PN');
    expect(again.requested[0]).toBe(`office-phones/${T46U_MAC}.boot`);
    expect(report.status).toBe('updated');
  });

  it('treats a URL without a trailing slash as a directory', async () => {
    const tree = new MemoryTree({
      'dir/y000000000000.boot': file('include:config "a.cfg"'),
      'dir/a.cfg': file('x = 1'),
    });
    await round(tree, newPhone(), 'http://prov.test/dir');
    expect(tree.requested.slice(0, 2)).toEqual([`dir/${T46U_MAC}.boot`, 'dir/y000000000000.boot']);
  });

  it('fetches only the named file when the URL names a boot file', async () => {
    const tree = new MemoryTree({
      'special.boot': file('include:config "a.cfg"'),
      'a.cfg': file('x = 1'),
      [`${T46U_MAC}.boot`]: file(),
    });
    const { report } = await round(tree, newPhone(), 'http://prov.test/special.boot');
    expect(tree.requested).toEqual(['special.boot', 'a.cfg']);
    expect(report.mechanism).toBe('common-boot');
  });

  it('reads a bare host as TFTP (S5)', async () => {
    const tree = new MemoryTree();
    await round(tree, newPhone(), '192.0.2.10');
    expect(tree.requests[0]?.url.href).toBe(`tftp://192.0.2.10/${T46U_MAC}.boot`);
  });

  it('uses the address stored in flash when none is given (S1)', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('static.auto_provision.server.url = http://prov.test/next/'),
    });
    const first = await round(tree, newPhone());
    const { engine, models } = await import('../support/engine.js');
    const next = new MemoryTree();
    const { report } = await engine.runRound({
      model: models.find('T46U')!,
      state: first.state,
      fetcher: next,
      now: new Date(0),
    });
    expect(next.requested[0]).toBe(`next/${T46U_MAC}.boot`);
    expect(report.server?.source).toMatch(/flash/);
  });

  it('says so when there is no server address at all', async () => {
    const { engine, models } = await import('../support/engine.js');
    const { report } = await engine.runRound({
      model: models.find('T46U')!,
      state: newPhone(),
      fetcher: new MemoryTree(),
      now: new Date(0),
    });
    expect(report.status).toBe('no-server');
    expect(report.errors).toMatchObject([{ rule: 'S1' }]);
  });
});

describe('S7 User-Agent', () => {
  it('sends "Yealink SIP-<model> <firmware> <mac with colons>"', async () => {
    const tree = new MemoryTree();
    await round(tree, newPhone('T46U', T46U_MAC, '108.86.0.90'));
    expect(tree.requests[0]?.userAgent).toBe('Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50');
  });

  it('sends the MAC bare from T5x models and omits SIP- for DECT and CP models', async () => {
    const t54 = new MemoryTree();
    await round(t54, newPhone('T54W'));
    expect(t54.requests[0]?.userAgent).toMatch(/^Yealink SIP-T54W \S+ 00156574b150$/);
    const w52 = new MemoryTree();
    await round(w52, newPhone('W52P'));
    expect(w52.requests[0]?.userAgent).toMatch(/^Yealink W52P \S+ 00:15:65:74:b1:50$/);
  });

  it('drops the MAC with static.auto_provision.user_agent_mac.enable = 0', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('static.auto_provision.user_agent_mac.enable = 0'),
    });
    const first = await round(tree, newPhone());
    const next = new MemoryTree();
    await round(next, first.state);
    expect(next.requests[0]?.userAgent).toBe('Yealink SIP-T46U 108.86.0.90');
  });

  it('sends credentials from the configuration (S5)', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file(
        'static.auto_provision.server.username = prov',
        'static.auto_provision.server.password = pw1',
      ),
    });
    const first = await round(tree, newPhone());
    const next = new MemoryTree();
    await round(next, first.state);
    expect(next.requests[0]?.credentials).toEqual({ user: 'prov', password: 'pw1' });
    const inUrl = new MemoryTree();
    await round(inUrl, first.state, 'http://u2:p2@prov.test/');
    expect(inUrl.requests[0]?.credentials).toEqual({ user: 'u2', password: 'p2' });
  });
});

describe('the saved state keeps no password', () => {
  it('keys M1 MD5s by URL without user info, so a changed password is not a changed file', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('x = 1'),
    });
    const first = await round(tree, newPhone(), 'http://u:first-Secret@prov.test/');
    expect(JSON.stringify(first.state)).not.toContain('first-Secret');
    const second = await round(tree, first.state, 'http://u:second-Secret@prov.test/');
    expect(second.report.status).toBe('unchanged');
  });
});
