import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { macOrThrow } from '../../src/core/mac.js';
import { factoryState } from '../../src/phone/state.js';
import { readStateFile, writeStateFile } from '../../src/phone/stateFile.js';

describe("the phone's saved state", () => {
  it('round-trips through a file and leaves no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-state-'));
    const path = join(dir, 'phone.json');
    const state = {
      ...factoryState(macOrThrow('00:15:65:74:B1:50'), 'T46U', '108.86.0.90'),
      config: { 'lang.gui': 'French' },
    };
    await writeStateFile(path, state);
    await writeStateFile(path, { ...state, rounds: 2 });
    expect(await readStateFile(path)).toEqual({ kind: 'ok', state: { ...state, rounds: 2 } });
    expect(await readdir(dir)).toEqual(['phone.json']);
  });

  it('replaces the file whole: a reader sees the old state or the new one, never a mix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-state-'));
    const path = join(dir, 'phone.json');
    const base = factoryState(macOrThrow('001565000001'), 'T46U', '108.86.0.90');
    await writeStateFile(path, base);
    const big = {
      ...base,
      config: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`p.${i}`, 'v'.repeat(20)])),
    };
    const writes = writeStateFile(path, big);
    const seen = await readFile(path, 'utf8');
    await writes;
    expect(() => JSON.parse(seen) as unknown).not.toThrow();
    expect(
      Object.keys((await readStateFile(path).then((r) => (r.kind === 'ok' ? r.state : base))).config),
    ).toHaveLength(20000);
  });

  it('says what is wrong with a file that is not a phone state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-state-'));
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"format":"autop-phone-state/1","mac":"zz"}');
    expect(await readStateFile(path)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('mac') as string,
    });
    const shaped = {
      ...factoryState(macOrThrow('001565000002'), 'T46U', '108.86.0.90'),
      config: { 'lang.gui': 7 },
    };
    await writeFile(path, JSON.stringify(shaped));
    expect(await readStateFile(path)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('config["lang.gui"] must be a string') as string,
    });
    await writeFile(path, '{not json');
    expect(await readStateFile(path)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('not JSON') as string,
    });
    expect(await readStateFile(join(dir, 'absent.json'))).toEqual({ kind: 'absent' });
  });

  it('#13.10 a MAC written in upper case or with colons is read as the phone’s MAC', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-state-'));
    const path = join(dir, 'phone.json');
    const state = factoryState(macOrThrow('00156574b150'), 'T46U', '108.86.0.90');
    await writeFile(path, JSON.stringify({ ...state, mac: '00:15:65:74:B1:50' }));
    expect(await readStateFile(path)).toEqual({ kind: 'ok', state });
  });

  it('writes atomically, readable only by its owner, with no temporary file left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autop-state-'));
    const path = join(dir, 'phone.json');
    await writeStateFile(path, factoryState(macOrThrow('001565000003'), 'T46U', '108.86.0.90'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['phone.json']);
  });
});
