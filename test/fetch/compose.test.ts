// Issue #16.6: fetchers composed as undici composes interceptors. Each layer is pinned against real
// parts: our HTTP server (with and without credentials), a TCP server that never answers, trees on
// disk; `openWire` puts them in one order for every command and the fleet.
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compose,
  layer,
  limited,
  metering,
  type RequestMeter,
  type Transport,
} from '../../src/fetch/compose.js';
import type { FetchRequest, TransferSettings } from '../../src/fetch/fetcher.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import { openWire } from '../../src/fetch/openWire.js';
import { rollout } from '../../src/fetch/rollout.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/provisioningServer.js';
import { tempDir } from '../support/servers.js';

const TRANSFER: TransferSettings = { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true };
const SECRET = 'layer-Secret-9';

function request(url: string | URL, transfer: Partial<TransferSettings> = {}): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90',
    transfer: { ...TRANSFER, ...transfer },
  };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('#16.6 fetcher layers', () => {
  let a: string;
  let b: string;
  let guarded: RunningHttpServer;
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const dir = await tempDir('compose');
    a = join(dir, 'a');
    b = join(dir, 'b');
    for (const [tree, label] of [
      [a, 'A'],
      [b, 'B'],
    ] as const) {
      await mkdir(tree);
      await writeFile(join(tree, 'site.cfg'), `#!version:1.0.0.1\naccount.1.label = ${label}\n`);
    }
    guarded = await startHttpServer({
      root: a,
      port: 0,
      auth: { user: 'prov', password: SECRET, scheme: 'digest' },
    });
    // Accepts and says nothing: only a timeout ends a transfer to it.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    await guarded?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('compose: the first layer is the nearest the wire, the last the one the round calls (undici order)', async () => {
    const order: string[] = [];
    const tag = (name: string) =>
      layer({
        fetch: (r, next) => {
          order.push(name);
          return next(r);
        },
      });
    const wire = compose(new FileFetcher(a), tag('inner'), undefined, false, tag('outer'));
    expect((await wire.fetch(request(pathToFileURL(join(a, 'site.cfg'))))).kind).toBe('ok');
    expect(order).toEqual(['outer', 'inner']);
  });

  it('S5: --user/--password are used only for a request with no credentials of its own', async () => {
    const url = `${guarded.url}site.cfg`;
    const bare = openWire();
    const given = openWire({ credentials: { user: 'prov', password: SECRET } });
    try {
      expect(await bare.fetch(request(url))).toMatchObject({ kind: 'failed', cause: 'auth' });
      const ok = await given.fetch(request(url));
      expect(ok.kind === 'ok' && text(ok.bytes)).toContain('account.1.label = A');
      // The configured (or URL) credentials come first: wrong ones are not replaced by the fallback.
      const configured = await given.fetch({
        ...request(url),
        credentials: { user: 'prov', password: 'wrong' },
      });
      expect(configured).toMatchObject({ kind: 'failed', cause: 'auth' });
    } finally {
      await bare.close();
      await given.close();
    }
  });

  it('--timeout bounds every attempt, whatever the phone is configured with', async () => {
    const wire = openWire({ timeoutMs: 300 });
    try {
      const outcome = await wire.fetch(
        request(`http://127.0.0.1:${silentPort}/site.cfg`, { timeoutMs: 60_000 }),
      );
      expect(outcome).toMatchObject({ kind: 'failed', cause: 'timeout' });
    } finally {
      await wire.close();
    }
  });

  it('retries a failed transfer as the phone is configured to, and masks user info in every detail', async () => {
    const wire = openWire();
    try {
      const url = `http://prov:${SECRET}@127.0.0.1:${silentPort}/site.cfg`;
      const outcome = await wire.fetch(request(url, { timeoutMs: 100, attempts: 2 }));
      expect(outcome).toMatchObject({ kind: 'failed', cause: 'timeout' });
      expect(outcome.kind === 'failed' && outcome.detail).toMatch(/after 2 attempts/);
      expect(JSON.stringify(outcome)).not.toContain(SECRET);
    } finally {
      await wire.close();
    }
  });

  it('a tree root makes the wire offline: the tree, and nothing else, is read', async () => {
    const wire = openWire({ treeRoot: a });
    expect((await wire.fetch(request(pathToFileURL(join(a, 'site.cfg'))))).kind).toBe('ok');
    expect(await wire.fetch(request(`${guarded.url}site.cfg`))).toMatchObject({ cause: 'offline' });
    expect(await wire.fetch(request(pathToFileURL(join(b, 'site.cfg'))))).toMatchObject({
      cause: 'outside-root',
    });
  });

  it('metering counts every request with its status, and the requests in flight come down', async () => {
    const seen: { status: string; at: number }[] = [];
    let inFlight = 0;
    const meter: RequestMeter = {
      requestStarted: () => void inFlight++,
      recordRequest: (r) => {
        inFlight--;
        seen.push({ status: r.status, at: r.at });
      },
    };
    const wire = openWire({ treeRoot: a, layers: [metering(meter, () => 42)] });
    await wire.fetch(request(pathToFileURL(join(a, 'site.cfg'))));
    await wire.fetch(request(pathToFileURL(join(a, 'none.cfg'))));
    await wire.fetch(request('http://elsewhere.test/x.cfg'));
    expect(seen).toEqual([
      { status: 'ok', at: 42 },
      { status: 'not-found', at: 42 },
      { status: 'failed:offline', at: 42 },
    ]);
    expect(inFlight).toBe(0);
  });

  it('a rollout serves tree B at the same address from its instant on (issue #8 §2)', async () => {
    let now = 0;
    const from = pathToFileURL(`${a}/`).href;
    const toTransport: Transport = new FileFetcher(b);
    const wire = openWire({
      treeRoot: a,
      layers: [rollout({ from, to: pathToFileURL(`${b}/`).href, toTransport, at: 100, now: () => now })],
    });
    const read = async () => {
      const outcome = await wire.fetch(request(new URL('site.cfg', from)));
      return outcome.kind === 'ok' ? text(outcome.bytes) : outcome.kind;
    };
    expect(await read()).toContain('label = A');
    now = 100;
    expect(await read()).toContain('label = B');
  });

  it('limited: no more transfers at once than the gate lets through', async () => {
    let running = 0;
    let most = 0;
    const queue: (() => void)[] = [];
    let active = 0;
    const gate = {
      async run<T>(work: () => Promise<T>): Promise<T> {
        if (active >= 2) await new Promise<void>((resolve) => queue.push(resolve));
        active++;
        try {
          return await work();
        } finally {
          active--;
          queue.shift()?.();
        }
      },
    };
    const slow = layer({
      fetch: async (r, next) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        return next(r);
      },
    });
    const wire = compose(new FileFetcher(a), slow, limited(gate));
    await Promise.all(
      Array.from({ length: 6 }, () => wire.fetch(request(pathToFileURL(join(a, 'site.cfg'))))),
    );
    expect(most).toBe(2);
  });
});
