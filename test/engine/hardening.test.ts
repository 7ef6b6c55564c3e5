// Issue #13 (engine side) and #12's offline --tree: hostile or careless input is an outcome with a
// clear finding, never a crash; a refused file keeps the phone's settings; every finding about a
// file has a line.
import { describe, expect, it } from 'vitest';
import { parseAesKey, type AesKey } from '../../src/crypto/aesKey.js';
import { encryptConfig } from '../../src/crypto/configCipher.js';
import { DEFAULT_SIZE_LIMITS } from '../../src/engine/sizeLimits.js';
import type { FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { renderText } from '../../src/report/text.js';
import { engine, models, newPhone, round } from '../support/engine.js';
import { MemoryTree, ROOT, file } from '../support/memoryTree.js';

/** A server that stops, as the real fetchers do, once a file is larger than the request allows. */
class LimitedTree extends MemoryTree {
  override async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const outcome = await super.fetch(request);
    if (
      outcome.kind === 'ok' &&
      request.maxBytes !== undefined &&
      outcome.bytes.byteLength > request.maxBytes
    )
      return { kind: 'failed', cause: 'too-large', detail: `larger than ${request.maxBytes} bytes` };
    return outcome;
  }
}

/** A tree read offline: anything not below the server's root is not fetched (#12). */
class OfflineTree extends MemoryTree {
  override async fetch(request: FetchRequest): Promise<FetchOutcome> {
    if (!request.url.href.startsWith(ROOT))
      return {
        kind: 'failed',
        cause: 'offline',
        detail: `not fetched: a --tree round reads nothing outside the tree (${request.url.href})`,
      };
    return super.fetch(request);
  }
}

const key = (text: string): AesKey => {
  const parsed = parseAesKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
};
const COM_KEY = 'Com0Key1Test2Xyz';
const OTHER_KEY = 'Oth0Key1Test2Abc';
const encrypt = (text: string, k: string): Uint8Array =>
  encryptConfig(new TextEncoder().encode(text), key(k));

describe('#13.3 download size limits', () => {
  it('asks every download for at most its kind’s limit', async () => {
    const tree = new LimitedTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('lang.gui = French'),
    });
    await round(tree, newPhone());
    expect(tree.requests.map((r) => [tree.requested[tree.requests.indexOf(r)], r.maxBytes])).toEqual([
      ['00156574b150.boot', DEFAULT_SIZE_LIMITS.boot],
      ['y000000000000.boot', DEFAULT_SIZE_LIMITS.boot],
      ['a.cfg', DEFAULT_SIZE_LIMITS.config],
    ]);
  });

  it('a file over its limit fails the round with cause too-large, and the phone keeps its state', async () => {
    const tree = new LimitedTree({
      'y000000000000.boot': file('include:config "a.cfg"', 'include:config "big.cfg"'),
      'a.cfg': file('lang.gui = French'),
      'big.cfg': file(...Array.from({ length: 200 }, (_, i) => `x.k${i} = ${'v'.repeat(20)}`)),
    });
    const before = newPhone();
    const model = models.find(before.model)!;
    const { report, state } = await engine.runRound({
      model,
      state: before,
      server: { url: ROOT, source: 'test' },
      fetcher: tree,
      now: new Date('2026-11-29T10:00:00Z'),
      transfer: { attempts: 1, retryDelayMs: 0 },
      sizeLimits: { config: 1000 },
    });
    expect(report.status).toBe('failed');
    expect(state).toBe(before);
    expect(report.downloads.at(-1)).toMatchObject({ name: 'big.cfg', outcome: 'failed', cause: 'too-large' });
    expect(report.errors).toContainEqual(
      expect.objectContaining({ rule: 'D', file: 'y000000000000.boot', line: 3 }),
    );
  });

  it('a fetcher that returns more than allowed does not make the round keep it', async () => {
    // MemoryTree ignores maxBytes: the engine checks the size itself.
    const tree = new MemoryTree({ 'y000000000000.boot': file('include:config "a.cfg"', '#'.repeat(2000)) });
    const { report } = await engine.runRound({
      model: models.find('T46U')!,
      state: newPhone(),
      server: { url: ROOT, source: 'test' },
      fetcher: tree,
      now: new Date(),
      sizeLimits: { boot: 100 },
    });
    expect(report.status).toBe('failed');
    expect(report.downloads.at(-1)).toMatchObject({ kind: 'boot', cause: 'too-large' });
  });
});

