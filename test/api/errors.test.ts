// Issue #17: every failure of the library is an AutopError with a documented code and the message
// the CLI prints for the same mistake (the CLI names the option as its flag: `--mac` is `mac`); the
// library never exits, never sets process.exitCode and never writes to stdout or stderr.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AutopError,
  check,
  decrypt,
  diff,
  encrypt,
  explain,
  provision,
  simulate,
  type AutopErrorCode,
} from '../../src/index.js';
import { guarded } from '../../src/api/errors.js';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { runCli } from '../support/cli.js';

const site = join(fixturesDir, 'site');
const fleet = join(fixturesDir, 'fleet');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'autop-api-errors-'));
  await writeFile(join(work, 'junk-state.json'), '{"format": "something else"}\n');
  await writeFile(join(work, 'plain.cfg'), '#!version:1.0.0.1\naccount.1.label = Reception\n');
  await writeFile(join(work, 'not-a-cfg.cfg'), 'account.1.label = Reception\n');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** What the library threw (an AutopError is required). */
async function thrown(call: () => unknown): Promise<AutopError> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(AutopError);
    return e as AutopError;
  }
  throw new Error('expected an AutopError, and the call succeeded');
}

/** The CLI's message for the mistake: its first stderr line, without `autop: `. */
async function cliMessage(args: string[], exitCode: number): Promise<string> {
  const { code, stderr } = await runCli(args, { timeoutMs: 60_000 });
  expect(code).toBe(exitCode);
  return stderr.split('\n')[0]!.replace(/^autop: /, '');
}

describe('AutopError: the code of each mistake, and the CLI message for it', () => {
  const cases: [string, AutopErrorCode, string[], number, () => unknown][] = [
    [
      'a MAC that is not one',
      'usage',
      ['provision', '--tree', site, '--mac', '00:15:65:zz', '--model', 'T46U'],
      2,
      () => provision({ tree: site, mac: '00:15:65:zz', model: 'T46U' }),
    ],
    [
      'no MAC for a new phone',
      'usage',
      ['provision', '--tree', site, '--model', 'T46U'],
      2,
      () => provision({ tree: site, model: 'T46U' }),
    ],
    [
      'a model the catalogue does not know',
      'usage',
      ['explain', site, '--mac', '00:15:65:74:b1:50', '--model', 'T46X'],
      2,
      () => explain({ tree: site, mac: '00:15:65:74:b1:50', model: 'T46X' }),
    ],
    [
      "a firmware of another model's family",
      'usage',
      [
        'provision',
        '--tree',
        site,
        '--mac',
        '00:15:65:74:b1:50',
        '--model',
        'T46U',
        '--firmware',
        '44.84.0.140',
      ],
      2,
      () => provision({ tree: site, mac: '00:15:65:74:b1:50', model: 'T46U', firmware: '44.84.0.140' }),
    ],
    [
      'a tree that is not a folder',
      'unreadable',
      ['provision', '--tree', join(site, 'site.cfg'), '--mac', '00:15:65:74:b1:50', '--model', 'T46U'],
      2,
      () => provision({ tree: join(site, 'site.cfg'), mac: '00:15:65:74:b1:50', model: 'T46U' }),
    ],
    [
      'a state file autop did not write',
      'unreadable',
      ['provision', '--tree', site, '--state', '${work}/junk-state.json'],
      2,
      () => provision({ tree: site, state: join(work, 'junk-state.json') }),
    ],
    [
      'an inventory that does not exist',
      'unreadable',
      ['check', site, '--inventory', join(site, 'no-such.csv'), '--format', 'json'],
      2,
      () => check({ tree: site, inventory: join(site, 'no-such.csv') }),
    ],
    [
      'a git revision that is not a commit',
      'unreadable',
      ['diff', '--git', 'HEAD', 'no-such-revision', '--format', 'json'],
      2,
      () => diff({ before: 'HEAD', after: 'no-such-revision', git: true }),
    ],
    [
      'a duration that is not one',
      'usage',
      [
        'fleet',
        '--tree',
        fleet,
        '--count',
        '3',
        '--models',
        'T46U',
        '--virtual',
        '--for',
        '7x',
        '--seed',
        's',
      ],
      2,
      () => simulate({ tree: fleet, count: 3, models: 'T46U', for: '7x', seed: 's' }),
    ],
    [
      'a model mix that does not add up',
      'usage',
      ['fleet', '--tree', fleet, '--count', '3', '--models', 'T46U:50%', '--virtual', '--seed', 's'],
      2,
      () => simulate({ tree: fleet, count: 3, models: 'T46U:50%', seed: 's' }),
    ],
    [
      'a rollout without tree B',
      'usage',
      [
        'fleet',
        '--tree',
        fleet,
        '--count',
        '3',
        '--models',
        'T46U',
        '--virtual',
        '--scenario',
        'rollout',
        '--for',
        '2d',
      ],
      2,
      () => simulate({ tree: fleet, count: 3, models: 'T46U', scenario: 'rollout', for: '2d' }),
    ],
    [
      'a key of the wrong length',
      'usage',
      ['encrypt', '${work}/plain.cfg', '--key', 'short', '--out', '${work}/out'],
      2,
      () => encrypt('#!version:1.0.0.1\n', { key: 'short' }),
    ],
    [
      'a wrong key',
      'does-not-decrypt',
      ['decrypt', join(fixturesDir, 'encrypted', '00156574b150.cfg'), '--key', 'Yealink1234567ab'],
      1,
      async () =>
        decrypt(await readFile(join(fixturesDir, 'encrypted', '00156574b150.cfg')), {
          key: 'Yealink1234567ab',
          name: join(fixturesDir, 'encrypted', '00156574b150.cfg'),
        }),
    ],
    [
      'a CFG that is not plain',
      'not-plain',
      ['encrypt', '${work}/not-a-cfg.cfg', '--key', 'Yealink1234567ab', '--out', '${work}/out'],
      1,
      async () =>
        encrypt(await readFile(join(work, 'not-a-cfg.cfg')), {
          key: 'Yealink1234567ab',
          name: join(work, 'not-a-cfg.cfg'),
        }),
    ],
  ];

  it.each(cases)('%s: %s', async (_, code, args, exitCode, call) => {
    const error = await thrown(call);
    expect(error.code).toBe(code);
    const expanded = args.map((a) => a.replaceAll('${work}', work));
    expect(error.message).toBe(await cliMessage(expanded, exitCode));
  });

  it('says a tree with nothing a phone asks for is nothing to check (usage), as autop check', async () => {
    const empty = await mkdtemp(join(work, 'empty-'));
    const error = await thrown(() => check({ tree: empty }));
    expect(error.code).toBe('usage');
    expect(error.message).toBe(await cliMessage(['check', empty, '--format', 'json'], 2));
  });

  it('calls any other failure internal (a bug), with the original error as its cause', async () => {
    const bug = new TypeError('x is undefined');
    const error = await thrown(() => guarded(() => Promise.reject(bug)));
    expect(error.code).toBe('internal');
    expect(error.cause).toBe(bug);
  });
});

