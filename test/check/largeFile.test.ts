import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTree } from '../../src/check/checkTree.js';
import { chooseModels } from '../../src/check/modelChoice.js';
import { Engine } from '../../src/engine/round.js';
import { models, params } from '../support/engine.js';

describe('issue #16 §4: check is linear and stack-safe in the size of a file', () => {
  it('checks a 125,000-line CFG (62,500 bad lines, 62,500 repeats) without overflowing the stack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-large-'));
    try {
      await writeFile(join(dir, 'y000000000000.boot'), '#!version:1.0.0.1\n[T46U]include:config "big.cfg"\n');
      const lines = ['#!version:1.0.0.1'];
      for (let i = 0; i < 125_000; i++) lines.push(i % 2 === 0 ? `bad line ${i}` : `account.1.label = ${i}`);
      await writeFile(join(dir, 'big.cfg'), lines.join('\n') + '\n');
      const choice = await chooseModels(dir, models);
      const result = await checkTree({
        tree: dir,
        phones: choice.phones,
        choice,
        engine: new Engine({ models, params }),
      });
      const count = (id: string, severity: string): number =>
        result.findings.filter((f) => f.id === id && f.severity === severity).length;
      expect(count('C2', 'error')).toBe(62_500); // no "="
      expect(count('C2', 'warning')).toBe(62_499); // account.1.label set again
      expect(result.phones).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
