// Every output of `autop check` as its real consumer takes it (issue #12): JUnit against the
// Jenkins xUnit schema and in agreement with the exit status, SARIF against the 2.1.0 schema with
// every result located as GitHub code scanning requires, paths from the repository's root, and
// the models that were assumed said in every format.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';
import { CLI, runCli } from '../support/cli.js';
import { validateSarif } from '../support/sarif.js';

const exec = promisify(execFile);
const JUNIT_XSD = readFileSync(join(packageRoot, 'test/check/schemas/jenkins-junit-10.xsd'), 'utf8');

const broken = (kind: string): string[] => [
  `fixtures/broken/${kind}`,
  '--inventory',
  `fixtures/broken/${kind}/inventory.csv`,
];

async function junitProblems(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'autop.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: JUNIT_XSD }],
  });
  return result.errors.map((e) => e.rawMessage);
}

interface JunitCase {
  name: string;
  failure?: { type: string; message: string }[];
  'system-out'?: string;
}
interface JunitSuite {
  name: string;
  tests: string;
  failures: string;
  properties: { property: { name: string; value: string }[] };
  testcase: JunitCase[];
}

function parseJunit(xml: string): { failures: string; testsuite: JunitSuite[] } {
  return (
    new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => ['testsuite', 'testcase', 'failure', 'property'].includes(name),
    }).parse(xml) as { testsuites: { failures: string; testsuite: JunitSuite[] } }
  ).testsuites;
}

interface SarifLog {
  runs: {
    results: {
      ruleId: string;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    invocations: {
      toolExecutionNotifications: { level: string; message: { text: string }; descriptor: { id: string } }[];
    }[];
    originalUriBaseIds?: { SRCROOT: { uri: string } };
  }[];
}

describe('--format junit is valid for the Jenkins xUnit schema and agrees with the exit status', () => {
  it('validates for the good tree, a failing tree and a --strict run', async () => {
    for (const args of [
      ['fixtures/site', '--inventory', 'fixtures/site/inventory.csv'],
      broken('no-config'),
      [...broken('unused-file'), '--strict'],
    ]) {
      const { stdout } = await runCli(['check', ...args, '--format', 'junit']);
      expect(await junitProblems(stdout), args.join(' ')).toEqual([]);
    }
  });

  it('fails the suite when --strict fails the run (exit 1 and failures="1"), not failures="0"', async () => {
    const strict = await runCli(['check', ...broken('unused-file'), '--format', 'junit', '--strict']);
    expect(strict.code).toBe(1);
    const xml = parseJunit(strict.stdout);
    expect(xml.failures).toBe('1');
    const tree = xml.testsuite.find((s) => s.name.startsWith('tree'))!;
    expect(tree.testcase).toMatchObject([
      {
        name: 'old.cfg',
        failure: [
          { type: 'B3/unused-file', message: 'old.cfg:1: no phone of the inventory reads this file' },
        ],
      },
    ]);
  });

  it('lists a tree-level warning in its file case without failing it, when not --strict (exit 0)', async () => {
    const plain = await runCli(['check', ...broken('unused-file'), '--format', 'junit']);
    expect(plain.code).toBe(0);
    const xml = parseJunit(plain.stdout);
    expect(xml.failures).toBe('0');
    const tree = xml.testsuite.find((s) => s.name.startsWith('tree'))!;
    expect(tree.testcase).toEqual([
      expect.objectContaining({
        name: 'old.cfg',
        'system-out': 'warning: old.cfg:1: [B3/unused-file] no phone of the inventory reads this file',
      }),
    ]);
    expect(tree.testcase[0]!.failure).toBeUndefined();
  });

  it("names the models checked in each suite's properties", async () => {
    const { stdout } = await runCli(['check', ...broken('unused-file'), '--format', 'junit']);
    const suite = parseJunit(stdout).testsuite[0]!;
    expect(suite.properties.property).toContainEqual({
      name: 'autop.models',
      value: "Models: the inventory's (T46U).",
    });
  });
});

describe('--format sarif is accepted by code scanning', () => {
  it('locates every result (file and startLine), and makes a finding about no file a notification', async () => {
    // The tree's only finding concerns phones, not a file: "inventory phones with no MAC file".
    const { stdout } = await runCli(['check', ...broken('phone-without-mac-file'), '--format', 'sarif']);
    const log = JSON.parse(stdout) as SarifLog;
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.results).toEqual([]);
    expect(run.invocations[0]!.toolExecutionNotifications).toContainEqual(
      expect.objectContaining({ level: 'warning', descriptor: { id: 'C4/phone-without-mac-file' } }),
    );
  });

  it('gives a finding about a whole file line 1 (a CFG without the #!version header)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-header-'));
    try {
      await writeFile(
        join(dir, 'y000000000000.boot'),
        '#!version:1.0.0.1\ninclude:config "y000000000108.cfg"\n',
      );
      await writeFile(join(dir, 'y000000000108.cfg'), 'account.1.label = 101\n');
      const { stdout } = await runCli(['check', dir, '--format', 'sarif']);
      const log = JSON.parse(stdout) as SarifLog;
      expect(validateSarif(log)).toEqual([]);
      expect(
        log.runs[0]!.results.map((r) => [
          r.ruleId,
          r.locations[0]!.physicalLocation.artifactLocation.uri.replace(/^.*\//, ''),
          r.locations[0]!.physicalLocation.region.startLine,
        ]),
      ).toEqual([
        ['B1/no-config', 'y000000000000.boot', 1],
        ['E4', 'y000000000108.cfg', 1],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports warnings as errors with --strict, as the exit status does', async () => {
    const { code, stdout } = await runCli([
      'check',
      ...broken('unused-file'),
      '--format',
      'sarif',
      '--strict',
    ]);
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as SarifLog).runs[0]!.results.map((r) => r.level)).toEqual(['error']);
  });

