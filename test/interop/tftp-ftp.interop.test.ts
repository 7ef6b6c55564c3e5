// Our TFTP and FTP fetchers against Debian's tftpd-hpa and vsftpd (spec S5, K2, D), each in the
// foreground on loopback with options written here, serving a copy of fixtures/site.
// tftpd-hpa chroots for --secure and so needs root; vsftpd runs as the launching user with no
// user switch and no chroot (run_as_launching_user), so paths are relative to its anon_root.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import type { FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { FtpFetcher } from '../../src/fetch/ftpFetcher.js';
import { TftpFetcher } from '../../src/fetch/tftpFetcher.js';
import { assertInstalled, freePort, skipUnlessInstalled, tempDir, waitForPort } from '../support/servers.js';
import { freeUdpPort, rawTftpRequest, requestPacket } from '../support/udp.js';

const TFTPD = { binary: '/usr/sbin/in.tftpd', debianPackage: 'tftpd-hpa' };
const VSFTPD = { binary: '/usr/sbin/vsftpd', debianPackage: 'vsftpd' };
const BOOT = '00156574b150.boot';
const BIG = 'site.cfg'; // > 10 KB: many blocks
/** A whole number of blocks both at 512 and at 1468 bytes: each transfer ends with an empty block. */
const BOUNDARY = 'boundary.cfg';
const BOUNDARY_SIZE = 187_904; // lcm(512, 1468)

const isRoot = process.getuid?.() === 0;

