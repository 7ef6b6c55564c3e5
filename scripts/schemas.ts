// `npm run schemas`: the JSON Schemas (draft-07) of the documents the CLI prints and the library
// returns, generated from their TypeScript types with ts-json-schema-generator, into schemas/.
// test/api/schemas.test.ts checks that the committed files are what this script makes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { createGenerator } from 'ts-json-schema-generator';
import { packageRoot } from '../src/core/packageRoot.js';

/** Each schema: its file in schemas/, the type it is made from, and what it describes. */
export const SCHEMAS = [
  {
    file: 'provision-report.schema.json',
    type: 'ProvisionReport',
    title: 'autop provision --json: one provisioning round (the library: provision())',
  },
  {
    file: 'check-report.schema.json',
    type: 'CheckDocument',
    title: 'autop check --format json: the findings of a tree (the library: check())',
  },
  {
    file: 'diff-report.schema.json',
    type: 'DiffDocument',
    title: 'autop diff --format json: the impact of a new tree (the library: diff())',
  },
  {
    file: 'explain-report.schema.json',
    type: 'ExplainDocument',
    title: "autop explain --json: where a phone's parameters come from (the library: explain())",
  },
  {
    file: 'fleet-report.schema.json',
    type: 'FleetReport',
    title: 'autop fleet --json: a fleet run (the library: simulate())',
  },
  {
    file: 'phone-state.schema.json',
    type: 'PhoneStateFile',
    title: "A phone's saved state (autop provision --state FILE; the library: a result's state)",
  },
] as const;

export const SCHEMAS_DIR = join(packageRoot, 'schemas');

/**
 * `string | undefined` (a record whose keys may be absent) comes out as `anyOf: [string, not {}]`:
 * the second branch matches nothing, so the first alone says the same, more plainly.
 */
function withoutNever(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNever);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node).map(([k, v]) => [k, withoutNever(v)] as const);
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  const never = (n: unknown): boolean =>
    typeof n === 'object' && n !== null && JSON.stringify(n) === JSON.stringify({ not: {} });
  const anyOf = object.anyOf;
  if (Array.isArray(anyOf) && anyOf.some(never)) {
    const rest = anyOf.filter((n) => !never(n));
    const { anyOf: _dropped, ...others } = object;
    return rest.length === 1 ? { ...(rest[0] as object), ...others } : { ...others, anyOf: rest };
  }
  return object;
}

/** File name → its content, formatted as Prettier formats the repository's JSON. */
export async function generateSchemas(): Promise<Map<string, string>> {
  const generator = createGenerator({
    path: join(packageRoot, 'src', 'index.ts'),
    tsconfig: join(packageRoot, 'src', 'tsconfig.json'),
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: true,
    skipTypeCheck: true,
  });
  const options = { ...(await prettier.resolveConfig(join(SCHEMAS_DIR, 'x.json'))), parser: 'json' };
  const files = new Map<string, string>();
  for (const { file, type, title } of SCHEMAS) {
    const { $schema, ...rest } = generator.createSchema(type);
    const schema = withoutNever({
      $schema,
      $id: `urn:autop-emulator:schema:${file.replace(/\.schema\.json$/, '')}`,
      title,
      ...rest,
    });
    files.set(file, await prettier.format(JSON.stringify(schema), options));
  }
  return files;
}

async function main(): Promise<void> {
  await mkdir(SCHEMAS_DIR, { recursive: true });
  for (const [file, text] of await generateSchemas()) {
    await writeFile(join(SCHEMAS_DIR, file), text);
    process.stdout.write(`schemas/${file}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
