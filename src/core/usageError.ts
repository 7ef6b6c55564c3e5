// Usage errors: exit status 2, with a message that says what to type instead. Below the CLI so that
// the modules that check options (fleet shards, inventories) need not import the CLI.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = { ok: 0, couldNotRun: 1, usage: 2 } as const;
