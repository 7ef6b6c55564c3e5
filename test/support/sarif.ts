// SARIF as its consumers take it: valid against the SARIF 2.1.0 schema, and every result located
// as GitHub code scanning requires (a result without a location, or without an artifact location,
// makes it reject the whole upload: codeql-action issues #1738, #2459).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { packageRoot } from '../../src/core/packageRoot.js';

// The SARIF 2.1.0 schema as published to SchemaStore (2.1.0-rtm.5, the OASIS standard's), shipped
// by the devDependency @microsoft/jest-sarif; draft-04, hence ajv-draft-04. Its language-tag
// pattern is not valid under the u flag, hence unicodeRegExp: false.
const schema = JSON.parse(
  readFileSync(
    join(packageRoot, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
    'utf8',
  ),
) as object;
const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

interface SarifLike {
  runs?: {
    results?: {
      locations?: {
        physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } };
      }[];
    }[];
  }[];
}

/** The problems a SARIF log has for the schema and for GitHub code scanning; [] when none. */
export function validateSarif(log: unknown): string[] {
  const problems: string[] = [];
  if (!validate(log))
    problems.push(...(validate.errors ?? []).map((e) => `schema: ${e.instancePath} ${e.message ?? ''}`));
  (log as SarifLike).runs?.forEach((run, r) =>
    run.results?.forEach((result, i) => {
      const physical = result.locations?.[0]?.physicalLocation;
      if (!physical?.artifactLocation?.uri) problems.push(`runs[${r}].results[${i}]: no artifact location`);
      if (!(typeof physical?.region?.startLine === 'number' && physical.region.startLine >= 1))
        problems.push(`runs[${r}].results[${i}]: no region.startLine`);
    }),
  );
  return problems;
}
