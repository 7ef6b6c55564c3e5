// Our HTTP fetcher against Debian's nginx and Apache (spec S5): plain, Basic, TLS with a test CA,
// Digest (MD5, qop=auth). Apache 2.4.71 refuses `AuthDigestQop none` and `AuthDigestAlgorithm
// MD5-sess`, so RFC 2069's no-qop form and MD5-sess are pinned by unit tests only. Each server runs
// in the foreground on loopback (test/support/debianServers.ts) and serves a copy of fixtures/site.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchRequest } from '../../src/fetch/fetcher.js';
import { HttpFetcher } from '../../src/fetch/httpFetcher.js';
import {
  APACHE,
  NGINX,
  OPENSSL,
  servedCopy,
  startApacheDigest,
  startNginx,
  type RunningNginx,
  type RunningServer,
} from '../support/debianServers.js';
import { assertInstalled, skipUnlessInstalled, tempDir } from '../support/servers.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const BOOT = '00156574b150.boot';
const USER = 'provisioner';
const PASSWORD = 'Pr0v-pa55 word';
const REALM = 'autop interop';
const UA = 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50';

function request(url: string, extra: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url: new URL(url),
    userAgent: UA,
    transfer: { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...extra,
  };
}

const credentials = { credentials: { user: USER, password: PASSWORD } };

/** A copy of fixtures/site that a server's unprivileged workers can read, and its boot file's MD5. */
async function siteCopy(dir: string): Promise<{ site: string; bootMd5: string }> {
  const site = await servedCopy(dir);
  const bootMd5 = createHash('md5')
    .update(await readFile(join(site, BOOT)))
    .digest('hex');
  return { site, bootMd5 };
}

describe.skipIf(skipUnlessInstalled(NGINX, OPENSSL))('S5 interop: nginx', () => {
  let bootMd5: string;
  let nginx: RunningNginx<{ basic: { user: string; password: string }; tls: TestCa }> | undefined;
  const url = { plain: '', basic: '', tls: '' };
  let accessLog: string;
  const fetcher = new HttpFetcher();
  let trusting: HttpFetcher;

  beforeAll(async () => {
    assertInstalled(NGINX, OPENSSL);
    const dir = await tempDir('nginx');
    const copy = await siteCopy(dir);
    bootMd5 = copy.bootMd5;
    const ca = makeTestCa(dir);
    trusting = new HttpFetcher({ ca: [ca.caPem] });
    nginx = await startNginx(copy.site, { basic: { user: USER, password: PASSWORD }, tls: ca });
    url.plain = nginx.url;
    url.basic = nginx.basicUrl;
    url.tls = nginx.tlsUrl;
    accessLog = nginx.accessLog;
  });
  afterAll(async () => {
    await fetcher.close();
    await trusting?.close();
    await nginx?.stop();
  });

  it('plain: fetches the boot file with the right MD5; a missing file is not-found', async () => {
    const base = url.plain;
    expect(await fetcher.fetch(request(`${base}${BOOT}`))).toMatchObject({ kind: 'ok', md5: bootMd5 });
    expect(await fetcher.fetch(request(`${base}y000000000000.boot`))).toEqual({
      kind: 'not-found',
      detail: 'HTTP 404',
    });
    expect(await readFile(accessLog, 'utf8')).toContain(UA);
  });

  it('Basic: fetches with the password from htpasswd; a wrong one or none is an auth failure', async () => {
    const base = url.basic;
    expect(await fetcher.fetch(request(`${base}${BOOT}`, credentials))).toMatchObject({
      kind: 'ok',
      md5: bootMd5,
    });
    expect(await fetcher.fetch(request(`${base}missing.cfg`, credentials))).toMatchObject({
      kind: 'not-found',
    });
    expect(
      await fetcher.fetch(request(`${base}${BOOT}`, { credentials: { user: USER, password: 'wrong' } })),
    ).toMatchObject({
      kind: 'failed',
      cause: 'auth',
      detail: expect.stringContaining('wrong credentials') as string,
    });
    expect(await fetcher.fetch(request(`${base}${BOOT}`))).toMatchObject({ kind: 'failed', cause: 'auth' });
  });

  it('TLS: verified against the test CA; untrusted without it; accepted with verification off', async () => {
    const base = url.tls;
    expect(await trusting.fetch(request(`${base}${BOOT}`))).toMatchObject({ kind: 'ok', md5: bootMd5 });
    expect(await trusting.fetch(request(`${base}missing.cfg`))).toMatchObject({ kind: 'not-found' });
    expect(await fetcher.fetch(request(`${base}${BOOT}`))).toMatchObject({ kind: 'failed', cause: 'tls' });
    const unverified = request(`${base}${BOOT}`);
    expect(
      await fetcher.fetch({ ...unverified, transfer: { ...unverified.transfer, verifyTls: false } }),
    ).toMatchObject({
      kind: 'ok',
      md5: bootMd5,
    });
  });
});

describe.skipIf(skipUnlessInstalled(APACHE))('S5 interop: Apache mod_auth_digest', () => {
  let bootMd5: string;
  let apache: RunningServer | undefined;
  let base: string;
  const fetcher = new HttpFetcher();

  beforeAll(async () => {
    assertInstalled(APACHE);
    const copy = await siteCopy(await tempDir('apache'));
    bootMd5 = copy.bootMd5;
    apache = await startApacheDigest(copy.site, { user: USER, password: PASSWORD, realm: REALM });
    base = apache.url;
  });
  afterAll(async () => {
    await fetcher.close();
    await apache?.stop();
  });

  it('Digest qop=auth: fetches the boot file with the right MD5; a missing file is not-found', async () => {
    expect(await fetcher.fetch(request(`${base}${BOOT}`, credentials))).toMatchObject({
      kind: 'ok',
      md5: bootMd5,
    });
    expect(await fetcher.fetch(request(`${base}y000000000000.boot`, credentials))).toEqual({
      kind: 'not-found',
      detail: 'HTTP 404',
    });
  });

  it('Digest: a wrong password is "wrong credentials"; none configured says so', async () => {
    const wrong = await fetcher.fetch(
      request(`${base}${BOOT}`, { credentials: { user: USER, password: 'nope' } }),
    );
    expect(wrong).toMatchObject({
      kind: 'failed',
      cause: 'auth',
      detail: expect.stringContaining('wrong credentials') as string,
    });
    expect(await fetcher.fetch(request(`${base}${BOOT}`))).toMatchObject({
      kind: 'failed',
      cause: 'auth',
      detail: expect.stringContaining('none are configured') as string,
    });
  });

  it('Digest from user info in the URL, with a query string in the signed URI', async () => {
    const url = `${base.replace('http://', `http://${USER}:${encodeURIComponent(PASSWORD)}@`)}${BOOT}?mac=00156574b150`;
    expect(await fetcher.fetch(request(url))).toMatchObject({ kind: 'ok', md5: bootMd5 });
  });
});
