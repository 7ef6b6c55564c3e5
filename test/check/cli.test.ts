import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty } from '../../src/check/output/github.js';
import { runCli } from '../support/cli.js';
import { validateSarif } from '../support/sarif.js';

const broken = (kind: string): string[] => [
  `fixtures/broken/${kind}`,
  '--inventory',
  `fixtures/broken/${kind}/inventory.csv`,
];

describe('autop check: exit status', () => {
  it('refuses (exit 2) to pass a tree that holds nothing a phone asks for, without an inventory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-nothing-'));
    try {
      await writeFile(join(dir, 'README.txt'), 'not a provisioning file\n');
      const { code, stderr } = await runCli(['check', dir]);
      expect(code).toBe(2);
      expect(stderr).toContain('nothing a phone asks for');
      expect(stderr).toContain('give --inventory FILE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('passes the good fixture (exit 0)', async () => {
    const { code, stdout } = await runCli([
      'check',
      'fixtures/site',
      '--inventory',
      'fixtures/site/inventory.csv',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/autop check fixtures\/site: 6 phones/);
    expect(stdout).toMatch(/0 errors/);
  });

  it('fails (exit 1) on an error, naming file and line', async () => {
    const { code, stdout } = await runCli(['check', ...broken('missing-include')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^001565000001\.boot$/m);
    expect(stdout).toMatch(
      /^\s+3 {2}error\s+B3\/missing-include {2}the include target missing\.cfg is not in the tree/m,
    );
    // NO_COLOR (set by runCli) and no terminal: no escape sequences.
    expect(stdout).not.toContain('\u001b[');
  });

  it('passes warnings, unless --strict', async () => {
    expect((await runCli(['check', ...broken('unused-file')])).code).toBe(0);
    expect((await runCli(['check', ...broken('unused-file'), '--strict'])).code).toBe(1);
  });

  it('exits 2 for an unknown --format', async () => {
    const { code, stderr } = await runCli(['check', 'fixtures/site', '--format', 'xml']);
    expect(code).toBe(2);
    expect(stderr).toContain('--format xml is not one of text, json, junit, sarif, github');
  });
});

describe('autop check --format junit', () => {
  it("is XML with one test case per phone, failed by that phone's errors", async () => {
    const { code, stdout } = await runCli(['check', ...broken('no-config'), '--format', 'junit']);
    expect(code).toBe(1);
    expect(XMLValidator.validate(stdout)).toBe(true);
    const xml = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => ['testsuite', 'testcase', 'failure'].includes(name),
    }).parse(stdout) as {
      testsuites: {
        testsuite: {
          name: string;
          tests: string;
          testcase: { name: string; failure?: { type: string; message: string }[] }[];
        }[];
      };
    };
    const phones = xml.testsuites.testsuite[0]!;
    expect(phones.testcase.map((c) => c.name)).toEqual([
      'T46U 00:15:65:00:00:01 (Desk 1)',
      'T23G 00:15:65:00:00:f2 (Warehouse)',
    ]);
    expect(phones.tests).toBe('2');
    expect(phones.testcase[0]!.failure).toBeUndefined();
    expect(phones.testcase[1]!.failure).toMatchObject([
      {
        type: 'B1/no-config',
        message: expect.stringContaining('0015650000f2.boot:1: the phone gets no configuration') as string,
      },
    ]);
  });

  it('has one test case per phone on the good fixture, none failed', async () => {
    const { stdout } = await runCli([
      'check',
      'fixtures/site',
      '--inventory',
      'fixtures/site/inventory.csv',
      '--format',
      'junit',
    ]);
    const xml = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => ['testsuite', 'testcase'].includes(name),
    }).parse(stdout) as {
      testsuites: { testsuite: { testcase: { failure?: unknown }[] }[] };
    };
    const cases = xml.testsuites.testsuite[0]!.testcase;
    expect(cases).toHaveLength(6);
    expect(cases.filter((c) => c.failure !== undefined)).toEqual([]);
  });
});

describe('autop check --format sarif', () => {
  it('validates against the SARIF 2.1.0 schema, with rule ids, levels, paths from the repository root and lines', async () => {
    const { code, stdout } = await runCli(['check', ...broken('account-beyond-model'), '--format', 'sarif']);
    expect(code).toBe(0);
    const log = JSON.parse(stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toContain('C5/account-beyond-model');
    expect(run.results).toContainEqual(
      expect.objectContaining({
        ruleId: 'C5/account-beyond-model',
        level: 'warning',
        locations: [
          {
            physicalLocation: {
              // The tree is a folder of this git work tree: paths start at its top.
              artifactLocation: {
                uri: 'fixtures/broken/account-beyond-model/phones/0015650000f2.cfg',
                uriBaseId: 'SRCROOT',
              },
              region: { startLine: 3 },
            },
          },
        ],
      }),
    );
  });

  it('validates for the good fixture too', async () => {
    const { stdout } = await runCli([
      'check',
      'fixtures/site',
      '--inventory',
      'fixtures/site/inventory.csv',
      '--format',
      'sarif',
    ]);
    expect(validateSarif(JSON.parse(stdout))).toEqual([]);
  });
});

describe('autop check --format github', () => {
  it('prints ::error file=...,line=...,title=RULE::message lines', async () => {
    const { stdout } = await runCli(['check', ...broken('out-of-range'), '--format', 'github']);
    expect(stdout).toMatch(
      /^::error file=fixtures\/broken\/out-of-range\/common\.cfg,line=4,title=catalogue\/out-of-range::static\.auto_provision\.flexible\.interval = 5000: expected .+/m,
    );
  });

  it('is the default inside GitHub Actions (GITHUB_ACTIONS=true)', async () => {
    const { stdout } = await runCli(['check', ...broken('unused-file')], { env: { GITHUB_ACTIONS: 'true' } });
    expect(stdout).toMatch(
      /^::warning file=fixtures\/broken\/unused-file\/old\.cfg,line=1,title=B3\/unused-file::no phone of the inventory reads this file/m,
    );
  });

  it('escapes as GitHub requires: % CR LF in messages, and : , in properties too', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('C5/a:b,c%')).toBe('C5/a%3Ab%2Cc%25');
  });
});

describe('autop check --format json', () => {
  it('lists findings and phones, each phone naming its errors', async () => {
    const { stdout } = await runCli(['check', ...broken('no-config'), '--format', 'json']);
    const doc = JSON.parse(stdout) as {
      summary: { phones: number; errors: number };
      findings: { id: string }[];
      phones: { mac: string; errors: number[] }[];
    };
    expect(doc.summary).toMatchObject({ phones: 2, errors: 1 });
    const t23 = doc.phones.find((p) => p.mac === '00:15:65:00:00:f2')!;
    expect(t23.errors.map((i) => doc.findings[i]!.id)).toEqual(['B1/no-config']);
  });
});

describe('autop check: colour only on a terminal', () => {
  it('writes no escape sequences to a pipe, even with CI set and NO_COLOR unset', async () => {
    const { stdout } = await runCli(['check', ...broken('missing-include')], {
      env: { NO_COLOR: undefined, CI: 'true' },
    });
    expect(stdout).not.toContain('\u001b[');
  });

  it('colours with FORCE_COLOR, so the case above can fail', async () => {
    const { stdout } = await runCli(['check', ...broken('missing-include')], {
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(stdout).toContain('\u001b[31merror');
  });
});
