// Issue #17, the API as a consumer sees it: only the package's public entry, imported by its name
// (`autop-emulator`, resolved through package.json `exports` to the built dist/src/index.js), every
// function exercised; and its types, `tsc --noEmit` over test/consumer/ against the built
// declarations. A change here is a change of the semver-stable API.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as autop from 'autop-emulator';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';

const exec = promisify(execFile);
const site = join(fixturesDir, 'site');
const reception = { mac: '00:15:65:74:b1:50', model: 'T46U', firmware: '108.86.0.90' };

interface Manifest {
  main: string;
  types: string;
  exports: Record<string, string | { types: string; import: string }>;
  files: string[];
}
const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as Manifest;

describe('issue #17: the package entry, by its name', () => {
  it('resolves to the built dist/src/index.js, with its declarations beside it', () => {
    expect(import.meta.resolve('autop-emulator')).toBe(
      pathToFileURL(join(packageRoot, 'dist', 'src', 'index.js')).href,
    );
    expect(manifest.exports['.']).toEqual({
      types: './dist/src/index.d.ts',
      import: './dist/src/index.js',
    });
    expect([manifest.main, manifest.types]).toEqual(['./dist/src/index.js', './dist/src/index.d.ts']);
    expect(existsSync(join(packageRoot, 'dist', 'src', 'index.d.ts'))).toBe(true);
  });

  it('exports the schemas and its package.json by name too', async () => {
    const schema = fileURLToPath(import.meta.resolve('autop-emulator/schemas/fleet-report.schema.json'));
    const { title } = JSON.parse(await readFile(schema, 'utf8')) as { title: string };
    expect(title).toMatch(/autop fleet --json/);
    expect(fileURLToPath(import.meta.resolve('autop-emulator/package.json'))).toBe(
      join(packageRoot, 'package.json'),
    );
  });

  it('exports exactly the documented functions and error class', () => {
    expect(Object.keys(autop).sort()).toEqual([
      'AutopError',
      'check',
      'decrypt',
      'diff',
      'encrypt',
      'explain',
      'provision',
      'simulate',
    ]);
  });
});

describe('issue #17: every function, as a consumer calls it', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'autop-entry-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('provision: one round, then the next from its state', async () => {
    const first = await autop.provision({ tree: site, ...reception });
    expect(first.config['account.1.user_name']).toBe('101');
    expect(first.config['account.1.password']).toBe('********');
    expect(first.reboot).toBe(true);
    expect(first.rebootReasons.map((r) => r.param)).toContain('static.network.vlan.internet_port_vid');
    const second = await autop.provision({ tree: site, state: first.state });
    expect(second).toMatchObject({ status: 'unchanged', updated: false, reboot: false });
  });

  it('check: the site has no errors; a broken tree has its finding with file and line', async () => {
    const good = await autop.check({ tree: site, inventory: join(site, 'inventory.csv') });
    expect(good.summary).toMatchObject({ phones: 6, errors: 0 });
    const broken = await autop.check({ tree: join(fixturesDir, 'broken', 'out-of-range') });
    expect(broken.findings).toContainEqual(
      expect.objectContaining({
        id: 'catalogue/out-of-range',
        severity: 'error',
        file: 'common.cfg',
        line: 4,
      }),
    );
  });

  it('diff: the common-only site against the full one changes every phone', async () => {
    const impact = await autop.diff({
      before: join(fixturesDir, 'site-common-only'),
      after: site,
      inventory: join(site, 'inventory.csv'),
    });
    expect(impact).toMatchObject({ phones: 6, changed: 6 });
    expect(impact.perPhone?.find((p) => p.mac === '00:15:65:74:b1:50')?.changes).toContainEqual(
      expect.objectContaining({ key: 'account.1.user_name', after: '101' }),
    );
  });

  it('explain: the reception phone line key 2 comes from its own file', async () => {
    const explained = await autop.explain({ tree: site, ...reception, params: ['linekey.2.line'] });
    const winner = explained.parameters[0]?.entries.find((e) => e.verdict === 'won');
    expect(winner?.file).toBe('phones/00156574b150.cfg');
  });

  it('encrypt and decrypt: a round trip, and the _Security.enc that carries the key', () => {
    const plain = '#!version:1.0.0.1\naccount.1.password = secret\n';
    const sealed = autop.encrypt(plain, { security: true });
    expect(sealed.key).toHaveLength(16);
    expect(Buffer.from(sealed.bytes).toString('latin1')).not.toContain('secret');
    expect(autop.decrypt(sealed.bytes, { key: sealed.key })).toBe(plain);
    expect(autop.decrypt(sealed.bytes, { security: sealed.security! })).toBe(plain);
  });

  it('simulate: a virtual week of the site, every phone provisioned, the same report for the same seed', async () => {
    const options = { tree: site, phones: join(site, 'inventory.csv'), for: '7d', seed: 'week' };
    const week = await autop.simulate(options);
    expect(week.run).toMatchObject({ scenario: 'life', time: 'virtual', seed: 'week' });
    expect(week.phones).toMatchObject({ total: 6, provisioned: 6, failed: 0 });
    const { emulator: _a, ...once } = week;
    const { emulator: _b, ...again } = await autop.simulate(options);
    expect(again).toEqual(once);
  });

  it('AutopError: thrown by the functions, with a code', async () => {
    const error: unknown = await autop
      .provision({ tree: site, mac: 'nope', model: 'T46U' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(autop.AutopError);
    expect(error).toMatchObject({ name: 'AutopError', code: 'usage' });
    expect(() => autop.decrypt(new Uint8Array(32), { key: '0123456789abcdef' })).toThrow(
      expect.objectContaining({ code: 'does-not-decrypt' }),
    );
  });
});

describe('issue #17: the types, as a consumer compiles them', () => {
  it('test/consumer/ compiles against the declarations: strict, no skipLibCheck, no Node types', async () => {
    const tsc = join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = await exec(process.execPath, [tsc, '--noEmit', '-p', join(packageRoot, 'test', 'consumer')], {
      cwd: packageRoot,
    }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(run.stdout).toBe('');
    expect(run.code).toBe(0);
  }, 120_000);
});
