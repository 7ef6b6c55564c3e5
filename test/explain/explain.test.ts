import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { explain } from '../../src/explain/chain.js';
import { file } from '../support/memoryTree.js';
import { engine, models, newPhone, T23G_MAC, T46U_MAC } from '../support/engine.js';
import { runCli } from '../support/cli.js';

const site = join(fixturesDir, 'site');

describe('explain: the chain of lines that set a parameter (issue #4 §5)', () => {
  it("B4: the phone file overrides the model file; the other model's file is filtered out (B5)", async () => {
    const { explanations } = await explain({
      engine,
      tree: site,
      model: models.find('T46U')!,
      state: newPhone('T46U', T46U_MAC),
      params: ['linekey.2.line'],
    });
    expect(explanations).toHaveLength(1);
    const e = explanations[0]!;
    expect(e).toMatchObject({ key: 'linekey.2.line', value: '2' });
    expect(e.entries.map((x) => [x.file, x.line, x.value, x.verdict, x.rule])).toEqual([
      ['y000000000108.cfg', 12, '1', 'lost', 'B4'],
      ['phones/00156574b150.cfg', 40, '2', 'won', 'B4'],
      ['y000000000044.cfg', 11, '1', 'ignored', 'B5'],
    ]);
    expect(e.entries[0]!.reason).toBe(
      'overridden by phones/00156574b150.cfg:40, which comes later in the include order',
    );
  });

  it('B4: for a T23G the model file overrides the site file', async () => {
    const { explanations } = await explain({
      engine,
      tree: site,
      model: models.find('T23G')!,
      state: newPhone('T23G', T23G_MAC),
      params: ['features.auto_answer_delay'],
    });
    expect(explanations[0]!.entries.map((x) => [x.file, x.line, x.verdict])).toEqual([
      ['site.cfg', 282, 'lost'],
      ['y000000000044.cfg', 32, 'won'],
    ]);
  });

  it('C3 model filter, C2 last line in a file, B6 blank value under overwrite mode', async () => {
    const tree = await mkdtemp(join(tmpdir(), 'autop-explain-'));
    await writeFile(
      join(tree, 'y000000000000.boot'),
      file('include:config "a.cfg"', 'include:config "b.cfg"'),
    );
    await writeFile(
      join(tree, 'a.cfg'),
      file('features.key_tone = 1', '[T23G] features.key_tone = 5', 'features.key_tone = 0'),
    );
    await writeFile(join(tree, 'b.cfg'), file('features.key_tone ='));
    const { explanations } = await explain({
      engine,
      tree,
      model: models.find('T46U')!,
      state: newPhone('T46U'),
      params: ['features.key_tone'],
    });
    const e = explanations[0]!;
    expect(e.value).toBeNull();
    expect(e.entries.map((x) => [x.file, x.line, x.verdict, x.rule])).toEqual([
      ['a.cfg', 2, 'lost', 'C2'],
      ['a.cfg', 3, 'ignored', 'C3'],
      ['a.cfg', 4, 'lost', 'B6'],
      ['b.cfg', 2, 'reset', 'B6'],
    ]);
    await rm(tree, { recursive: true, force: true });
  });

  it('the CLI prints the chain, the winner first marked', async () => {
    const { code, stdout } = await runCli([
      'explain',
      'fixtures/site',
      '--mac',
      '00:15:65:74:b1:50',
      '--model',
      'T46U',
      'linekey.2.line',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^linekey\.2\.line = 2$/m);
    expect(stdout).toMatch(
      /✓ phones\/00156574b150\.cfg:40 {2}= 2\n\s+won: the last line that applies to this phone \(B4\)/,
    );
    expect(stdout).toMatch(
      /✗ y000000000108\.cfg:12 {2}= 1\n\s+lost: overridden by phones\/00156574b150\.cfg:40/,
    );
    expect(stdout).toMatch(
      /· y000000000044\.cfg:11 {2}= 1\n\s+ignored: model filter: the boot file includes this file only for other models \(B5\)/,
    );
  });
});

describe('#13.8 explain: a file the phone refused applies none of its lines', () => {
  it('a plain file under update_file_mode = 1 is listed as ignored, with the E4 reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-explain-refused-'));
    try {
      await writeFile(
        join(dir, 'y000000000000.boot'),
        file('include:config "a.cfg"', 'include:config "b.cfg"'),
      );
      await writeFile(
        join(dir, 'a.cfg'),
        file('static.auto_provision.update_file_mode = 1', 'lang.gui = German'),
      );
      await writeFile(join(dir, 'b.cfg'), file('lang.gui = French'));
      const { explanations } = await explain({
        engine,
        tree: dir,
        model: models.find('T46U')!,
        state: newPhone('T46U', T46U_MAC),
        params: ['lang.gui'],
      });
      expect(explanations[0]!.value).toBe('German');
      expect(explanations[0]!.entries.map((e) => [e.file, e.verdict, e.rule])).toEqual([
        ['a.cfg', 'won', 'B4'],
        ['b.cfg', 'ignored', 'E4'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
