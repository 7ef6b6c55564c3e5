// Issue #16.6: each wire flag means the same in every command that takes it, as README's table
// "Flags every command takes" says; --max-size (issue #13.3) reaches the rounds of every command.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { runInProcess } from '../support/inProcess.js';

const T46U = ['--mac', '00:15:65:74:b1:50', '--model', 'T46U'];

function flagsOf(name: string): string[] {
  const command = buildProgram().commands.find((c) => c.name() === name);
  if (!command) throw new Error(`no command ${name}`);
  return command.options.map((o) => o.long ?? '');
}

const TABLE: Record<string, readonly string[]> = {
  '--tree': ['provision', 'run'],
  '--server': ['provision', 'run'],
  '--ca': ['provision', 'run', 'dial', 'pin', 'set'],
  '--user': ['provision', 'run', 'dial', 'pin', 'set'],
  '--password': ['provision', 'run', 'dial', 'pin', 'set'],
  '--password-file': ['provision', 'run', 'dial', 'pin', 'set'],
  '--timeout': ['provision', 'run', 'dial', 'pin', 'set', 'notify'],
  '--max-size': ['provision', 'run', 'dial', 'pin', 'check', 'diff', 'explain', 'demo'],
  '--show-secrets': ['provision', 'dial', 'pin', 'diff', 'explain'],
};

describe('#16.6 the flags every command takes', () => {
  it.each(Object.entries(TABLE))('%s is taken by %j', (flag, commands) => {
    for (const command of commands) expect(flagsOf(command), command).toContain(flag);
  });

  it('--max-size reaches the round: provision and run fail the CFG, check and explain report it', async () => {
    const tiny = ['--max-size', 'config=10'];
    const provision = await runInProcess([
      'provision',
      '--tree',
      'fixtures/site',
      ...T46U,
      ...tiny,
      '--json',
    ]);
    const report = JSON.parse(provision.stdout) as { downloads: { kind: string; cause?: string }[] };
    expect(report.downloads.find((d) => d.kind === 'config')?.cause).toBe('too-large');
    expect(provision.code).toBe(1);
    const run = await runInProcess([
      'run',
      '--tree',
      'fixtures/site',
      ...T46U,
      '--virtual',
      '--for',
      '1h',
      ...tiny,
    ]);
    expect(run.stdout).toMatch(/too large/);
    const check = await runInProcess(['check', 'fixtures/site', '--model', 'T46U', ...tiny]);
    expect(check.stdout).toMatch(/too large for the phone: larger than 10 bytes/);
    const explain = await runInProcess(['explain', 'fixtures/site', ...T46U, ...tiny, '--json']);
    expect(JSON.parse(explain.stdout)).toMatchObject({ status: 'failed' });
    // And a generous limit changes nothing: the same round as without it.
    const roomy = await runInProcess([
      'provision',
      '--tree',
      'fixtures/site',
      ...T46U,
      '--max-size',
      'config=16MiB',
    ]);
    const plain = await runInProcess(['provision', '--tree', 'fixtures/site', ...T46U]);
    expect(roomy.stdout).toBe(plain.stdout);
  });
});
