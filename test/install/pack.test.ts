// The package as users get it (issue #12, "Install"): `npm pack` of a copy of the project
// (test/support/pack.ts), installed globally into a temporary prefix from the tarball (its
// dependencies from the npm registry), and the README's GitHub Actions steps run with that prefix's
// `bin` first on PATH, in a temporary git repository whose provisioning tree is a folder.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, packageRoot } from '../../src/core/packageRoot.js';
import { packCopy, tarballFiles } from '../support/pack.js';
import { validateSarif } from '../support/sarif.js';

const exec = promisify(execFile);
const MINUTES = 60_000;

interface Manifest {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
}

/** The `run:` commands of the README's "In GitHub Actions" workflow, folded lines joined. */
function actionsCommands(readme: string): string[] {
  const section = readme.slice(readme.indexOf('### In GitHub Actions'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = yaml.split('\n');
  const commands: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const run = /^(\s*)(?:- )?run: (.*)$/.exec(lines[i]!);
    if (!run) continue;
    if (run[2]!.trim() === '>') {
      const folded: string[] = [];
      const indent = run[1]!.length;
      while (i + 1 < lines.length && /^\s*/.exec(lines[i + 1]!)![0].length > indent)
        folded.push(lines[++i]!.trim());
      commands.push(folded.join(' '));
    } else {
      commands.push(run[2]!.replace(/\s+#.*$/, '').trim());
    }
  }
  return commands;
}

describe('the packed package installs, and the README GitHub Actions steps run with it', () => {
  let work: string;
  let prefix: string;
  let tarball: string;
  let manifest: Manifest;
  let readme: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'autop-pack-'));
    manifest = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as Manifest;
    readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
    tarball = await packCopy(work);
    prefix = join(work, 'prefix');
    await exec(
      'npm',
      ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball],
      { maxBuffer: 16 << 20 },
    );
  }, 5 * MINUTES);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is published under a name that is not the unrelated `autop`, with the `autop` command', () => {
    expect(manifest.name).not.toBe('autop');
    expect(Object.keys(manifest.bin)).toEqual(['autop']);
    expect(tarball.endsWith(`${manifest.name}-${manifest.version}.tgz`)).toBe(true);
    // The README's install lines name this package and this tarball.
    expect(readme).toContain(`npm install --global ${manifest.name}`);
    expect(readme).toContain(`npm install --global ./${manifest.name}-${manifest.version}.tgz`);
  });

  it('ships the code, the catalogues and the demo tree, and no tests or sources', async () => {
    const files = await tarballFiles(tarball);
    expect(files).toContain('package/dist/src/cli/main.js');
    expect(files).toContain('package/models/models.json');
    expect(files).toContain('package/models/parameters.json');
    expect(files).toContain('package/fixtures/site/00156574b150.boot');
    expect(files).toContain('package/LICENSE');
    expect(files.filter((f) => /^package\/(src|test|bench|dist\/test)\//.test(f))).toEqual([]);
  });

  it(
    'runs the workflow steps: annotations and SARIF name provisioning/…, diff writes a summary',
    async () => {
      const commands = actionsCommands(readme);
      expect(commands[0]).toBe(`npm install --global ${manifest.name}`);
      expect(commands.length).toBeGreaterThanOrEqual(4);

      // The user's repository: a provisioning folder, a base commit, then a change on the branch.
      const repo = join(work, 'repo');
      await cp(join(fixturesDir, 'site'), join(repo, 'provisioning'), { recursive: true });
      const git = (...args: string[]) =>
        exec('git', ['-c', 'user.name=CI', '-c', 'user.email=ci@example.invalid', ...args], { cwd: repo });
      await git('init', '-q');
      await git('add', '.');
      await git('commit', '-qm', 'base');
      const base = (await git('rev-parse', 'HEAD')).stdout.trim();
      const site = join(repo, 'provisioning', 'site.cfg');
      const before = (await readFile(site, 'utf8')).replace(
        /^static\.network\.vlan\.internet_port_vid = .*$/m,
        'static.network.vlan.internet_port_vid = 20',
      );
      const typo = before.split('\n').length; // the line of the misspelt parameter below
      await writeFile(site, `${before}account.1.lable = Reception\n`);
      await git('commit', '-qam', 'voice VLAN 20, and a misspelt parameter');

      const summary = join(work, 'step-summary.md');
      await writeFile(summary, '');
      const env = {
        ...process.env,
        PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
        GITHUB_ACTIONS: 'true',
        GITHUB_STEP_SUMMARY: summary,
        NO_COLOR: '1',
      };
      const outputs: string[] = [];
      for (const command of commands.slice(1)) {
        const script = command.replaceAll('${{ github.event.pull_request.base.sha }}', base);
        const { stdout } = await exec('bash', ['-eo', 'pipefail', '-c', script], {
          cwd: repo,
          env,
          maxBuffer: 64 << 20,
        });
        outputs.push(stdout);
      }
      // The installed command is the package's, not another `autop` on PATH.
      const which = await exec('bash', ['-c', 'command -v autop'], { env });
      expect(which.stdout.trim()).toBe(join(prefix, 'bin', 'autop'));

      // Step 1: annotations (GITHUB_ACTIONS=true) with paths from the repository root.
      expect(outputs[0]).toMatch(/^::notice title=autop check%3A models::/m);
      expect(outputs[0]).toMatch(/^autop check: 6 phones, 0 errors, 1 warning/m);
      expect(outputs[0]).toContain(
        `::warning file=provisioning/site.cfg,line=${typo},title=catalogue/unknown-parameter::account.1.lable`,
      );

      // Step 2: SARIF for code scanning, valid, every result located in provisioning/.
      const sarif = JSON.parse(await readFile(join(repo, 'autop.sarif'), 'utf8')) as {
        runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
      };
      expect(validateSarif(sarif)).toEqual([]);
      expect(
        sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri),
      ).toEqual(['provisioning/site.cfg']);

      // Step 3: the diff's markdown in the job summary names the change and the reboot it causes.
      const markdown = await readFile(summary, 'utf8');
      expect(markdown).toContain('static.network.vlan.internet_port_vid');
      expect(markdown).toMatch(/reboot/i);
    },
    3 * MINUTES,
  );
});
