// Issue #17: schemas/ holds a JSON Schema (draft-07) per document, generated from the TypeScript
// types (npm run schemas): the committed files must be what the generator makes now, and each
// schema must refuse a document that breaks it (cliParity.test.ts checks that real ones pass).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSchemas, SCHEMAS, SCHEMAS_DIR } from '../../scripts/schemas.js';
import { provision } from '../../src/index.js';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { schemaProblems } from '../support/schemas.js';

describe('issue #17: schemas/', () => {
  it('holds exactly what npm run schemas generates from the types (run it after changing a type)', async () => {
    const generated = await generateSchemas();
    expect(readdirSync(SCHEMAS_DIR).sort()).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated)
      expect(readFileSync(join(SCHEMAS_DIR, file), 'utf8'), `schemas/${file} is stale`).toBe(text);
  }, 120_000);

  it('names its draft, an id and a title in each schema', () => {
    for (const { file } of SCHEMAS) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')) as Record<string, unknown>;
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.$id).toBe(`urn:autop-emulator:schema:${file.replace('.schema.json', '')}`);
      expect(schema.title).toMatch(/^autop |^A phone's saved state/);
    }
  });

  it('refuses a report with a field of the wrong type, a missing field or one it does not know', async () => {
    const { state, ...report } = await provision({
      tree: join(fixturesDir, 'site'),
      mac: '00:15:65:74:b1:50',
      model: 'T46U',
    });
    expect(schemaProblems('provision-report', report)).toEqual([]);
    expect(schemaProblems('provision-report', { ...report, reboot: 'yes' })).toEqual([
      '/reboot: must be boolean',
    ]);
    const { status: _, ...noStatus } = report;
    expect(schemaProblems('provision-report', noStatus)).toEqual(["/: must have required property 'status'"]);
    expect(schemaProblems('provision-report', { ...report, rebooted: true })).toEqual([
      '/: must NOT have additional properties',
    ]);
    expect(schemaProblems('phone-state', { ...state, rounds: '1' })).toEqual(['/rounds: must be number']);
  });
});