describe('inventory rows that cannot be used (diff, simulate)', () => {
  const broken = join(fixturesDir, 'broken', 'inventory');
  const inventory = join(broken, 'inventory.csv');
  const args = ['diff', broken, broken, '--inventory', inventory, '--format', 'json'];

  it('are an AutopError (inventory) listing each row as autop diff prints it', async () => {
    const error = await thrown(() => diff({ before: broken, after: broken, inventory }));
    expect(error.code).toBe('inventory');
    const cli = await runCli(args);
    const printed = cli.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^autop: /, ''));
    expect(printed).toEqual([expect.stringMatching(/inventory\.csv:3: "00:15:65:00:00:0z" is not a MAC/)]);
    expect(error.problems).toEqual(printed);
    expect(error.message).toContain(printed[0]);
  });

  it('go to onInventoryProblem when given, and the run goes on without those phones, as the CLI', async () => {
    const seen: string[] = [];
    const result = await diff({
      before: broken,
      after: broken,
      inventory,
      onInventoryProblem: (m) => seen.push(m),
    });
    const cli = await runCli(args);
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(cli.stdout));
    expect(seen).toEqual([cli.stderr.trim().replace(/^autop: /, '')]);
    expect(result.phones).toBe(1);

    const leftOut: string[] = [];
    const report = await simulate({
      tree: broken,
      phones: inventory,
      seed: 's',
      onInventoryProblem: (m) => leftOut.push(m),
    });
    expect(leftOut).toEqual([`${seen[0]} (phone left out)`]);
    expect(report.phones.total).toBe(1);
    const error = await thrown(() => simulate({ tree: broken, phones: inventory, seed: 's' }));
    expect(error).toMatchObject({ code: 'inventory', problems: seen });
  });

  it('are findings in check, as autop check reports them, also for rows given as objects', async () => {
    const rows = [
      { mac: '00:15:65:00:00:01', model: 'T46U' },
      { mac: '00:15:65:00:00:0z', model: 'T46U' },
    ];
    const result = await check({ tree: broken, inventory: rows });
    const finding = result.findings.find((f) => f.kind === 'inventory');
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toMatch(/^phone #2: "00:15:65:00:00:0z" is not a MAC address/);
    expect(finding!.file).toBeUndefined();
    expect(result.phones.map((p) => p.mac)).toEqual(['00:15:65:00:00:01']);
  });
});

describe('the library never exits, never sets the exit status and never prints', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs every function, failing and not, with stdout and stderr untouched', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const exit = vi.spyOn(process, 'exit');
    const before = process.exitCode;
    const phone = { mac: '00:15:65:74:b1:50', model: 'T46U' };
    await provision({ tree: site, ...phone });
    await provision(phone); // no server: a result with status no-server
    await check({ tree: join(fixturesDir, 'broken', 'parse-error') }); // errors found
    await diff({ before: site, after: join(fixturesDir, 'site-common-only') });
    await explain({ tree: site, ...phone });
    await simulate({ tree: fleet, count: 5, models: 'T46U', seed: 's' });
    decrypt(encrypt('#!version:1.0.0.1\n', { key: 'Yealink1234567ab' }).bytes, { key: 'Yealink1234567ab' });
    for (const failing of [
      () => provision({ tree: site, mac: 'zz', model: 'T46U' }),
      () => check({ tree: join(work, 'nowhere') }),
      () => simulate({ tree: fleet, count: 5, models: 'T46U', for: 'soon' }),
      () => decrypt(new Uint8Array(16), { key: 'Yealink1234567ab' }),
    ])
      await thrown(failing);
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(exit).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(before);
  }, 120_000);
});
