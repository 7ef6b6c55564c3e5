import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTree } from '../../src/check/checkTree.js';
import { chooseModels } from '../../src/check/modelChoice.js';
import { Engine } from '../../src/engine/round.js';
import { models, params } from '../support/engine.js';

const H = '#!version:1.0.0.1';
let dir: string | undefined;

async function tree(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'autop-choice-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('issue #12: without an inventory, the models a tree names, not all of them', () => {
  it('takes the [$MODEL] tokens and the model CFG names, with where they are', async () => {
    const root = await tree({
      'y000000000000.boot': `${H}\n[T46U]include:config "t46u.cfg"\ninclude:config "y000000000044.cfg"\n`,
      't46u.cfg': `${H}\n`,
      'y000000000044.cfg': `${H}\n`,
    });
    const choice = await chooseModels(root, models);
    expect(choice.source).toBe('tree');
    expect(choice.models.map((m) => [m.model.id, m.reasons, m.checked])).toEqual([
      ['T46U', [{ kind: 'token', file: 'y000000000000.boot', line: 2, token: 'T46U' }], true],
      // y000000000044.cfg is the common CFG of both the T23P and the T23G.
      ['T23P', [{ kind: 'common-cfg', file: 'y000000000044.cfg' }], true],
      ['T23G', [{ kind: 'common-cfg', file: 'y000000000044.cfg' }], true],
    ]);
    expect(choice.phones.map((p) => p.model.id)).toEqual(['T46U', 'T23P', 'T23G']);
    expect(choice.unknown).toEqual({ macBoots: 0, macCfgs: 0, commonBoot: false });
  });

  it('makes no phone of a model the tree names but gives nothing to read', async () => {
    // A token in a MAC boot file, no common boot file, no T23G common CFG.
    const root = await tree({
      '001565000001.boot': `${H}\n[T23G]include:config "a.cfg"\n`,
      'a.cfg': `${H}\n`,
    });
    const choice = await chooseModels(root, models);
    expect(choice.models.map((m) => [m.model.id, m.checked])).toEqual([['T23G', false]]);
    // The MAC boot file is a phone, of unknown model.
    expect(choice.phones.map((p) => [p.mac, p.model.id, p.modelUnknown])).toEqual([
      ['001565000001', 'unknown', true],
    ]);
  });

  it('follows a common boot file that names no model as one phone of unknown model', async () => {
    const root = await tree({
      'y000000000000.boot': `${H}\ninclude:config "site.cfg"\n`,
      'site.cfg': `${H}\n`,
    });
    const choice = await chooseModels(root, models);
    expect(choice.models).toEqual([]);
    expect(choice.unknown.commonBoot).toBe(true);
    expect(choice.phones).toHaveLength(1);
    expect(choice.phones[0]).toMatchObject({ modelUnknown: true, model: { token: null, id: 'unknown' } });
  });

  it('reads a tree of <mac>.cfg files alone (Wazo) as phones of unknown model: no round', async () => {
    const root = await tree({
      '805ec0aabb01.cfg': `${H}\naccount.1.label = 1\n`,
      '805ec0aabb02.cfg': `${H}\n`,
    });
    const choice = await chooseModels(root, models);
    expect(choice.phones).toEqual([]);
    expect(choice.unknown).toEqual({ macBoots: 0, macCfgs: 2, commonBoot: false });
  });

  it('with one --model, takes the MAC boot files as phones of that model', async () => {
    const root = await tree({ '001565000001.boot': `${H}\ninclude:config "a.cfg"\n`, 'a.cfg': `${H}\n` });
    const choice = await chooseModels(root, models, [models.find('T46U')!]);
    expect(choice.source).toBe('option');
    expect(choice.phones.map((p) => [p.mac, p.model.id, p.modelUnknown])).toEqual([
      ['001565000001', 'T46U', undefined],
    ]);
  });

  it('checks a phone of unknown model for what needs no model: no C5 from its stand-in', async () => {
    const accounts = Array.from({ length: 40 }, (_, i) => `account.${i + 1}.label = ${i + 1}`).join('\n');
    const root = await tree({
      '001565000001.boot': `${H}\ninclude:config "a.cfg"\n[T46U]include:config "missing-for-t46u.cfg"\n`,
      'a.cfg': `${H}\n${accounts}\nno equals sign here\n`,
    });
    const choice = await chooseModels(root, models);
    const result = await checkTree({
      tree: root,
      phones: choice.phones,
      choice,
      engine: new Engine({ models, params }),
      now: new Date('2026-11-29T10:00:00Z'),
    });
    expect(result.findings.map((f) => `${f.severity} ${f.id} ${f.file}:${f.line}`)).toEqual([
      'error C2 a.cfg:42',
      // The include no round followed (another model's) still names a file the tree lacks.
      'error B3/missing-include 001565000001.boot:3',
    ]);
  });
});
