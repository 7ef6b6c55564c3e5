// Issue #17, done when: a fresh consumer project installs the packed package, imports the API with
// full types, and its example tests pass. A copy of the project is packed (test/support/pack.ts); a
// new project (ESM, vitest at this project's version, typescript) installs the tarball from disk and
// the rest from the npm registry; the README's "In your own tests" example is written there verbatim
// beside a `provisioning/` tree (fixtures/site), and `npx vitest run` and `npx tsc --noEmit` run it.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';
import { packCopy, tarballFiles } from '../support/pack.js';

const exec = promisify(execFile);
const MINUTES = 60_000;

/** The README's example: the first ```ts block of its "In your own tests" section. */
export function readmeExample(readme: string): { file: string; code: string } {
  const start = readme.indexOf('## In your own tests');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (start < 0 || code === undefined)
    throw new Error('README.md: no ```ts example under "## In your own tests"');
  // Its first line names the file: `// provisioning.test.ts`.
  const file = /^\/\/ (\S+\.test\.ts)\n/.exec(code)?.[1];
  if (file === undefined) throw new Error('README.md: the example does not start with // NAME.test.ts');
  return { file, code };
}

async function version(name: string): Promise<string> {
  const manifest = join(packageRoot, 'node_modules', name, 'package.json');
  return (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version;
}

/** Runs a command in the consumer project; its output, whatever the exit status. */
async function run(cwd: string, command: string, args: string[]): Promise<{ code: number; output: string }> {
  return exec(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    maxBuffer: 16 << 20,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : -1,
      output: (e.stdout ?? '') + (e.stderr ?? ''),
    }),
  );
}

describe('issue #17: a new project installs the packed package and runs the README example', () => {
  let work: string;
  let tarball: string;
  let project: string;
  let example: { file: string; code: string };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'autop-consumer-'));
    tarball = await packCopy(work);
    example = readmeExample(await readFile(join(packageRoot, 'README.md'), 'utf8'));

    project = join(work, 'consumer');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify(
        {
          name: 'provisioning-tests',
          private: true,
          type: 'module',
          scripts: { test: 'vitest run' },
          devDependencies: {
            vitest: await version('vitest'),
            typescript: await version('typescript'),
          },
        },
        null,
        2,
      ),
    );
    // What `tsc --init` makes of a Node project, strict; the library's types need no @types/node.
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
      }),
    );
    await exec('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: project,
      maxBuffer: 16 << 20,
    });
    await cp(join(fixturesDir, 'site'), join(project, 'provisioning'), { recursive: true });
    await writeFile(join(project, example.file), example.code);
  }, 8 * MINUTES);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships the entry, its declarations and the schemas, and no test, bench or build output', async () => {
    const files = await tarballFiles(tarball);
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/LICENSE',
        'package/dist/src/index.js',
        'package/dist/src/index.d.ts',
        'package/dist/src/api/provision.d.ts',
        'package/schemas/provision-report.schema.json',
        'package/schemas/phone-state.schema.json',
      ]),
    );
    expect(
      files.filter((f) => /^package\/(src|test|bench|scripts|dist\/(test|bench|scripts))\//.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('installs it as autop-emulator, from the tarball', async () => {
    const installed = JSON.parse(
      await readFile(join(project, 'node_modules', 'autop-emulator', 'package.json'), 'utf8'),
    ) as { name: string };
    expect(installed.name).toBe('autop-emulator');
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies['autop-emulator']).toMatch(/^file:.*\.tgz$/);
  });

  it(
    'passes the example as written with npx vitest run',
    async () => {
      const { code, output } = await run(project, 'npx', ['vitest', 'run']);
      expect(output).toMatch(new RegExp(`${example.file.replace('.', '\\.')}`));
      // Every `it` of the example ran and passed.
      const tests = example.code.match(/^\s*it\(/gm)?.length ?? 0;
      expect(tests).toBeGreaterThanOrEqual(4);
      expect(output).toMatch(new RegExp(`Tests\\s+${tests} passed \\(${tests}\\)`));
      expect(code, output).toBe(0);
    },
    3 * MINUTES,
  );

  it(
    'type-checks the example with npx tsc --noEmit, the types coming from the package',
    async () => {
      const { code, output } = await run(project, 'npx', ['tsc', '--noEmit', '-p', '.']);
      expect(output).toBe('');
      expect(code).toBe(0);
      // And tsc does check it: a wrong use of a result is an error.
      await writeFile(
        join(project, 'wrong.ts'),
        "import { provision } from 'autop-emulator';\nconst r = await provision({ tree: 'provisioning' });\nexport const reboot: string = r.reboot;\n",
      );
      const wrong = await run(project, 'npx', ['tsc', '--noEmit', '-p', '.']);
      await rm(join(project, 'wrong.ts'));
      expect(wrong.output).toMatch(/wrong\.ts.*Type 'boolean' is not assignable to type 'string'/);
      expect(wrong.code).not.toBe(0);
    },
    3 * MINUTES,
  );
});
