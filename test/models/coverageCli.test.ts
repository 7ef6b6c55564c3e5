// The catalogue coverage command line (scripts/catalogue-coverage.ts), run as a maintainer would.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/packageRoot.js';

const SCRIPT = join(packageRoot, 'dist', 'scripts', 'catalogue-coverage.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run catalogue:coverage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autop-coverage-'));
    await writeFile(
      join(dir, 'y000000000028.cfg'),
      '#!version:1.0.0.1\naccount.{$line}.label = {$label}\nfeatures.dnd.enable = 0\naccount.1.made_up.setting = 1\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON document with the figures and the unknown names', async () => {
    const result = await run(['--json', '--source', `site=${dir}`]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      sources: { source: string; distinct: number; known: number; unknownFamilies: { names: string[] }[] }[];
    };
    expect(report.sources[0]).toMatchObject({ source: 'site', distinct: 3, known: 2 });
    expect(report.sources[0]!.unknownFamilies.flatMap((f) => f.names)).toEqual(['account.{n}.made_up.setting']);
  });

  it('prints the share known per source as text, and exits 1 under --fail-under', async () => {
    const result = await run([dir, '--fail-under', '90']);
    expect(result.stdout).toContain('distinct names 3, known 2, unknown 1: 66.7% known');
    expect(result.stdout).toContain('account.{n}.made_up.*');
    expect(result.code).toBe(1);
  });

  it('is a usage error (exit 2) without a folder or with one that does not exist', async () => {
    expect((await run([])).code).toBe(2);
    const missing = await run(['--source', `x=${join(dir, 'nope')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is not a folder');
  });
});
