// Issue #16.7: one way for every command's promise to become the exit status. A number is the
// status; a usage error is its message and 2; anything else thrown is a bug: 70, with the stack and
// a request to report it (#13.5: 70 means a bug and nothing else).
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { action, exitStatus } from '../../src/cli/action.js';
import { UsageError } from '../../src/cli/usage.js';
import { runInProcess } from '../support/inProcess.js';

function program(run: () => Promise<number>): Command {
  const p = new Command('autop').exitOverride();
  p.command('x').action(action(run));
  return p;
}

async function status(run: () => Promise<number>) {
  let err = '';
  const code = await exitStatus(
    () => program(run).parseAsync(['x'], { from: 'user' }),
    (text) => (err += text),
  );
  return { code, err, left: process.exitCode };
}

describe('#16.7 one run() wrapper: how a command ends', () => {
  it('the number a command returns is the status, and nothing is left in process.exitCode', async () => {
    expect(await status(() => Promise.resolve(1))).toEqual({ code: 1, err: '', left: undefined });
    expect(await status(() => Promise.resolve(74))).toMatchObject({ code: 74 });
  });

  it('a usage error: its message after "autop: ", status 2, no stack', async () => {
    const { code, err } = await status(() => Promise.reject(new UsageError('--x 5: give a folder')));
    expect(code).toBe(2);
    expect(err).toBe('autop: --x 5: give a folder\n');
  });

  it('anything else is a bug: status 70, the stack, and a request to report it', async () => {
    const { code, err } = await status(() => Promise.reject(new TypeError('x.trim is not a function')));
    expect(code).toBe(70);
    expect(err).toMatch(/^autop: internal error \(a bug in autop.*\): TypeError: x\.trim is not a function/);
    expect(err).toMatch(/\n\s+at /);
    expect(err).toMatch(/please report it with the command line/);
  });

  it("commander's own refusals (an unknown option, a missing argument) are usage errors; --help is 0", async () => {
    expect((await runInProcess(['provision', '--bogus'])).code).toBe(2);
    expect((await runInProcess(['check'])).code).toBe(2);
    expect((await runInProcess(['--help'])).code).toBe(0);
    expect((await runInProcess(['check', '--help'])).code).toBe(0);
  });
});