function request(url: string, extra: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    transfer: { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...extra,
  };
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/** A copy of fixtures/site, world-readable (vsftpd serves anonymous users world-readable files only). */
async function siteCopy(dir: string): Promise<string> {
  await chmod(dir, 0o755);
  const site = join(dir, 'site');
  await cp(join(fixturesDir, 'site'), site, { recursive: true });
  await writeFile(join(site, BOUNDARY), randomBytes(BOUNDARY_SIZE), { mode: 0o644 });
  return site;
}

async function md5Of(path: string): Promise<string> {
  return md5(await readFile(path));
}

/** Runs a server in the foreground until stop(); fails with its stderr if it is never ready. */
async function runForeground(
  command: string,
  args: readonly string[],
  ready: () => Promise<void>,
): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      ready(),
      exited.then(() => {
        throw new Error(`${command} exited at start`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return {
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** tftpd-hpa is ready when it answers a request (for a file that is not there). */
async function answersTftp(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const answer = await rawTftpRequest(port, requestPacket(1, 'ready-probe.cfg'), 200);
    if (answer.kind !== 'none') return;
  }
  throw new Error(`nothing answers TFTP on 127.0.0.1:${port}`);
}

function tftpd(port: number, root: string, extra: readonly string[] = []) {
  return runForeground(
    TFTPD.binary,
    [
      '--foreground',
      '--listen',
      '--address',
      `127.0.0.1:${port}`,
      '--secure',
      '--user',
      'root',
      ...extra,
      root,
    ],
    () => answersTftp(port),
  );
}

/** tftpd-hpa needs root (--secure chroots); outside CI a non-root run is skipped with this message. */
function skipTftpd(): boolean {
  if (skipUnlessInstalled(TFTPD)) return true;
  if (isRoot || process.env.CI) return false;
  console.warn('skipping tftpd-hpa interop: in.tftpd --secure chroots and needs root');
  return true;
}

describe.skipIf(skipTftpd())('S5 interop: tftpd-hpa', () => {
  let site: string;
  let negotiating: { stop(): Promise<void> } | undefined;
  let plain: { stop(): Promise<void> } | undefined;
  let url: string;
  let plainUrl: string;
  let port: number;

  beforeAll(async () => {
    assertInstalled(TFTPD);
    if (!isRoot) throw new Error('in.tftpd --secure chroots into its folder: run the interop suite as root');
    site = await siteCopy(await tempDir('tftpd'));
    port = await freeUdpPort();
    negotiating = await tftpd(port, site);
    url = `tftp://127.0.0.1:${port}/`;
    // A server that ignores every option (RFC 1350 only): no OACK, 512-byte blocks.
    const plainPort = await freeUdpPort();
    plain = await tftpd(plainPort, site, ['--refuse', 'blksize', '--refuse', 'tsize', '--refuse', 'timeout']);
    plainUrl = `tftp://127.0.0.1:${plainPort}/`;
  });
  afterAll(async () => {
    await negotiating?.stop();
    await plain?.stop();
  });

  it.each([BOOT, BIG, BOUNDARY, `phones/00156574b150.cfg`])(
    'downloads %s with the right MD5',
    async (name) => {
      const outcome = await new TftpFetcher().fetch(request(url + name));
      expect(outcome).toMatchObject({ kind: 'ok', md5: await md5Of(join(site, name)) });
    },
  );

  it.each([BIG, BOUNDARY])('downloads %s from a server that ignores the options', async (name) => {
    const outcome = await new TftpFetcher().fetch(request(plainUrl + name));
    expect(outcome).toMatchObject({ kind: 'ok', md5: await md5Of(join(site, name)) });
  });

  it('D: a missing file is not-found (tftpd-hpa sends TFTP error 1 "File not found")', async () => {
    const outcome: FetchOutcome = await new TftpFetcher().fetch(request(`${url}nope.cfg`));
    expect(outcome.kind).toBe('not-found');
    expect((outcome as { detail: string }).detail).toContain('TFTP error 1');
    expect(await rawTftpRequest(port, requestPacket(1, 'nope.cfg'))).toEqual({
      kind: 'error',
      code: 1,
      message: 'File not found',
    });
  });

  it('acknowledges the blksize and tsize our client asks for', async () => {
    const size = (await readFile(join(site, BIG))).length;
    const answer = await rawTftpRequest(port, requestPacket(1, BIG, { blksize: '1468', tsize: '0' }));
    expect(answer).toEqual({ kind: 'oack', options: { blksize: '1468', tsize: String(size) } });
  });

  it("refuses the tftp package's default options (timeout 3000, in ms not s) with error 8: why tftpTransfer.ts drops them", async () => {
    const options = { blksize: '1468', timeout: '3000', windowsize: '4', rollover: '0', tsize: '0' };
    const answer = await rawTftpRequest(port, requestPacket(1, BIG, options));
    expect(answer).toMatchObject({ kind: 'error', code: 8 });
  });
});

describe.skipIf(skipUnlessInstalled(VSFTPD))('S5, K2 interop: vsftpd', () => {
  let dir: string;
  let site: string;
  let base: string;
  let vsftpd: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    assertInstalled(VSFTPD);
    dir = await tempDir('vsftpd');
    site = await siteCopy(dir);
    const empty = join(dir, 'empty');
    await mkdir(empty, { mode: 0o755 });
    const port = await freePort();
    const passive = await freePort(); // vsftpd picks in [passive, passive + 20], retrying a busy one
    await writeFile(
      join(dir, 'vsftpd.conf'),
      [
        'listen=YES',
        'listen_ipv6=NO',
        'listen_address=127.0.0.1',
        `listen_port=${port}`,
        'background=NO',
        // Anonymous only: no system user to create or remove. A named user is refused with 530.
        'anonymous_enable=YES',
        `anon_root=${site}`,
        'no_anon_password=YES',
        'local_enable=NO',
        // K2: the phone uploads its MAC-local file; it needs write, create and overwrite (facts §6).
        'write_enable=YES',
        'anon_upload_enable=YES',
        'anon_other_write_enable=YES',
        'anon_mkdir_write_enable=NO',
        'anon_umask=022',
        'pasv_enable=YES',
        'pasv_address=127.0.0.1',
        `pasv_min_port=${passive}`,
        `pasv_max_port=${passive + 20}`,
        'port_enable=NO',
        'seccomp_sandbox=NO',
        `secure_chroot_dir=${empty}`,
        // No switch to the ftp user and no chroot, so it runs as whoever starts the tests.
        'run_as_launching_user=YES',
        'delay_failed_login=0',
        'delay_successful_login=0',
        'syslog_enable=NO',
        'xferlog_enable=YES',
        `vsftpd_log_file=${join(dir, 'vsftpd.log')}`,
        '',
      ].join('\n'),
    );
    vsftpd = await runForeground(VSFTPD.binary, [join(dir, 'vsftpd.conf')], () => waitForPort(port));
    base = `ftp://127.0.0.1:${port}/`;
  });
  afterAll(async () => {
    await vsftpd?.stop();
  });

  it.each([BOOT, BIG, BOUNDARY, 'phones/00156574b150.cfg'])(
    'downloads %s anonymously with the right MD5',
    async (name) => {
      const outcome = await new FtpFetcher().fetch(request(base + name));
      expect(outcome).toMatchObject({ kind: 'ok', md5: await md5Of(join(site, name)) });
    },
  );

  it("logs in with the URL's user info (ftp://user:pass@host/, S5)", async () => {
    const outcome = await new FtpFetcher().fetch(
      request(base.replace('ftp://', 'ftp://anonymous:phone%40site@') + BOOT),
    );
    expect(outcome).toMatchObject({ kind: 'ok', md5: await md5Of(join(site, BOOT)) });
  });

  it('D: a missing file is not-found (550)', async () => {
    const outcome = await new FtpFetcher().fetch(request(`${base}nope.cfg`));
    expect(outcome.kind).toBe('not-found');
    expect((outcome as { detail: string }).detail).toMatch(/550/);
  });

  it('D: wrong credentials are auth (530), and the detail never holds the password', async () => {
    const password = 'N0t-the-password';
    const outcome = await new FtpFetcher().fetch(
      request(base + BOOT, { credentials: { user: 'provisioner', password } }),
    );
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'auth' });
    expect((outcome as { detail: string }).detail).toMatch(/530/);
    expect((outcome as { detail: string }).detail).not.toContain(password);
  });

  it('K2: put() stores the MAC-local file in the folder, and a later put overwrites it', async () => {
    const name = '00156574b150-local.cfg';
    const first = '#!version:1.0.0.1\nlocal_time.time_zone = +1\n';
    const second = '#!version:1.0.0.1\nlocal_time.time_zone = +2\n';
    expect(await new FtpFetcher().put(request(base + name), Buffer.from(first))).toEqual({ kind: 'ok' });
    expect(await readFile(join(site, name), 'utf8')).toBe(first);
    expect(await new FtpFetcher().put(request(base + name), Buffer.from(second))).toEqual({ kind: 'ok' });
    expect(await readFile(join(site, name), 'utf8')).toBe(second);
    // And the phone reads it back on its next round (K2).
    expect(await new FtpFetcher().fetch(request(base + name))).toMatchObject({
      kind: 'ok',
      md5: md5(Buffer.from(second)),
    });
  });
});
