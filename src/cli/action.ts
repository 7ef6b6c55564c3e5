// How a command's promise becomes the exit status, the same for every command (issue #16.7): the
// number it returns; a usage error is its message and 2; anything else thrown is a bug: 70, with
// the stack and a request to report it (issue #13.5: exit 70 means a bug, never a user's mistake).
import { CommanderError } from 'commander';
import { EXIT, UsageError } from './usage.js';

type Action = (...args: never[]) => Promise<number>;

/** A command's action for commander: its status is handed to `exitStatus` through `process.exitCode`. */
export function action<A extends Action>(run: A) {
  return async (...args: Parameters<A>): Promise<void> => {
    process.exitCode = await run(...args);
  };
}

/** The text printed for a bug: what happened, where, and what to do about it. */
export function internalErrorText(e: unknown): string {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return `autop: internal error (a bug in autop, not in your command or tree): ${detail}\nautop: please report it with the command line that caused it and this text.\n`;
}

/**
 * Runs a parse of the command line and says how the process should exit; never throws. Commander's
 * own errors (unknown option, missing argument) have printed their message already.
 */
export async function exitStatus(
  parse: () => Promise<unknown>,
  err: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  process.exitCode = undefined;
  try {
    await parse();
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof UsageError) {
      err(`autop: ${e.message}\n`);
      return EXIT.usage;
    }
    err(internalErrorText(e));
    return EXIT.internal;
  } finally {
    // The status is returned, not left behind: a program run in-process (tests) leaves no trace.
    process.exitCode = undefined;
  }
}