describe('#13.8 a refused CFG keeps what it set before (B6 Decision)', () => {
  const boot = file('include:config "common.cfg"', 'include:config "a.cfg"');
  async function refusedSecondRound(second: string | Uint8Array, common: string[] = []) {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'common.cfg': file(`static.auto_provision.aes_key_16.com = ${COM_KEY}`),
      'a.cfg': file('features.dnd.enable = 1', 'lang.gui = French'),
    });
    const first = await round(tree, newPhone());
    expect(first.state.config['features.dnd.enable']).toBe('1');
    tree.set({
      'common.cfg': file(`static.auto_provision.aes_key_16.com = ${COM_KEY}`, ...common),
      'a.cfg': second,
    });
    return round(tree, first.state);
  }

  const expectKept = (report: Awaited<ReturnType<typeof round>>['report']) => {
    expect(report.status).toBe('updated');
    expect(report.config).toMatchObject({ 'features.dnd.enable': '1', 'lang.gui': 'French' });
    expect(report.changes.filter((c) => c.how === 'reset-deleted')).toEqual([]);
    expect(report.applied).not.toContain('a.cfg');
  };

  it('E4: no #!version header and no key that applies', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'common.cfg': file('lang.wui = English'),
      'a.cfg': file('features.dnd.enable = 1', 'lang.gui = French'),
    });
    const first = await round(tree, newPhone());
    tree.set({
      'a.cfg': 'features.dnd.enable = 1\nlang.gui = French\n',
      'common.cfg': file('lang.wui = German'),
    });
    const { report } = await round(tree, first.state);
    expect(report.errors).toContainEqual(expect.objectContaining({ rule: 'E4', file: 'a.cfg', line: 1 }));
    expectKept(report);
  });

  it('E2: encrypted under another key', async () => {
    const { report } = await refusedSecondRound(encrypt(file('features.dnd.enable = 1'), OTHER_KEY), [
      'lang.wui = German',
    ]);
    expect(report.errors).toContainEqual(expect.objectContaining({ rule: 'E2', file: 'a.cfg', line: 1 }));
    expectKept(report);
  });

  it('E4: a plain file under update_file_mode = 1', async () => {
    const { report } = await refusedSecondRound(file('lang.gui = French'), [
      'static.auto_provision.update_file_mode = 1',
    ]);
    expect(report.errors).toContainEqual(expect.objectContaining({ rule: 'E4', file: 'a.cfg', line: 1 }));
    expectKept(report);
  });

  it('a failed transfer of one file: the round fails and the phone keeps everything', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'common.cfg': file(),
      'a.cfg': file('lang.gui = French'),
    });
    const first = await round(tree, newPhone());
    tree.set({ 'a.cfg': 'fail' });
    const second = await round(tree, first.state);
    expect(second.report.status).toBe('failed');
    expect(second.state).toBe(first.state);
  });

  it('a file deleted from the tree still resets what it set (the guide’s "deleted")', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': boot,
      'common.cfg': file(),
      'a.cfg': file('lang.gui = French'),
    });
    const first = await round(tree, newPhone());
    tree.delete('a.cfg');
    const second = await round(tree, first.state);
    expect(second.report.changes).toContainEqual(
      expect.objectContaining({ key: 'lang.gui', how: 'reset-deleted' }),
    );
  });
});

