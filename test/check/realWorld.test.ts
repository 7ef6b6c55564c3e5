// `autop check` on trees in the shapes real provisioning systems write (fixtures/real-world, see
// its README): exactly the findings each tree's expected-findings.json lists, every error one of
// the mistakes planted on purpose, and every output format accepted by its consumer (issue #12).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';
import { runCli } from '../support/cli.js';
import { validateSarif } from '../support/sarif.js';

interface Expected {
  readonly args: readonly string[];
  readonly exit: number;
  /** `file:line` → why it is a mistake. */
  readonly planted: Readonly<Record<string, string>>;
  readonly catalogueDependent: readonly string[];
  /** `severity id file:line`, in output order. */
  readonly findings: readonly string[];
}

const ROOT = join(fixturesDir, 'real-world');
const trees = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const JUNIT_XSD = readFileSync(join(packageRoot, 'test/check/schemas/jenkins-junit-10.xsd'), 'utf8');

describe('autop check on realistic trees', () => {
  it('has the six shapes of fixtures/real-world', () => {
    expect(trees).toEqual([
      '3cx-t4x',
      'dect-w80dm',
      'fusionpbx-legacy',
      'templated-site',
      'w52p-legacy',
      'wazo-mac-only',
    ]);
  });

  it.each(trees)(
    '%s: exactly the expected findings; every error planted; every format valid',
    async (tree) => {
      const dir = join('fixtures/real-world', tree);
      const expected = JSON.parse(
        readFileSync(join(ROOT, tree, 'expected-findings.json'), 'utf8'),
      ) as Expected;
      const args = ['check', dir, ...expected.args.map((a) => (a.endsWith('.csv') ? join(dir, a) : a))];
      const [json, sarif, junit] = await Promise.all(
        ['json', 'sarif', 'junit'].map((format) => runCli([...args, '--format', format])),
      );

      const doc = JSON.parse(json!.stdout) as {
        findings: { severity: string; id: string; file?: string; line?: number }[];
      };
      const found = doc.findings.map((f) => `${f.severity} ${f.id} ${f.file ?? '-'}:${f.line ?? '-'}`);
      expect(found).toEqual(expected.findings);
      expect(json!.code).toBe(expected.exit);

      // No error on a valid line: each is a planted mistake, and each planted mistake is found.
      const places = doc.findings.map((f) => `${f.file}:${f.line}`);
      for (const f of doc.findings.filter((f) => f.severity === 'error'))
        expect(Object.keys(expected.planted), `${f.id} ${f.file}:${f.line}`).toContain(`${f.file}:${f.line}`);
      for (const place of Object.keys(expected.planted)) expect(places).toContain(place);

      expect(validateSarif(JSON.parse(sarif!.stdout))).toEqual([]);
      const xml = await validateXML({
        xml: [{ fileName: `${tree}.xml`, contents: junit!.stdout }],
        schema: [{ fileName: 'junit-10.xsd', contents: JUNIT_XSD }],
      });
      expect(xml.errors.map((e) => e.rawMessage)).toEqual([]);
      expect([sarif!.code, junit!.code]).toEqual([expected.exit, expected.exit]);
    },
  );

  it('checks a Wazo tree of <mac>.cfg files alone (refused before, exit 2), for what needs no model', async () => {
    const { code, stdout } = await runCli(['check', 'fixtures/real-world/wazo-mac-only']);
    expect(code).toBe(0);
    expect(stdout).toContain('3 MAC CFG files are read as phones of unknown model');
  });

  it('takes a DECT manager tree as its model by the model CFG name, with no account beyond 16 refused', async () => {
    const { stdout } = await runCli(['check', 'fixtures/real-world/dect-w80dm', '--format', 'json']);
    const doc = JSON.parse(stdout) as {
      models: { models: { id: string; why: string }[] };
      findings: { id: string }[];
    };
    expect(doc.models.models).toEqual([{ id: 'W80DM', why: 'named by y000000000103.cfg', checked: true }]);
    expect(doc.findings.map((f) => f.id)).not.toContain('catalogue/out-of-range');
  });
});