  it('names files from the root given by --path-prefix, in SARIF and in annotations', async () => {
    const args = [...broken('account-beyond-model'), '--path-prefix', 'provisioning'];
    const sarif = JSON.parse((await runCli(['check', ...args, '--format', 'sarif'])).stdout) as SarifLog;
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      'provisioning/phones/0015650000f2.cfg',
    );
    const github = (await runCli(['check', ...args, '--format', 'github'])).stdout;
    expect(github).toMatch(
      /^::warning file=provisioning\/phones\/0015650000f2\.cfg,line=3,title=C5\/account-beyond-model::/m,
    );
  });

  it('outside a git work tree, names files from the current folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-nogit-'));
    try {
      await cp(join(fixturesDir, 'broken/unused-file'), join(dir, 'provisioning'), { recursive: true });
      const { stdout } = await exec(
        process.execPath,
        [CLI, 'check', 'provisioning', '--inventory', 'provisioning/inventory.csv', '--format', 'sarif'],
        { cwd: dir, env: { ...process.env, GIT_CEILING_DIRECTORIES: tmpdir() } },
      );
      const log = JSON.parse(stdout) as SarifLog;
      expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
        'provisioning/old.cfg',
      );
      expect(log.runs[0]!.originalUriBaseIds?.SRCROOT.uri).toMatch(/^file:\/\/\/.*autop-nogit-[^/]+\/$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('every format says which models were assumed, and why', () => {
  const tree = ['fixtures/broken/unused-model-include'];

  it('text and JSON: the models the tree names, by token and file, when there is no inventory', async () => {
    const text = (await runCli(['check', ...tree])).stdout;
    expect(text).toContain(
      'Named by the tree but given nothing to read (no common boot file, no common CFG), so no phone of theirs was made up: T23G ([T23G] at 001565000001.boot:3).',
    );
    const json = JSON.parse((await runCli(['check', ...tree, '--format', 'json'])).stdout) as {
      models: { source: string; models: { id: string; why: string }[] };
    };
    expect(json.models.source).toBe('tree');
    expect(json.models.models).toEqual([
      { id: 'T23G', why: 'named by [T23G] at 001565000001.boot:3', checked: false },
    ]);
  });

  it('SARIF (a note notification) and GitHub (a notice)', async () => {
    const sarif = JSON.parse((await runCli(['check', ...tree, '--format', 'sarif'])).stdout) as SarifLog;
    const note = sarif.runs[0]!.invocations[0]!.toolExecutionNotifications.find(
      (n) => n.descriptor.id === 'models',
    );
    expect(note?.message.text).toContain('1 MAC boot file is a phone of unknown model');
    const github = (await runCli(['check', ...tree, '--format', 'github'])).stdout;
    expect(github).toMatch(
      /^::notice title=autop check%3A models::.*1 MAC boot file is a phone of unknown model/m,
    );
  });
});
