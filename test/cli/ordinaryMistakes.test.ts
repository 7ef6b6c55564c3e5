// Issue #13.5: an ordinary mistake on the command line is a clear message and exit 2, checked before
// any work starts; exit 70 ("internal error", with a stack) means a bug and nothing else. Each case
// runs the built `autop` as a user would.
import { mkdir, writeFile } from 'node:fs/promises';
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factoryState } from '../../src/phone/state.js';
import { macOrThrow } from '../../src/core/mac.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/provisioningServer.js';
import { runCli, type CliResult } from '../support/cli.js';
import { tempDir } from '../support/servers.js';

const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];
const SECRET = 'pw-Ordinary-13';

/** A usage error: exit 2, the message on stderr, no stack, nothing done. */
function expectUsage(result: CliResult, message: RegExp): void {
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(result.code).toBe(2);
}

/** Not a bug: a status the command documents, no stack. */
function expectNoCrash(result: CliResult): void {
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  expect([0, 1]).toContain(result.code);
}

describe('#13.5 ordinary mistakes', () => {
  let dir: string;
  let tree: string;
  let percentTree: string;
  let state: string;
  let http: RunningHttpServer;

  beforeAll(async () => {
    dir = await tempDir('mistakes');
    tree = join(dir, 'tree');
    await mkdir(tree);
    await writeFile(join(tree, 'y000000000000.boot'), '#!version:1.0.0.1\ninclude:config <site.cfg>\n');
    await writeFile(join(tree, 'site.cfg'), '#!version:1.0.0.1\naccount.1.label = one\n');
    // An include whose name holds a % that is no percent-escape (and one that is).
    percentTree = join(dir, 'percent');
    await mkdir(percentTree);
    await writeFile(
      join(percentTree, 'y000000000000.boot'),
      '#!version:1.0.0.1\ninclude:config <50%25.cfg>\ninclude:config <100%.cfg>\n',
    );
    await writeFile(join(percentTree, '50%.cfg'), '#!version:1.0.0.1\naccount.1.label = half\n');
    await writeFile(join(percentTree, '100%.cfg'), '#!version:1.0.0.1\naccount.1.label = full\n');
    // A provisioned phone that tries a failed transfer once (the include with % fails at once).
    state = join(dir, 'phone.json');
    const phone = factoryState(macOrThrow('00:15:65:74:b1:50'), 'T46U', '108.86.0.90');
    await writeFile(
      state,
      JSON.stringify({
        ...phone,
        config: {
          'static.auto_provision.attempt_before_failed': '1',
          'static.autoprovision.1.code': '123',
          'static.autoprovision.1.url': `file://${tree}/`,
          'static.custom_mac_cfg.url': `file://${tree}/$pin.cfg`,
          'static.auto_provision.custom.sync': '1',
          'static.auto_provision.custom.protect': '1',
        },
        server: 'file://otherhost/x/',
      }),
    );
    http = await startHttpServer({ root: tree, port: 0 });
  });
  afterAll(async () => {
    await http?.close();
  });

  it("--server 'http://%zz:pw@host/': the round runs (the user info is taken as written), no password shown", async () => {
    const url = http.url.replace('http://', `http://%zz:${SECRET}@`);
    const result = await runCli(['provision', '--server', url, ...T46U]);
    expectNoCrash(result);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout).toContain('%zz:***@');
  });

  it('--server file://otherhost/x/: exit 2, a file: URL names a folder of this machine', async () => {
    for (const command of [
      ['provision', ...T46U],
      ['run', ...T46U, '--virtual', '--for', '1h'],
    ]) {
      expectUsage(
        await runCli([...command, '--server', 'file://otherhost/x/']),
        /--server file:\/\/otherhost\/x\/: .*localhost.*a file: URL names a folder on this machine/,
      );
    }
  });

  it('--server file:///tmp/%2f/: exit 2, an encoded slash names no folder', async () => {
    expectUsage(
      await runCli(['provision', '--server', 'file:///tmp/%2f/', ...T46U]),
      /--server file:\/\/\/tmp\/%2f\/: .*encoded \/ characters/,
    );
  });

  it('--server that is no URL, or of a scheme the phone does not speak: exit 2', async () => {
    expectUsage(await runCli(['provision', '--server', 'http://[', ...T46U]), /--server: .* is not a URL/);
    expectUsage(
      await runCli(['provision', '--server', 'gopher://h/', ...T46U]),
      /--server: gopher:\/\/ is not a provisioning protocol/,
    );
  });

  it('--ca of a missing file, a folder or no PEM: exit 2 in every command that goes on the wire', async () => {
    const missing = join(dir, 'missing.pem');
    const notPem = join(tree, 'site.cfg');
    const provision = ['provision', '--tree', tree, ...T46U];
    expectUsage(await runCli([...provision, '--ca', dir]), /--ca .* is a folder; give a file/);
    expectUsage(await runCli([...provision, '--ca', notPem]), /--ca .*site\.cfg: no PEM certificate in it/);
    for (const command of [
      provision,
      ['run', '--tree', tree, ...T46U, '--virtual', '--for', '1h'],
      ['dial', '123', '--state', state],
      ['pin', '7', '--state', state],
      ['set', '--state', state, 'account.1.label=x'],
    ]) {
      expectUsage(
        await runCli([...command, '--ca', missing]),
        /--ca .*missing\.pem: cannot read it \(ENOENT\)/,
      );
    }
  });

  it('--state in a missing folder: exit 2 before the round, whose report would be lost', async () => {
    const lost = join(dir, 'no-such-folder', 'phone.json');
    for (const command of [
      ['provision', '--tree', tree, ...T46U],
      ['run', '--tree', tree, ...T46U, '--virtual', '--for', '1h'],
    ]) {
      const result = await runCli([...command, '--state', lost]);
      expectUsage(result, /--state .*phone\.json: the folder .*no-such-folder does not exist/);
      expect(result.stdout).toBe('');
    }
    expectUsage(
      await runCli(['provision', '--tree', tree, ...T46U, '--state', dir]),
      /--state .* is a folder/,
    );
  });

  it('an include name with %: provision, check, explain and diff run to the end, no crash', async () => {
    const provision = await runCli(['provision', '--tree', percentTree, '--state', state, '--json']);
    expectNoCrash(provision);
    const report = JSON.parse(provision.stdout) as { downloads: { file: string; outcome: string }[] };
    // 50%25.cfg is the file 50%.cfg; 100%.cfg is no URL a server can answer (HTTP 400): a failure.
    expect(report.downloads.find((d) => d.file === '50%.cfg')?.outcome).toBe('ok');
    expect(report.downloads.find((d) => d.file.startsWith('100%'))?.outcome).toBe('failed');
    expectNoCrash(await runCli(['check', percentTree, '--model', 'T46U']));
    expectNoCrash(await runCli(['explain', percentTree, ...T46U]));
    expectNoCrash(await runCli(['diff', tree, percentTree, '--model', 'T46U']));
  });

  it('a saved server address that names no folder of this machine: set does not upload, and says why', async () => {
    const result = await runCli(['set', '--state', state, 'account.1.label=from the screen']);
    expectNoCrash(result);
    expect(result.stdout).toMatch(/MAC-local not uploaded \(K2\): file:\/\/otherhost\/x\/: /);
  });

  it('wire flags checked before any work: --password-file, --user alone, --timeout, --max-size', async () => {
    const base = ['provision', '--tree', tree, ...T46U];
    expectUsage(
      await runCli([...base, '--user', 'u', '--password-file', join(dir, 'nope')]),
      /--password-file .*nope: cannot read it \(ENOENT\)/,
    );
    expectUsage(
      await runCli([...base, '--user', 'u']),
      /give --user and --password \(or --password-file\) together/,
    );
    expectUsage(await runCli([...base, '--timeout', '0']), /--timeout 0 is not a number of milliseconds/);
    expectUsage(await runCli([...base, '--max-size', 'rom=1']), /--max-size rom=1: write KIND=SIZE pairs/);
    expectUsage(
      await runCli(['notify', '127.0.0.1:5060', '--timeout', '40000']),
      /--timeout 40000 is not a number of milliseconds or a duration from 1 ms to 32000 ms/,
    );
  });

  it('demo --tree of a missing folder or a file: exit 2, no server started', async () => {
    expectUsage(await runCli(['demo', '--tree', join(dir, 'nope')]), /--tree .*nope is not a folder/);
    expectUsage(
      await runCli(['demo', '--tree', join(tree, 'site.cfg')]),
      /--tree .*site\.cfg is not a folder/,
    );
  });

  it('encrypt --out naming a file: exit 2, nothing written', async () => {
    const plain = join(dir, 'plain.cfg');
    await writeFile(plain, '#!version:1.0.0.1\naccount.1.label = x\n');
    expectUsage(
      await runCli(['encrypt', plain, '--out', join(tree, 'site.cfg'), '--show-key']),
      /--out .*site\.cfg is a file; give a folder/,
    );
  });

  describe('a port in use', () => {
    let taken: Socket;
    let port: number;
    beforeAll(async () => {
      taken = createSocket('udp4');
      await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
      port = taken.address().port;
    });
    afterAll(() => taken.close());

    it('run --sip-port and pnp-server --port: exit 2, naming the port', async () => {
      expectUsage(
        await runCli(['run', '--tree', tree, ...T46U, '--for', '1s', '--sip-port', String(port)]),
        new RegExp(`--sip-port ${port}: .*EADDRINUSE.*choose another port`),
      );
      expectUsage(
        await runCli([
          'pnp-server',
          '--url',
          http.url,
          '--address',
          '127.0.0.1',
          '--port',
          String(port),
          '--group',
          '',
        ]),
        /EADDRINUSE.*choose another --port/,
      );
    });

    it('pnp-server --group that is no multicast address: exit 2 before a socket opens', async () => {
      expectUsage(
        await runCli([
          'pnp-server',
          '--url',
          http.url,
          '--address',
          '127.0.0.1',
          '--port',
          '0',
          '--group',
          '10.0.0.1',
        ]),
        /--group 10\.0\.0\.1 is not an IPv4 multicast address/,
      );
    });
  });
});
