// Usage errors: exit status 2, with a message that says what to type instead. Below the CLI so that
// the modules that check options (fleet shards, inventories) need not import the CLI.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The exit statuses every command shares: 0 it ran, 1 it ran and found (or met) a failure its
 * description names, 2 a usage error (nothing was done), 70 a bug (sysexits' EX_SOFTWARE).
 */
export const EXIT = { ok: 0, couldNotRun: 1, usage: 2, internal: 70 } as const;
