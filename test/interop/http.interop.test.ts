// Our HTTP fetcher against Debian's nginx and Apache (spec S5): plain, Basic, TLS with a test CA,
// Digest (MD5, qop=auth). Apache 2.4.71 refuses `AuthDigestQop none` and `AuthDigestAlgorithm
// MD5-sess`, so RFC 2069's no-qop form and MD5-sess are pinned by unit tests only. Each server runs in the foreground on loopback
// with a configuration written here, and serves a copy of fixtures/site.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import type { FetchRequest } from '../../src/fetch/fetcher.js';
import { HttpFetcher } from '../../src/fetch/httpFetcher.js';
import { assertInstalled, freePort, skipUnlessInstalled, tempDir, waitForPort } from '../support/servers.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const NGINX = { binary: '/usr/sbin/nginx', debianPackage: 'nginx' };
const APACHE = { binary: '/usr/sbin/apache2', debianPackage: 'apache2' };
const OPENSSL = { binary: 'openssl', debianPackage: 'openssl' };
const APACHE_MODULES = '/usr/lib/apache2/modules';
const BOOT = '00156574b150.boot';
const USER = 'provisioner';
const PASSWORD = 'Pr0v-pa55 word';
const REALM = 'autop interop';
const UA = 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50';

const isRoot = process.getuid?.() === 0;

function request(url: string, extra: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url: new URL(url),
    userAgent: UA,
    transfer: { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...extra,
  };
}

const credentials = { credentials: { user: USER, password: PASSWORD } };

/** A copy of fixtures/site that a server's unprivileged workers can read. */
async function siteCopy(dir: string): Promise<{ site: string; bootMd5: string }> {
  await chmod(dir, 0o755);
  const site = join(dir, 'site');
  await cp(join(fixturesDir, 'site'), site, { recursive: true });
  const bootMd5 = createHash('md5')
    .update(await readFile(join(site, BOOT)))
    .digest('hex');
  return { site, bootMd5 };
}

