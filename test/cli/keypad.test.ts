// T8 activation codes and T9 PINs from the command line, against a server of our own that asks
// for Digest credentials, as a phone's keypad would use them.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttpServer } from '../../src/server/provisioningServer.js';
import { resolveActivation, resolvePin } from '../../src/phone/activation.js';
import { configView } from '../../src/engine/settings.js';
import { file } from '../support/memoryTree.js';
import { params } from '../support/engine.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/servers.js';

const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];
const SECRET = 'act-Secret-77';

describe('T8 activation codes and T9 PINs (pure)', () => {
  const view = (config: Record<string, string>) => configView(config, params);

  it('finds the slot whose code was dialled, with its URL and credentials', () => {
    const config = {
      'static.autoprovision.3.code': '*123#',
      'static.autoprovision.3.url': 'http://prov.test/a/',
      'static.autoprovision.3.user': 'u',
      'static.autoprovision.3.password': 'p',
    };
    expect(resolveActivation('*123#', config, view(config))).toEqual({
      kind: 'run',
      slot: 3,
      name: 'activation 3',
      url: 'http://prov.test/a/',
      credentials: { user: 'u', password: 'p' },
    });
  });

  it('refuses a code that is too long or has letters, an unknown code, and a phone with a registered account', () => {
    const config = { 'static.autoprovision.1.code': '12', 'static.autoprovision.1.url': 'http://x/' };
    expect(resolveActivation('1'.repeat(33), config, view(config))).toMatchObject({
      kind: 'refused',
      rule: 'T8',
    });
    expect(resolveActivation('12a', config, view(config))).toMatchObject({ kind: 'refused' });
    expect(resolveActivation('99', config, view(config))).toMatchObject({ kind: 'refused' });
    const registered = { ...config, 'account.1.enable': '1', 'account.1.user_name': '101' };
    expect(resolveActivation('12', registered, view(registered))).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('registered') as string,
    });
  });

  it('replaces $pin in static.custom_mac_cfg.url', () => {
    const config = { 'static.custom_mac_cfg.url': 'http://10.2.11.101/$pin.cfg' };
    expect(resolvePin('A31', view(config))).toEqual({ kind: 'run', url: 'http://10.2.11.101/A31.cfg' });
    expect(resolvePin('A31', view({}))).toMatchObject({ kind: 'refused', rule: 'T9' });
  });
});

describe('autop dial and autop pin', () => {
  let server: RunningHttpServer;
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('keypad');
    const served = join(dir, 'served');
    await mkdir(join(served, 'act'), { recursive: true });
    await writeFile(join(served, 'act', 'y000000000000.boot'), file('include:config "act.cfg"'));
    await writeFile(join(served, 'act', 'act.cfg'), file('lang.gui = Italian'));
    await writeFile(join(served, 'A31.cfg'), file('features.dnd.enable = 1'));
    server = await startHttpServer({
      root: served,
      port: 0,
      auth: { user: 'installer', password: SECRET, scheme: 'digest' },
    });
    const tree = join(dir, 'tree');
    await mkdir(tree);
    await writeFile(join(tree, 'y000000000000.boot'), file('include:config "base.cfg"'));
    await writeFile(
      join(tree, 'base.cfg'),
      file(
        'static.autoprovision.1.name = Installer',
        'static.autoprovision.1.code = *77',
        `static.autoprovision.1.url = ${server.url}act/`,
        `static.custom_mac_cfg.url = ${server.url}$pin.cfg`,
        'static.auto_provision.server.username = installer',
        `static.auto_provision.server.password = ${SECRET}`,
      ),
    );
  });
  afterAll(async () => server?.close());

  async function phone(name: string): Promise<string> {
    const state = join(dir, `${name}.json`);
    const { code } = await runCli(['provision', '--tree', join(dir, 'tree'), ...T46U, '--state', state]);
    expect(code).toBe(0);
    return state;
  }

  it('asks for credentials the activation lacks; wrong ones leave the phone as it was; right ones are kept', async () => {
    const state = await phone('dial');
    const before = await readFile(state, 'utf8');
    const asked = await runCli(['dial', '*77', '--state', state]);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toContain('the phone would prompt');
    const wrong = await runCli([
      'dial',
      '*77',
      '--state',
      state,
      '--user',
      'installer',
      '--password',
      'nope',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('wrong credentials');
    expect(await readFile(state, 'utf8')).toBe(before);
    const right = await runCli([
      'dial',
      '*77',
      '--state',
      state,
      '--user',
      'installer',
      '--password',
      SECRET,
      '--json',
    ]);
    expect(right.code).toBe(0);
    expect(right.stdout).not.toContain(SECRET);
    expect(JSON.parse(right.stdout)).toMatchObject({
      mechanism: 'common-boot',
      config: { 'lang.gui': 'Italian' },
    });
    const saved = JSON.parse(await readFile(state, 'utf8')) as { config: Record<string, string> };
    expect(saved.config['static.autoprovision.1.user']).toBe('installer');
    const again = await runCli(['dial', '*77', '--state', state]);
    expect(again.code).toBe(0);
  });

  it('refuses to dial on a phone with a registered account', async () => {
    const state = await phone('registered');
    await runCli(['set', '--state', state, 'account.1.enable=1', 'account.1.user_name=101']);
    const refused = await runCli(['dial', '*77', '--state', state]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no registered account');
  });

  it('downloads <PIN>.cfg for a typed PIN', async () => {
    const state = await phone('pin');
    const typed = await runCli(['pin', 'A31', '--state', state, '--json']);
    expect(typed.code).toBe(0);
    const report = JSON.parse(typed.stdout) as {
      downloads: { name: string }[];
      config: Record<string, string>;
    };
    expect(report.downloads.map((d) => d.name)).toEqual(['A31.cfg']);
    expect(report.config['features.dnd.enable']).toBe('1');
  });
});