describe('#13.10 boot-file keys in a CFG, error prefixes, failed rounds', () => {
  it('overwrite_mode and specific_model.excluded_mode in a CFG are a warning with file and line, not parameters', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('overwrite_mode = 0', 'specific_model.excluded_mode = 1', 'lang.gui = French'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.config).toEqual({ 'lang.gui': 'French' });
    expect(report.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'B6', file: 'a.cfg', line: 2 }),
        expect.objectContaining({ rule: 'B7', file: 'a.cfg', line: 3 }),
      ]),
    );
    expect(report.boot).toEqual({ file: 'y000000000000.boot', overwrite: true, excludedMode: false });
  });

  it('a failed transfer says "wrong credentials" once', async () => {
    const tree = new MemoryTree();
    tree.fetch = () =>
      Promise.resolve({
        kind: 'failed',
        cause: 'auth',
        detail: 'wrong credentials: the server refused the password for user "u" (HTTP 401)',
      });
    const { report } = await round(tree, newPhone());
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.message).toBe(
      '00156574b150.boot: wrong credentials: the server refused the password for user "u" (HTTP 401)',
    );
  });

  it('the text report of a failed round does not state a mechanism as chosen', async () => {
    const tree = new MemoryTree({ '00156574b150.boot': 'fail' });
    const { report } = await round(tree, newPhone());
    expect(report.status).toBe('failed');
    const text = renderText(report);
    expect(text).not.toMatch(/^mechanism {2}MAC boot file \(B1\)$/m);
    expect(text).toMatch(
      /^mechanism {2}none applied \(the round stopped while on the MAC boot file \(B1\)\)$/m,
    );
  });
});

describe('diagnostics about a whole file have line 1', () => {
  it('C1 binary content, B2 binary boot file', async () => {
    const binary = new Uint8Array([0x23, 0x21, 1, 2, 3, 0x0a]);
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': `#!version:1.0.0.1\nlang.gui = Fr\u0001ench\n`,
    });
    const { report } = await round(tree, newPhone());
    expect(report.errors).toContainEqual(expect.objectContaining({ rule: 'C1', file: 'a.cfg', line: 1 }));
    const bad = await round(new MemoryTree({ 'y000000000000.boot': binary }), newPhone());
    expect(bad.report.errors).toContainEqual(
      expect.objectContaining({ rule: 'B2', file: 'y000000000000.boot', line: 1 }),
    );
  });
});

describe('#12 an offline --tree round reads nothing outside the tree', () => {
  const outside = 'http://elsewhere.test/';
  it('an include outside the tree is a warning, and the round goes on', async () => {
    const tree = new OfflineTree({
      'y000000000000.boot': file('include:config "a.cfg"', `include:config "${outside}b.cfg"`),
      'a.cfg': file('lang.gui = French'),
    });
    const { report } = await round(tree, newPhone());
    expect(report.status).toBe('updated');
    expect(report.errors).toEqual([]);
    expect(report.warnings).toContainEqual({
      rule: 'D',
      file: 'y000000000000.boot',
      line: 3,
      message: `not fetched: outside the tree; the phone would fetch ${outside}b.cfg`,
    });
    expect(report.downloads.at(-1)).toMatchObject({
      name: 'b.cfg',
      outcome: 'not-fetched',
      cause: 'offline',
    });
  });

  it('a ROM outside the tree: not fetched, no upgrade, no error; the warning names the setting’s line', async () => {
    const tree = new OfflineTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('lang.gui = French', `static.firmware.url = ${outside}T46U-108.86.0.99.rom`),
    });
    const { report } = await round(tree, newPhone('T46U', undefined, '108.86.0.90'));
    expect(report.status).toBe('updated');
    expect(report.errors).toEqual([]);
    expect(report.firmware).toMatchObject({
      install: false,
      reason: 'upgrade 108.86.0.90 → 108.86.0.99; not fetched (outside the tree)',
    });
    expect(report.warnings).toContainEqual(expect.objectContaining({ rule: 'R3', file: 'a.cfg', line: 3 }));
    expect(report.reboot).toBe(false);
  });

  it('a CA outside the tree: not fetched, no error', async () => {
    const tree = new OfflineTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file(`static.trusted_certificates.url = ${outside}ca.pem`),
    });
    const { report, state } = await round(tree, newPhone());
    expect(report.errors).toEqual([]);
    expect(report.warnings).toContainEqual(expect.objectContaining({ rule: 'S5', file: 'a.cfg', line: 2 }));
    expect(state.certificates).toBeUndefined();
  });

  it('a ROM that is not on the server is an R3 error at the line that names it', async () => {
    const tree = new MemoryTree({
      'y000000000000.boot': file('include:config "a.cfg"'),
      'a.cfg': file('static.firmware.url = T46U-108.86.0.99.rom'),
    });
    const { report } = await round(tree, newPhone('T46U', undefined, '108.86.0.90'));
    expect(report.errors).toContainEqual(expect.objectContaining({ rule: 'R3', file: 'a.cfg', line: 2 }));
    expect(report.firmware?.install).toBe(false);
  });
});
