// Runs `autop ARGS…` inside the test's own process, through the program `main` builds, with its
// output captured: a few milliseconds a run instead of a Node start (the fuzz suite runs hundreds).
// A command that serves until Ctrl-C (serve, pnp-server, run in real time) is stopped after a
// deadline by calling the SIGINT and SIGTERM listeners it added, as Ctrl-C would.
import { main } from '../../src/cli/main.js';
import type { CliResult } from './cli.js';

export interface InProcessResult extends CliResult {
  readonly code: number;
  /** The command was still running at the deadline and was stopped as by Ctrl-C. */
  readonly stopped: boolean;
}

type Write = typeof process.stdout.write;

function capture(into: { text: string }): Write {
  return (chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * `autop ARGS…` in this process. `deadlineMs`: when to stop a command that is still running;
 * `hangMs`: how long after that it may take to end before the run counts as hung (a rejection).
 */
export async function runInProcess(
  args: readonly string[],
  options: { deadlineMs?: number; hangMs?: number; env?: Record<string, string | undefined> } = {},
): Promise<InProcessResult> {
  const out = { text: '' };
  const err = { text: '' };
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  // Saved to be put back as they were, unbound.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const realOut = process.stdout.write;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const realErr = process.stderr.write;
  const savedEnv = Object.fromEntries(Object.keys(options.env ?? {}).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let stopped = false;
  let deadline: NodeJS.Timeout | undefined;
  let hung: NodeJS.Timeout | undefined;
  try {
    const run = main(args);
    const stop = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => {
        stopped = true;
        // Ctrl-C, delivered only to the listeners the command added.
        for (const signal of SIGNALS)
          for (const listener of process.listeners(signal))
            if (!before.get(signal)!.has(listener)) {
              process.off(signal, listener);
              (listener as (s: string) => void)(signal);
            }
        hung = setTimeout(
          () => reject(new Error(`autop ${args.join(' ')} did not end after Ctrl-C`)),
          options.hangMs ?? 10_000,
        );
      }, options.deadlineMs ?? 5_000);
    });
    const code = await Promise.race([run, stop]);
    return { code, stdout: out.text, stderr: err.text, stopped };
  } finally {
    clearTimeout(deadline);
    clearTimeout(hung);
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
