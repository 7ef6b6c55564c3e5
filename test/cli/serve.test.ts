// `autop serve DIR` as a user runs it (issue #3 §5): the built command serves the bundled site over
// HTTP with Digest and over TFTP on ports it picks, `autop provision` rounds against both succeed,
// every request is logged (never the password), and Ctrl-C stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/packageRoot.js';
import { CLI, runCli } from '../support/cli.js';

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
