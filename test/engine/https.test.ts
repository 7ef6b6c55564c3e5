// S5 HTTPS like the phone: certificates verified by default, CAs provisioned with
// static.trusted_certificates.url trusted from then on, and verification off only when the
// configuration says so, with the report saying it. Real servers on loopback (our own).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireFetcher } from '../../src/fetch/createFetcher.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/provisioningServer.js';
import type { PhoneState } from '../../src/phone/state.js';
import { file } from '../support/memoryTree.js';
import { engine, models, newPhone } from '../support/engine.js';
import { tempDir } from '../support/servers.js';
import { makeTestCa } from '../support/testCa.js';

describe('S5 HTTPS certificates', () => {
  let http: RunningHttpServer;
  let https: RunningHttpServer;
  const fetcher = new WireFetcher();

  beforeAll(async () => {
    const dir = await tempDir('https-engine');
    const ca = makeTestCa(dir);
    const tree = join(dir, 'tree');
    await import('node:fs/promises').then((fs) => fs.mkdir(tree));
    await writeFile(join(tree, 'ca.pem'), ca.caPem);
    http = await startHttpServer({ root: tree, port: 0 });
    https = await startHttpServer({ root: tree, port: 0, tls: { cert: ca.cert, key: ca.key } });
    await writeFile(join(tree, 'y000000000000.boot'), file('include:config "a.cfg"'));
    await writeFile(
      join(tree, 'a.cfg'),
      file(`static.trusted_certificates.url = ${http.url}ca.pem`, 'lang.gui = French'),
    );
  });
  afterAll(async () => {
    await fetcher.close();
    await http?.close();
    await https?.close();
  });

  const round = (state: PhoneState, server: string) =>
    engine.runRound({
      model: models.find('T46U')!,
      state,
      server: { url: server, source: 'test' },
      fetcher,
      now: new Date(0),
      transfer: { attempts: 1, retryDelayMs: 0 },
    });

  it('refuses a server whose certificate is not trusted: the D diagnostic, the phone unchanged', async () => {
    const phone = newPhone();
    const { report, state } = await round(phone, https.url);
    expect(report.status).toBe('failed');
    expect(report.downloads[0]).toMatchObject({ outcome: 'failed', cause: 'tls' });
    expect(report.errors[0]?.message).toContain("can't authenticate the server");
    expect(state).toBe(phone);
  });

  it('trusts a CA provisioned by static.trusted_certificates.url in the next rounds', async () => {
    const first = await round(newPhone(), http.url);
    expect(first.report.downloads.at(-1)).toMatchObject({
      name: 'ca.pem',
      kind: 'certificate',
      outcome: 'ok',
    });
    expect(Object.keys(first.state.certificates ?? {})).toEqual([`${http.url}ca.pem`]);
    const second = await round(first.state, https.url);
    expect(second.report.status).toBe('updated');
    expect(second.report.errors).toEqual([]);
    expect(second.report.downloads.map((d) => d.outcome)).toEqual(['not-found', 'ok', 'ok']);
  });

  it('with static.security.trust_certificates = 0 accepts any certificate and says so', async () => {
    const phone = { ...newPhone(), config: { 'static.security.trust_certificates': '0' } };
    const { report } = await round(phone, https.url);
    expect(report.status).toBe('updated');
    expect(report.warnings).toContainEqual(
      expect.objectContaining({ rule: 'S5', message: expect.stringContaining('not verified') as string }),
    );
  });
});
