// Issue #17: the library returns the documents the CLI prints, and both validate against the shipped
// schemas. For every bundled fixture tree, the built `autop` (a child process, as a user runs it)
// and the library (in-process) are given the same inputs; their JSON must be equal, and valid.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, decrypt, diff, encrypt, explain, provision, simulate } from '../../src/index.js';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { runCli } from '../support/cli.js';
import { schemaProblems, type SchemaName } from '../support/schemas.js';

const MINUTE = 60_000;

/** The built CLI's stdout as JSON (whatever its exit status: check exits 1 on errors). */
async function cliJson(args: string[]): Promise<unknown> {
  const { code, stdout, stderr } = await runCli(args, { timeoutMs: 2 * MINUTE });
  if (code !== 0 && code !== 1) throw new Error(`autop ${args.join(' ')} exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

/** The CLI's document and the library's: equal, and both valid against the schema. */
function expectSame(name: SchemaName, fromCli: unknown, fromApi: unknown): void {
  expect(schemaProblems(name, fromCli)).toEqual([]);
  expect(schemaProblems(name, fromApi)).toEqual([]);
  // Through JSON, as a program reading either would see them (undefined fields drop out).
  expect(JSON.parse(JSON.stringify(fromApi))).toEqual(fromCli);
}

/** Every fixture folder that is a provisioning tree: the top ones, broken/* and real-world/*. */
function fixtureTrees(): string[] {
  const trees: string[] = [];
  const visit = (dir: string): void => {
    const entries = readdirSync(dir);
    if (entries.some((e) => /\.(boot|cfg)$/.test(e))) {
      trees.push(dir);
      return;
    }
    for (const e of entries) if (statSync(join(dir, e)).isDirectory()) visit(join(dir, e));
  };
  visit(fixturesDir);
  return trees.sort();
}

const trees = fixtureTrees();
const name = (tree: string): string => relative(fixturesDir, tree);
const inventoryOf = (tree: string): string | undefined =>
  existsSync(join(tree, 'inventory.csv')) ? join(tree, 'inventory.csv') : undefined;

/**
 * A phone the tree serves: one of a known model that check chose, else (a tree that names no model)
 * the MAC of its first MAC file, as a T46U.
 */
async function phoneOf(
  tree: string,
  inventory: string | undefined,
): Promise<{ mac: string; model: string; firmware: string }> {
  const checked = await check({ tree, ...(inventory && { inventory }) });
  const known = checked.phones.find((p) => p.model !== 'unknown');
  if (known) return { mac: known.mac, model: known.model, firmware: known.firmware };
  const macFile = readdirSync(tree)
    .sort()
    .find((f) => /^[0-9a-f]{12}(-local)?\.(boot|cfg)$/.test(f));
  if (!macFile) throw new Error(`${tree}: no phone to provision`);
  return { mac: macFile.slice(0, 12), model: 'T46U', firmware: '108.86.0.90' };
}

describe('issue #17: the library returns what the CLI prints, and both validate against schemas/', () => {
  it('covers every bundled tree', () => {
    expect(trees.map(name)).toEqual(
      expect.arrayContaining(['site', 'legacy', 'encrypted', 'broken/parse-error', 'real-world/3cx-t4x']),
    );
    expect(trees.length).toBeGreaterThanOrEqual(28);
  });

  describe.each(trees.map((t) => [name(t), t] as const))('%s', (_, tree) => {
    const inventory = inventoryOf(tree);

    it(
      'check: the document of autop check --format json',
      async () => {
        const fromCli = await cliJson([
          'check',
          tree,
          ...(inventory ? ['--inventory', inventory] : []),
          '--format',
          'json',
        ]);
        const fromApi = await check({ tree, ...(inventory && { inventory }) });
        expectSame('check-report', fromCli, fromApi);
        expect(fromApi.summary.files).toBeGreaterThan(0);
      },
      4 * MINUTE,
    );
  });

  // The broken trees are made for check; a round of one of their phones shows nothing more.
  describe.each(trees.filter((t) => !name(t).startsWith('broken/')).map((t) => [name(t), t] as const))(
    '%s',
    (_, tree) => {
      const inventory = inventoryOf(tree);
      it(
        'provision and explain: the documents of autop provision --json and autop explain --json',
        async () => {
          const phone = await phoneOf(tree, inventory);
          const who = ['--mac', phone.mac, '--model', phone.model, '--firmware', phone.firmware];

          const { state, ...report } = await provision({ tree, ...phone });
          expectSame(
            'provision-report',
            await cliJson(['provision', '--tree', tree, ...who, '--json']),
            report,
          );
          expect(schemaProblems('phone-state', state)).toEqual([]);
          expect(report.status === 'updated' || report.status === 'unchanged').toBe(true);

          const explained = await explain({ tree, ...phone });
          expectSame('explain-report', await cliJson(['explain', tree, ...who, '--json']), explained);
        },
        4 * MINUTE,
      );
    },
  );
});

describe('issue #17: provision, the same as autop provision, secrets and state included', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'autop-api-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const site = join(fixturesDir, 'site');
  const reception = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];
  const phone = { mac: '00:15:65:74:b1:50', model: 'T46U' };

  it('masks passwords unless showSecrets, as --show-secrets', async () => {
    const masked = await provision({ tree: site, ...phone });
    expect(masked.config['account.1.password']).toBe('********');
    const shown = await provision({ tree: site, ...phone, showSecrets: true });
    expect(shown.config['account.1.password']).not.toBe('********');
    const { state: _, ...report } = shown;
    expectSame(
      'provision-report',
      await cliJson(['provision', '--tree', site, ...reception, '--show-secrets', '--json']),
      report,
    );
  });

  it('keeps the phone state in a file as --state does: the second round finds nothing new', async () => {
    const cliState = join(work, 'cli.json');
    const apiState = join(work, 'api.json');
    for (let round = 1; round <= 2; round++) {
      const fromCli = await cliJson([
        'provision',
        '--tree',
        site,
        ...reception,
        '--state',
        cliState,
        '--json',
      ]);
      const { state, ...report } = await provision({ tree: site, ...phone, state: apiState });
      expectSame('provision-report', fromCli, report);
      expect(report.updated).toBe(round === 1);
      // The file written is the result's state, and the CLI's but for the time of the round.
      const written = JSON.parse(await readFile(apiState, 'utf8')) as Record<string, unknown>;
      expect(written).toEqual(JSON.parse(JSON.stringify(state)));
      expect(schemaProblems('phone-state', written)).toEqual([]);
      const { lastRound: _a, ...cliFile } = JSON.parse(await readFile(cliState, 'utf8')) as Record<
        string,
        unknown
      >;
      const { lastRound: _b, ...apiFile } = written;
      expect(apiFile).toEqual(cliFile);
    }
  });

  it('takes the state as an object too: the next round from a result, and the file never written', async () => {
    const first = await provision({ tree: site, ...phone });
    const second = await provision({ tree: site, state: first.state });
    expect(first.reboot).toBe(true);
    expect(second).toMatchObject({ status: 'unchanged', updated: false, reboot: false });
    expect(second.state.rounds).toBe(2);
  });

  it('reports a round that cannot run as the CLI does (status, not an error)', async () => {
    const { state: _, ...report } = await provision(phone);
    expect(report.status).toBe('no-server');
    expectSame('provision-report', await cliJson(['provision', ...reception, '--json']), report);
  });
});

describe('issue #17: diff, the same as autop diff --format json', () => {
  let repo: string;
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
      encoding: 'utf8',
    }).trim();

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'autop-api-git-'));
    git('init', '-q');
    await cp(join(fixturesDir, 'site'), join(repo, 'provisioning'), { recursive: true });
    git('add', '.');
    git('commit', '-qm', 'first');
    const site = join(repo, 'provisioning', 'site.cfg');
    await writeFile(
      site,
      (await readFile(site, 'utf8')).replace(
        /^static\.network\.vlan\.internet_port_vid = .*$/m,
        'static.network.vlan.internet_port_vid = 20',
      ),
    );
    git('commit', '-qam', 'voice VLAN 20');
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it.each([
    ['site-common-only', 'site', 'site/inventory.csv'],
    ['site', 'site-common-only', undefined],
    ['fleet', 'fleet-v2', 'fleet/inventory.csv'],
    ['firmware-rollout', 'firmware-rollout', 'firmware-rollout/inventory.csv'],
  ] as const)(
    'two trees: %s → %s (inventory %s)',
    async (a, b, inventoryName) => {
      const before = join(fixturesDir, a);
      const after = join(fixturesDir, b);
      const inventory = inventoryName && join(fixturesDir, inventoryName);
      const fromCli = await cliJson([
        'diff',
        before,
        after,
        ...(inventory ? ['--inventory', inventory] : []),
        '--format',
        'json',
      ]);
      const fromApi = await diff({ before, after, ...(inventory && { inventory }) });
      expectSame('diff-report', fromCli, fromApi);
    },
    2 * MINUTE,
  );

  it(
    'two git revisions with a path: the VLAN change reboots every phone',
    async () => {
      const inventory = join(repo, 'provisioning', 'inventory.csv');
      const fromCli = await cliJson([
        'diff',
        '--git',
        'HEAD~1',
        'HEAD',
        '--repo',
        repo,
        '--path',
        'provisioning',
        '--inventory',
        inventory,
        '--format',
        'json',
      ]);
      const fromApi = await diff({
        before: 'HEAD~1',
        after: 'HEAD',
        git: { repo, path: 'provisioning' },
        inventory,
      });
      expectSame('diff-report', fromCli, fromApi);
      expect(fromApi).toMatchObject({ before: 'HEAD~1:provisioning', after: 'HEAD:provisioning' });
      expect(fromApi.rebooting).toBe(6);
    },
    2 * MINUTE,
  );
});

describe('issue #17: simulate, the same as autop fleet --virtual --json', () => {
  /** The emulator's own health is measured (wall time, CPU): not equal across two runs. */
  const withoutHealth = (report: unknown): unknown => {
    const { emulator: _, ...rest } = report as { emulator: unknown };
    return rest;
  };
  const fleet = join(fixturesDir, 'fleet');

  it.each([
    [
      'a week of the inventory',
      ['--tree', fleet, '--inventory', join(fleet, 'inventory.csv'), '--for', '7d'],
      { tree: fleet, phones: join(fleet, 'inventory.csv'), for: '7d' },
    ],
    [
      'a boot storm of 40 phones drawn from a model mix',
      ['--tree', fleet, '--count', '40', '--models', 'T46U:70%,T23G:30%', '--ramp', '10m'],
      { tree: fleet, count: 40, models: { T46U: 70, T23G: 30 }, ramp: '10m' },
    ],
    [
      'a rollout to fleet-v2 after a day, with a NOTIFY',
      [
        '--tree',
        fleet,
        '--count',
        '12',
        '--models',
        'T46U:50%,T23G:50%',
        '--rollout-tree',
        join(fixturesDir, 'fleet-v2'),
        '--rollout-at',
        '1d',
        '--rollout-notify',
        '--for',
        '2d',
      ],
      {
        tree: fleet,
        count: 12,
        models: 'T46U:50%,T23G:50%',
        rolloutTree: join(fixturesDir, 'fleet-v2'),
        rolloutAt: '1d',
        rolloutNotify: true,
        for: '2d',
      },
    ],
  ] as const)(
    '%s',
    async (_, args, options) => {
      const fromCli = await cliJson([
        'fleet',
        ...args,
        '--virtual',
        '--seed',
        'parity',
        '--json',
        '--no-progress',
      ]);
      const fromApi = await simulate({ ...options, seed: 'parity' });
      expect(schemaProblems('fleet-report', fromCli)).toEqual([]);
      expect(schemaProblems('fleet-report', fromApi)).toEqual([]);
      expect(withoutHealth(JSON.parse(JSON.stringify(fromApi)))).toEqual(withoutHealth(fromCli));
      expect(fromApi.phones.total).toBeGreaterThan(0);
    },
    3 * MINUTE,
  );
});

describe('issue #17: encrypt and decrypt, the bytes autop encrypt writes and the text autop decrypt prints', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'autop-api-crypt-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    ['AES-128, with its _Security.enc', 'Yealink1234567ab', true],
    ['AES-256', 'Yealink1234567abYealink1234567ab', false],
  ] as const)('%s', async (_, key, security) => {
    const plain = await readFile(join(fixturesDir, 'site', 'site.cfg'));
    await writeFile(join(work, 'site.cfg'), plain);
    const out = join(work, `out-${key.length}`);
    const run = await runCli([
      'encrypt',
      join(work, 'site.cfg'),
      '--key',
      key,
      '--out',
      out,
      ...(security ? ['--security'] : []),
    ]);
    expect(run.code).toBe(0);
    const encrypted = encrypt(plain, { key, security, name: 'site.cfg' });
    expect(Buffer.from(encrypted.bytes)).toEqual(await readFile(join(out, 'site.cfg')));
    expect(encrypted).toMatchObject({ key, cipher: key.length === 16 ? 'AES-128-ECB' : 'AES-256-ECB' });
    if (security)
      expect(Buffer.from(encrypted.security!)).toEqual(await readFile(join(out, 'site_Security.enc')));

    const printed = await runCli(['decrypt', join(out, 'site.cfg'), '--key', key]);
    expect(decrypt(encrypted.bytes, { key })).toBe(printed.stdout);
    if (security) expect(decrypt(encrypted.bytes, { security: encrypted.security! })).toBe(printed.stdout);
  });

  it('decrypts the bundled encrypted CFG with its _Security.enc, as autop decrypt --security', async () => {
    const dir = join(fixturesDir, 'encrypted');
    const printed = await runCli([
      'decrypt',
      join(dir, '00156574b150.cfg'),
      '--security',
      join(dir, '00156574b150_Security.enc'),
    ]);
    expect(printed.code).toBe(0);
    const text = decrypt(await readFile(join(dir, '00156574b150.cfg')), {
      security: await readFile(join(dir, '00156574b150_Security.enc')),
    });
    expect(text).toBe(printed.stdout);
    expect(text.startsWith('#!version')).toBe(true);
  });
});
