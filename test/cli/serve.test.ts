// `autop serve DIR` as a user runs it (issue #3 §5): the built command serves the bundled site over
// HTTP with Digest and over TFTP on ports it picks, `autop provision` rounds against both succeed,
// every request is logged (never the password), and Ctrl-C stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/packageRoot.js';
import { CLI, runCli } from '../support/cli.js';
import { rawRequest } from '../support/rawHttp.js';
import { tempDir } from '../support/servers.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const USER = 'provisioner';
/** Distinctive, so that finding it anywhere in the log means it leaked. */
const PASSWORD = 'S3rve-N0t-In-Logs';
const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];
const UA = 'Yealink SIP-T46U 108.86.0.90 00:15:65:74:b1:50';

interface Report {
  mechanism: string;
  downloads: { file: string; outcome: string; size: number }[];
}

/** Polls `check` until it holds; the server logs a request when it has ended on its side. */
async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('autop serve', () => {
  let serve: ChildProcess;
  let log = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const url = { http: '', tftp: '' };

  beforeAll(async () => {
    serve = spawn(
      process.execPath,
      [CLI, 'serve', 'fixtures/site', '--http', '0', '--tftp', '0'].concat([
        '--user',
        USER,
        '--password',
        PASSWORD,
        '--auth',
        'digest',
      ]),
      { cwd: packageRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    serve.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    serve.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    exit = new Promise((resolve) => serve.once('exit', (code, signal) => resolve({ code, signal })));
    const started = () => {
      url.http = /^serving .* at (http:\/\/\S+)/m.exec(log)?.[1] ?? '';
      url.tftp = /^serving .* at (tftp:\/\/\S+)/m.exec(log)?.[1] ?? '';
      return url.http !== '' && url.tftp !== '';
    };
    await Promise.race([
      eventually(started, `"serving ... at URL" for HTTP and TFTP; the log so far:\n${log}`, 10_000),
      exit.then(({ code }) => {
        throw new Error(`autop serve exited with ${code} at start:\n${log}`);
      }),
    ]);
  });
  afterAll(() => {
    if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
  });

  it('prints a URL with the port it picked for --http 0 and --tftp 0, and says Digest is required', () => {
    expect(url.http).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
    expect(url.tftp).toMatch(/^tftp:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
    expect(log).toMatch(/^serving \S+ at http:\/\/\S+ \(digest auth\)$/m);
  });

  it('serves a Digest round to `autop provision` with the login in the URL, one log line per request with the User-Agent', async () => {
    const server = url.http.replace('http://', `http://${USER}:${PASSWORD}@`);
    const result = await runCli(['provision', '--server', server, ...T46U, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.mechanism).toBe('mac-boot');
    expect(report.downloads.map((d) => d.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(result.stdout).not.toContain(PASSWORD);

    const served = (file: string) =>
      new RegExp(`^\\S+ http +127\\.0\\.0\\.1:\\d+ GET /${file} 200 (\\d+) "(.*)"$`, 'm');
    await eventually(
      () => report.downloads.every((d) => served(d.file).test(log)),
      'a 200 log line for every file',
    );
    for (const d of report.downloads) {
      const [, bytes, userAgent] = served(d.file).exec(log) ?? [];
      expect({ file: d.file, bytes: Number(bytes), userAgent }).toEqual({
        file: d.file,
        bytes: d.size,
        userAgent: UA,
      });
    }
    // Every HTTP request has its line: the Digest challenges (401) and the answers (200).
    const httpLines = log.split('\n').filter((line) => / http +127\.0\.0\.1:/.test(line));
    expect(httpLines.filter((line) => / 200 /.test(line))).toHaveLength(report.downloads.length);
    for (const line of httpLines) expect(line).toMatch(/ GET \/\S+ (200|401) \d+ "Yealink SIP-T46U [^"]+"$/);
  });

  it('serves a TFTP round to `autop provision`, one log line per read request', async () => {
    const result = await runCli(['provision', '--server', url.tftp, ...T46U, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.mechanism).toBe('mac-boot');
    expect(report.downloads.map((d) => d.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const served = (file: string) =>
      new RegExp(`^\\S+ tftp +127\\.0\\.0\\.1:\\d+ RRQ ${file} ok (\\d+)$`, 'm');
    await eventually(
      () => report.downloads.every((d) => served(d.file).test(log)),
      'an RRQ log line for every file',
    );
    for (const d of report.downloads) expect(Number(served(d.file).exec(log)?.[1])).toBe(d.size);
    expect(log.split('\n').filter((line) => / tftp +127\.0\.0\.1:/.test(line))).toHaveLength(
      report.downloads.length,
    );
  });

  it('stops on SIGINT (Ctrl-C) with exit status 0', async () => {
    serve.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });
  });

  it('never wrote the password to its log, from start to stop', () => {
    expect(log).toContain(' 200 ');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('with no port option exits 2 and names --http', async () => {
    const result = await runCli(['serve', 'fixtures/site']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--http');
  });
});

/** Starts `autop serve ARGS`; resolves once it says where it serves, or exits. */
async function startServe(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; wrap?: (command: string[]) => string[] } = {},
): Promise<{
  child: ChildProcess;
  output: () => string;
  urls: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}> {
  const command = [process.execPath, CLI, 'serve', ...args];
  const [file, ...rest] = options.wrap ? options.wrap(command) : command;
  const child = spawn(file!, rest, {
    cwd: packageRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const expected = ['--http', '--https', '--tftp'].filter((flag) => args.includes(flag)).length;
  const urls = () => [...output.matchAll(/^serving .* at (\S+)/gm)].map((m) => m[1]!);
  await Promise.race([eventually(() => urls().length === expected, 'serving lines', 10_000), exit]);
  return { child, output: () => output, urls: urls(), exit };
}

async function stop(serve: Awaited<ReturnType<typeof startServe>>): Promise<void> {
  if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGINT');
  await serve.exit;
}

describe('issue #13 §4: the serve password stays out of ps and out of the output', () => {
  const SECRET = 'Fr0m-A-F1le-Only';

  it.each([
    [
      '--password-file',
      async (dir: string) => {
        const file = join(dir, 'password');
        await writeFile(file, `${SECRET}\n`, { mode: 0o600 });
        return { args: ['--password-file', file], env: {} };
      },
    ],
    ['AUTOP_SERVE_PASSWORD', () => Promise.resolve({ args: [], env: { AUTOP_SERVE_PASSWORD: SECRET } })],
  ])(
    '%s: a Digest round works, the command line and the output never hold the password',
    async (_how, given) => {
      const { args, env } = await given(await tempDir('serve-password'));
      const serve = await startServe(['fixtures/site', '--http', '0', '--user', USER, ...args], { env });
      try {
        expect(serve.urls).toHaveLength(1);
        const cmdline = await readFile(`/proc/${serve.child.pid}/cmdline`, 'utf8');
        expect(cmdline).not.toContain(SECRET);
        const server = serve.urls[0]!.replace('http://', `http://${USER}:${SECRET}@`);
        const result = await runCli(['provision', '--server', server, ...T46U, '--json']);
        expect(result.code).toBe(0);
        const wrong = await runCli([
          'provision',
          '--server',
          serve.urls[0]!.replace('http://', `http://${USER}:nope@`),
          ...T46U,
        ]);
        expect(wrong.stdout).toMatch(/wrong credentials/);
      } finally {
        await stop(serve);
      }
      expect(serve.output()).toContain(' 200 ');
      expect(serve.output()).not.toContain(SECRET);
    },
  );

  it('--password still works but warns that ps shows it; without any password --user is a usage error', async () => {
    const serve = await startServe(['fixtures/site', '--http', '0', '--user', USER, '--password', SECRET]);
    await stop(serve);
    expect(serve.output()).toMatch(/warning: --password is visible to every user of this machine/);
    expect(serve.output()).not.toContain(SECRET);
    const bare = await runCli(['serve', 'fixtures/site', '--http', '0', '--user', USER], {
      env: { AUTOP_SERVE_PASSWORD: undefined },
    });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--user needs a password: --password-file FILE, or AUTOP_SERVE_PASSWORD/);
    const both = await runCli([
      'serve',
      'fixtures/site',
      '--http',
      '0',
      '--user',
      USER,
      '--password',
      'a',
      '--password-file',
      'b',
    ]);
    expect(both.code).toBe(2);
  });
});

describe('issue #13 §5: serve refuses what cannot work with exit 2, before anything listens', () => {
  let dir: string;
  let ca: TestCa;
  beforeAll(async () => {
    dir = await tempDir('serve-usage');
    ca = makeTestCa(dir);
    await writeFile(
      join(dir, 'garbage.pem'),
      '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n',
    );
  });

  const refused = async (args: string[], message: RegExp) => {
    const result = await runCli(['serve', 'fixtures/site', ...args]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(message) as unknown,
    });
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(result.stdout).not.toMatch(/^serving/m);
  };

  it('a port in use: exit 2 and why, also when a listener had started before (it is closed)', async () => {
    const busyTcp = createNetServer();
    await new Promise<void>((resolve) => busyTcp.listen(0, '127.0.0.1', resolve));
    const tcp = (busyTcp.address() as AddressInfo).port;
    const busyUdp = createSocket('udp4');
    await new Promise<void>((resolve) => busyUdp.bind(0, '127.0.0.1', () => resolve()));
    const udp = busyUdp.address().port;
    try {
      await refused(['--http', String(tcp)], new RegExp(`--http ${tcp}: 127\\.0\\.0\\.1:${tcp} is in use`));
      // HTTP starts, then TFTP cannot: HTTP is closed again and nothing is said to be served.
      await refused(
        ['--http', '0', '--tftp', String(udp)],
        new RegExp(`--tftp ${udp}: 127\\.0\\.0\\.1:${udp} is in use`),
      );
    } finally {
      await new Promise((resolve) => busyTcp.close(resolve));
      await new Promise<void>((resolve) => busyUdp.close(() => resolve()));
    }
  });

  it.each([
    [
      ['--cert', '/nonexistent/cert.pem', '--key', '/nonexistent/key.pem'],
      /--cert \/nonexistent\/cert\.pem: cannot read it \(ENOENT\)/,
    ],
    [['--cert', 'GARBAGE', '--key', 'KEY'], /not a PEM certificate and its private key/],
    [['--cert', 'CERT', '--key', 'OTHER_KEY'], /not a PEM certificate and its private key/],
  ])('--https with %s: exit 2 and why', async (args, message) => {
    const files: Record<string, string> = {
      GARBAGE: join(dir, 'garbage.pem'),
      KEY: ca.keyPath,
      CERT: ca.certPath,
      OTHER_KEY: join(dir, 'other.key'),
    };
    await refused(['--http', '0', '--https', '0', ...args.map((a) => files[a] ?? a)], message);
  });

  it.each([
    ['999.1.1.1', /--host 999\.1\.1\.1 is not an IP address/],
    ['prov.example.invalid', /--host prov\.example\.invalid is not an IP address/],
    ['192.0.2.1', /--host 192\.0\.2\.1 is not an address of this machine/],
  ])('--host %s: exit 2 and why', async (host, message) => {
    await refused(['--http', '0', '--tftp', '0', '--host', host], message);
  });
});

describe('issue #13 §6: a 500 says "server error" and nothing more; the log has the detail', () => {
  it('an upload the file system refuses (EFBIG under a file size limit)', async () => {
    const tree = await tempDir('serve-500');
    // RLIMIT_FSIZE of 4 KiB, SIGXFSZ ignored: writing the upload fails with EFBIG, not a signal.
    const serve = await startServe([tree, '--http', '0'], {
      wrap: (command) => ['bash', '-c', `trap '' XFSZ; ulimit -f 4; exec "$@"`, 'bash', ...command],
    });
    try {
      const port = Number(new URL(serve.urls[0]!).port);
      const body = 'x'.repeat(10_000);
      const answer = await rawRequest(
        port,
        `PUT /00156574b150-local.cfg HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(answer.status).toBe(500);
      expect(answer.body).toBe('server error\n');
      await eventually(() => / PUT \/00156574b150-local\.cfg 500 /.test(serve.output()), 'the log line');
    } finally {
      await stop(serve);
    }
    expect(serve.output()).toMatch(/ PUT \/00156574b150-local\.cfg 500 0 -- server error: EFBIG/);
  });
});
