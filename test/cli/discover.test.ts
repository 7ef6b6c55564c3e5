// Issue #6 §6 on loopback: `--one-key` (S1's highest source) without the network, the report's
// first section, masking, the lease-less state, and usage errors. The network sources (PnP, DHCP)
// are tested in namespaces: a DHCP broadcast must not leave the test's own network.
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/provisioningServer.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/servers.js';

const PHONE = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];

describe('autop provision --one-key (S1)', () => {
  let server: RunningHttpServer;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('discover');
    await cp(join(fixturesDir, 'site'), join(dir, 'site'), { recursive: true });
    server = await startHttpServer({ root: join(dir, 'site'), port: 0 });
  });
  afterAll(async () => server?.close());

  it('provisions from the one-key address and says so first', async () => {
    const result = await runCli(['provision', ...PHONE, '--one-key', server.url]);
    expect(result.code).toBe(0);
    const [first, ...rest] = result.stdout.split('\n');
    expect(first).toBe('Where the server address came from (S1)');
    expect(rest.find((l) => l.includes('one-key update'))).toMatch(
      /^\s+won\s+one-key update\s+http:\/\/127\.0\.0\.1/,
    );
    expect(rest.find((l) => l.includes('PnP'))).toMatch(/the network was not asked/);
    expect(result.stdout).toMatch(/provisioned/);
  });

  it('JSON: discovery section, the winner, and the round from that server', async () => {
    const result = await runCli(['provision', ...PHONE, '--one-key', server.url, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      discovery: { winner: { source: string; url: string } };
      server: { url: string; source: string };
      status: string;
    };
    expect(report.discovery.winner).toEqual({ source: 'one-key', url: server.url });
    expect(report.server.source).toBe('one-key update (S1)');
    expect(report.status).toBe('updated');
  });

  it('a password in the one-key URL never appears in the output', async () => {
    const url = server.url.replace('http://', 'http://admin:s3cret-pw@');
    const result = await runCli(['provision', ...PHONE, '--one-key', url, '--json']);
    expect(result.stdout).not.toContain('s3cret-pw');
    const text = await runCli(['provision', ...PHONE, '--one-key', url]);
    expect(text.stdout).not.toContain('s3cret-pw');
    expect(text.stdout).toContain('admin:***@');
  });

  it('the flash address wins when the one-key address is not usable, and the state keeps the source', async () => {
    const state = join(dir, 'phone.json');
    const first = await runCli(['provision', ...PHONE, '--tree', join(dir, 'site'), '--state', state]);
    expect(first.code).toBe(0);
    // A flash address set by hand, as a phone that was provisioned before would have it.
    const saved = JSON.parse(await readFile(state, 'utf8')) as { config: Record<string, string> };
    saved.config['static.auto_provision.server.url'] = server.url;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(state, JSON.stringify(saved));
    const result = await runCli([
      'provision',
      '--state',
      state,
      '--one-key',
      'mailto:nobody@x.test',
      '--json',
    ]);
    const report = JSON.parse(result.stdout) as {
      discovery: { winner: { source: string }; sources: { source: string; heard: { kind: string } }[] };
    };
    expect(report.discovery.sources[0]!.heard.kind).toBe('invalid');
    expect(report.discovery.winner.source).toBe('flash');
    const after = JSON.parse(await readFile(state, 'utf8')) as { network: { serverSource: string } };
    expect(after.network.serverSource).toBe('flash');
  });

  it('autop pnp-server never prints the password of the URL it hands out', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../support/cli.js');
    const child = spawn(process.execPath, [
      CLI,
      'pnp-server',
      '--url',
      'http://alice:S3cretPW@127.0.0.1/$MAC/',
      '--port',
      '0',
      '--address',
      '127.0.0.1',
      '--group',
      '',
    ]);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!output.includes('handing out') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    expect(output).toMatch(/handing out http:\/\/\*\*\*@127\.0\.0\.1\/\$MAC\//);
    expect(output).not.toContain('S3cretPW');
  });

  it('--discover with --server is a usage error (exit 2)', async () => {
    const result = await runCli(['provision', ...PHONE, '--discover', '--server', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/leave out --server and --tree/);
  });

  it('a bad --dhcp-timeout is a usage error', async () => {
    const result = await runCli(['provision', ...PHONE, '--one-key', server.url, '--dhcp-timeout', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--dhcp-timeout soon/);
  });
});
