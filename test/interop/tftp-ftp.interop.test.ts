// Our TFTP and FTP fetchers against Debian's tftpd-hpa and vsftpd (spec S5, K2, D), each in the
// foreground on loopback (test/support/debianServers.ts), serving a copy of fixtures/site.
// tftpd-hpa chroots for --secure and so needs root; vsftpd runs as the launching user with no
// user switch and no chroot (run_as_launching_user), so paths are relative to its anon_root.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOutcome, FetchRequest } from '../../src/fetch/fetcher.js';
import { FtpFetcher } from '../../src/fetch/ftpFetcher.js';
import { TftpFetcher } from '../../src/fetch/tftpFetcher.js';
import {
  servedCopy,
  skipUnlessTftpdHpaRuns,
  startTftpdHpa,
  startVsftpd,
  TFTPD,
  VSFTPD,
  type RunningServer,
} from '../support/debianServers.js';
import { assertInstalled, skipUnlessInstalled, tempDir } from '../support/servers.js';
import { rawTftpRequest, requestPacket } from '../support/udp.js';

const BOOT = '00156574b150.boot';
const BIG = 'site.cfg'; // > 10 KB: many blocks
/** A whole number of blocks both at 512 and at 1468 bytes: each transfer ends with an empty block. */
const BOUNDARY = 'boundary.cfg';
const BOUNDARY_SIZE = 187_904; // lcm(512, 1468)

function request(url: string, extra: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url: new URL(url),
    userAgent: 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50',
    transfer: { timeoutMs: 5000, attempts: 1, retryDelayMs: 0, verifyTls: true },
    ...extra,
  };
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/** A copy of fixtures/site, world-readable, with a file that ends on a block boundary. */
async function siteCopy(dir: string): Promise<string> {
  const site = await servedCopy(dir);
  await writeFile(join(site, BOUNDARY), randomBytes(BOUNDARY_SIZE), { mode: 0o644 });
  return site;
}

async function md5Of(path: string): Promise<string> {
  return md5(await readFile(path));
}

describe.skipIf(skipUnlessTftpdHpaRuns())('S5 interop: tftpd-hpa', () => {
  let site: string;
  let negotiating: RunningServer | undefined;
  let plain: RunningServer | undefined;
  let url: string;
  let plainUrl: string;
  let port: number;

  beforeAll(async () => {
    assertInstalled(TFTPD);
    site = await siteCopy(await tempDir('tftpd'));
    negotiating = await startTftpdHpa(site);
    url = negotiating.url;
    port = negotiating.port;
    // A server that ignores every option (RFC 1350 only): no OACK, 512-byte blocks.
    plain = await startTftpdHpa(site, { refuse: ['blksize', 'tsize', 'timeout'] });
    plainUrl = plain.url;
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

  it('issue #13 §3: a file over maxBytes is too-large, refused from its tsize or cut off without one', async () => {
    const size = (await readFile(join(site, BIG))).length;
    const limited = (base: string, maxBytes: number) =>
      new TftpFetcher().fetch(request(base + BIG, { maxBytes }));
    const refusal = { kind: 'failed', cause: 'too-large', detail: `larger than ${size - 1} bytes` };
    expect(await limited(url, size - 1)).toEqual(refusal);
    expect(await limited(plainUrl, size - 1)).toEqual(refusal);
    expect(await limited(url, size)).toMatchObject({ kind: 'ok', md5: await md5Of(join(site, BIG)) });
    expect(await limited(plainUrl, size)).toMatchObject({ kind: 'ok', md5: await md5Of(join(site, BIG)) });
  });

  it("refuses the tftp package's default options (timeout 3000, in ms not s) with error 8: why tftpTransfer.ts drops them", async () => {
    const options = { blksize: '1468', timeout: '3000', windowsize: '4', rollover: '0', tsize: '0' };
    const answer = await rawTftpRequest(port, requestPacket(1, BIG, options));
    expect(answer).toMatchObject({ kind: 'error', code: 8 });
  });
});

describe.skipIf(skipUnlessInstalled(VSFTPD))('S5, K2 interop: vsftpd', () => {
  let site: string;
  let base: string;
  let vsftpd: RunningServer | undefined;

  beforeAll(async () => {
    assertInstalled(VSFTPD);
    site = await siteCopy(await tempDir('vsftpd'));
    vsftpd = await startVsftpd(site);
    base = vsftpd.url;
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

  it('issue #13 §3: a file over maxBytes is too-large, cut off mid-transfer; one of exactly maxBytes is taken', async () => {
    const size = (await readFile(join(site, BOUNDARY))).length;
    expect(await new FtpFetcher().fetch(request(base + BOUNDARY, { maxBytes: 100_000 }))).toEqual({
      kind: 'failed',
      cause: 'too-large',
      detail: 'larger than 100000 bytes',
    });
    expect(await new FtpFetcher().fetch(request(base + BOUNDARY, { maxBytes: size }))).toMatchObject({
      kind: 'ok',
      md5: await md5Of(join(site, BOUNDARY)),
    });
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
