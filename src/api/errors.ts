// The library's one error class (issue #17): every failure of an API function is an AutopError with
// a code a program can branch on; never a process exit, never output. An outcome a run can have (a
// server that does not answer, a tree with errors) is in the result, not an error.
import { UnreadableInput } from '../core/unreadableInput.js';
import { UsageError } from '../core/usageError.js';

/**
 * - `usage`: the options are wrong: missing, contradictory or malformed (a MAC, a model, a firmware
 *   version, a duration, a key). The message is the CLI's for the same mistake, which names the
 *   option as its flag (`--mac` is the option `mac`, `--rollout-at` is `rolloutAt`).
 * - `unreadable`: a file, folder or git revision named in the options cannot be read, or is not
 *   what it should be (a tree that is not a folder, an inventory that is not CSV or JSON, a state
 *   file autop did not write, a revision that is not a commit).
 * - `inventory`: rows of the inventory that cannot be used (`diff`, `simulate`); `problems` lists
 *   them. (`check` reports them as findings instead, as `autop check` does.)
 * - `not-plain`: `encrypt` was given something that is not a plain CFG (no `#!version` first line,
 *   or a boot file, which the phone never decrypts).
 * - `does-not-decrypt`: `decrypt` could not decrypt the bytes with the key (a wrong key, a file that
 *   is not encrypted, a damaged `_Security.enc`).
 * - `internal`: a bug in autop (the CLI's exit status 70); `cause` is the original error.
 */
export type AutopErrorCode =
  'usage' | 'unreadable' | 'inventory' | 'not-plain' | 'does-not-decrypt' | 'internal';

export class AutopError extends Error {
  override readonly name = 'AutopError';
  readonly code: AutopErrorCode;
  /** With code `inventory`: each row that could not be used, as `FILE:LINE: message`. */
  readonly problems: readonly string[];

  constructor(
    code: AutopErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly problems?: readonly string[] } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

/** What any failure becomes at the library's edge: the modules below throw UsageError (exit 2). */
export function asAutopError(error: unknown): AutopError {
  if (error instanceof AutopError) return error;
  if (error instanceof UnreadableInput) return new AutopError('unreadable', error.message, { cause: error });
  if (error instanceof UsageError) return new AutopError('usage', error.message, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new AutopError('internal', `internal error (a bug in autop, please report it): ${message}`, {
    cause: error,
  });
}

/** Runs an API function's body; whatever it throws leaves as an AutopError. */
export async function guarded<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw asAutopError(error);
  }
}

/** The synchronous twin of `guarded`, for the pure functions (encrypt, decrypt). */
export function guardedSync<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw asAutopError(error);
  }
}
