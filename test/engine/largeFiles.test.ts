// Issue #13.2: a CFG of 2 MB (some 150,000 settings) and a boot file with 5,000 includes go through
// a round, `provision` and `explain` without "Maximum call stack size exceeded": every step is
// linear and stack-safe in file size and include count. No timing assertion (speed is for bench).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { newPhone, round } from '../support/engine.js';
import { MemoryTree } from '../support/memoryTree.js';

const HEADER = '#!version:1.0.0.1';
const INCLUDES = 5000;

/** A CFG of at least `bytes` bytes of short `key = value` lines, and how many settings it has. */
function bigCfg(bytes: number): { text: string; settings: number } {
  const lines = [HEADER];
  let size = 0;
  let i = 0;
  while (size < bytes) {
    const line = `x.k${i} = ${i % 7}`;
    lines.push(line);
    size += line.length + 1;
    i++;
  }
  return { text: lines.join('\n') + '\n', settings: i };
}

/** big.cfg, then 5,000 small includes, each setting one key of its own and overriding one of big.cfg. */
function bigTree(): Record<string, string> {
  const files: Record<string, string> = { 'big.cfg': bigCfg(2_000_000).text };
  const boot = [HEADER, 'include:config "big.cfg"'];
  for (let j = 0; j < INCLUDES; j++) {
    boot.push(`include:config "inc${j}.cfg"`);
    files[`inc${j}.cfg`] = `${HEADER}\ninc.k${j} = ${j}\nx.k${j} = overridden\n`;
  }
  files['y000000000000.boot'] = boot.join('\n') + '\n';
  return files;
}

describe('#13.2 large files and many includes', () => {
  it('a round applies a 2 MB CFG and 5,000 includes, and the next round finds nothing new (M1)', async () => {
    const { settings } = bigCfg(2_000_000);
    expect(settings).toBeGreaterThan(125_000);
    const tree = new MemoryTree(bigTree());
    const first = await round(tree, newPhone());
    expect(first.report.status).toBe('updated');
    expect(first.report.errors).toEqual([]);
    expect(first.report.applied).toHaveLength(INCLUDES + 1);
    expect(first.state.config[`x.k${settings - 1}`]).toBe(String((settings - 1) % 7));
    expect(first.state.config['x.k42']).toBe('overridden');
    expect(first.state.config[`inc.k${INCLUDES - 1}`]).toBe(String(INCLUDES - 1));

    const second = await round(tree, first.state);
    expect(second.report.status).toBe('unchanged');
  });

  describe('through the CLI', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'autop-large-'));
      for (const [name, text] of Object.entries(bigTree())) await writeFile(join(dir, name), text);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    const phone = ['--mac', '00:15:65:00:00:01', '--model', 'T46U'];

    it('provision --tree reports the round, text and --json', async () => {
      const text = await runCli(['provision', '--tree', dir, ...phone], { timeoutMs: 120_000 });
      expect(text.stderr).toBe('');
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('provisioned');
      const json = await runCli(['provision', '--tree', dir, ...phone, '--json'], { timeoutMs: 120_000 });
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as { config: Record<string, string>; applied: string[] };
      expect(report.applied).toHaveLength(INCLUDES + 1);
      expect(report.config['x.k7']).toBe('overridden');
    }, 240_000);

    it('explain explains every parameter set by more than one line', async () => {
      const all = await runCli(['explain', dir, ...phone, '--json'], { timeoutMs: 120_000 });
      expect(all.stderr).toBe('');
      expect(all.code).toBe(0);
      const explained = JSON.parse(all.stdout) as {
        parameters: { key: string; value: string; entries: { file: string; verdict: string }[] }[];
      };
      expect(explained.parameters).toHaveLength(INCLUDES);
      expect(explained.parameters.find((p) => p.key === 'x.k7')).toMatchObject({
        value: 'overridden',
        entries: [
          { file: 'big.cfg', verdict: 'lost' },
          { file: 'inc7.cfg', verdict: 'won' },
        ],
      });
    }, 240_000);
  });
});