/** Runs a server in the foreground until stop(); fails with its error log if it never listens. */
async function runForeground(
  command: string,
  args: readonly string[],
  ports: readonly number[],
  errorLog: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      Promise.all(ports.map((port) => waitForPort(port))),
      exited.then(() => {
        throw new Error(`${command} exited at start`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    const log = await readFile(errorLog, 'utf8').catch(() => '');
    throw new Error(`${(e as Error).message}\n${stderr}\n${log}`);
  }
  return {
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
  };
}

describe.skipIf(skipUnlessInstalled(NGINX, OPENSSL))('S5 interop: nginx', () => {
  let dir: string;
  let bootMd5: string;
  let ca: TestCa;
  let nginx: { stop(): Promise<void> } | undefined;
  const port = { plain: 0, basic: 0, tls: 0 };
  const fetcher = new HttpFetcher();
  let trusting: HttpFetcher;

  beforeAll(async () => {
    assertInstalled(NGINX, OPENSSL);
    dir = await tempDir('nginx');
    const copy = await siteCopy(dir);
    bootMd5 = copy.bootMd5;
    ca = makeTestCa(dir);
    trusting = new HttpFetcher({ ca: [ca.caPem] });
    const hash = execFileSync('openssl', ['passwd', '-apr1', PASSWORD], { encoding: 'utf8' }).trim();
    await writeFile(join(dir, 'htpasswd'), `${USER}:${hash}\n`);
    port.plain = await freePort();
    port.basic = await freePort();
    port.tls = await freePort();
    const server = (listen: string, extra = '') => `
    server {
      listen 127.0.0.1:${listen};
      server_name localhost;
      root ${copy.site};
      ${extra}
    }`;
    await writeFile(
      join(dir, 'nginx.conf'),
      `${isRoot ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  ${server(String(port.plain))}
  ${server(String(port.basic), `auth_basic "${REALM}"; auth_basic_user_file ${dir}/htpasswd;`)}
  ${server(`${port.tls} ssl`, `ssl_certificate ${ca.certPath}; ssl_certificate_key ${ca.keyPath};`)}
}
`,
    );
    nginx = await runForeground(
      NGINX.binary,
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      [port.plain, port.basic, port.tls],
      join(dir, 'error.log'),
    );
  });
  afterAll(async () => {
    await fetcher.close();
    await trusting?.close();
    await nginx?.stop();
  });

  it('plain: fetches the boot file with the right MD5; a missing file is not-found', async () => {
    const base = `http://127.0.0.1:${port.plain}/`;
    expect(await fetcher.fetch(request(`${base}${BOOT}`))).toMatchObject({ kind: 'ok', md5: bootMd5 });
    expect(await fetcher.fetch(request(`${base}y000000000000.boot`))).toEqual({
      kind: 'not-found',
      detail: 'HTTP 404',
    });
    expect(await readFile(join(dir, 'access.log'), 'utf8')).toContain(UA);
  });

  it('Basic: fetches with the password from htpasswd; a wrong one or none is an auth failure', async () => {
    const base = `http://127.0.0.1:${port.basic}/`;
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
    const base = `https://127.0.0.1:${port.tls}/`;
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
  let dir: string;
  let bootMd5: string;
  let apache: { stop(): Promise<void> } | undefined;
  const port = { digest: 0 };
  const fetcher = new HttpFetcher();

  beforeAll(async () => {
    assertInstalled(APACHE);
    dir = await tempDir('apache');
    const copy = await siteCopy(dir);
    bootMd5 = copy.bootMd5;
    // htdigest's line: user:realm:MD5(user:realm:password).
    const ha1 = createHash('md5').update(`${USER}:${REALM}:${PASSWORD}`).digest('hex');
    await writeFile(join(dir, 'htdigest'), `${USER}:${REALM}:${ha1}\n`, { mode: 0o644 });
    port.digest = await freePort();
    const modules = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'auth_digest', 'authz_user'];
    const host = `
<VirtualHost 127.0.0.1:${port.digest}>
  DocumentRoot "${copy.site}"
  <Location "/">
    AuthType Digest
    AuthName "${REALM}"
    AuthDigestDomain /
    AuthDigestProvider file
    AuthUserFile "${dir}/htdigest"
    Require valid-user
  </Location>
</VirtualHost>`;
    await writeFile(
      join(dir, 'apache2.conf'),
      `ServerRoot "${dir}"
ServerName 127.0.0.1
DefaultRuntimeDir "${dir}"
PidFile "${dir}/apache2.pid"
ErrorLog "${dir}/error.log"
LogLevel warn
${modules.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`).join('\n')}
${isRoot ? 'User www-data\nGroup www-data' : ''}
Listen 127.0.0.1:${port.digest}
<Directory "${copy.site}">
  Require all granted
</Directory>
${host}
`,
    );
    apache = await runForeground(
      APACHE.binary,
      ['-d', dir, '-f', join(dir, 'apache2.conf'), '-DFOREGROUND'],
      [port.digest],
      join(dir, 'error.log'),
      {
        ...process.env,
        APACHE_RUN_DIR: dir,
        APACHE_PID_FILE: join(dir, 'apache2.pid'),
        APACHE_LOCK_DIR: dir,
        APACHE_LOG_DIR: dir,
      },
    );
  });
  afterAll(async () => {
    await fetcher.close();
    await apache?.stop();
  });

  it('Digest qop=auth: fetches the boot file with the right MD5; a missing file is not-found', async () => {
    const base = `http://127.0.0.1:${port.digest}/`;
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
    const base = `http://127.0.0.1:${port.digest}/`;
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
    const url = `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port.digest}/${BOOT}?mac=00156574b150`;
    expect(await fetcher.fetch(request(url))).toMatchObject({ kind: 'ok', md5: bootMd5 });
  });
});
