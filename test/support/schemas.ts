// The shipped JSON Schemas (schemas/*.schema.json, draft-07) compiled once with ajv in strict mode,
// and a validator that says what is wrong, as a list a test can compare with [].
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { packageRoot } from '../../src/core/packageRoot.js';

export type SchemaName =
  'provision-report' | 'check-report' | 'diff-report' | 'explain-report' | 'fleet-report' | 'phone-state';

const ajv = new Ajv.default({ allErrors: true, strict: true });
const compiled = new Map<SchemaName, ValidateFunction>();

export function schemaFile(name: SchemaName): string {
  return join(packageRoot, 'schemas', `${name}.schema.json`);
}

/** The document's problems against the schema, as `path: message` lines; [] when it is valid. */
export function schemaProblems(name: SchemaName, document: unknown): string[] {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(schemaFile(name), 'utf8')) as object);
    compiled.set(name, validate);
  }
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}
