#!/usr/bin/env node
// The `autop` command: each command file declares its own options and action (issue #16.9); this
// file lists them in the order `autop --help` shows, and turns a run into an exit status.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { exitStatus, internalErrorText } from './action.js';
import { registerCheck } from './check.js';
import { registerCrypt } from './crypt.js';
import { registerDemo } from './demo.js';
import { registerKeypad } from './dial.js';
import { registerDiff } from './diff.js';
import { registerExplain } from './explain.js';
import { registerFleetCommands } from './fleet.js';
import { registerNotify } from './notify.js';
import { registerPnpServer } from './pnpServer.js';
import { registerProvision } from './provision.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerSet } from './set.js';

const COMMANDS: readonly ((program: Command) => unknown)[] = [
  registerProvision,
  registerPnpServer,
  registerServe,
  registerKeypad, // dial, pin
  registerRun,
  registerNotify,
  registerCrypt, // encrypt, decrypt
  registerDemo,
  registerSet,
  registerCheck,
  registerDiff,
  registerExplain,
  registerFleetCommands, // fleet, fleet merge
];

export function buildProgram(): Command {
  const program = new Command('autop')
    .description(
      'Emulates the Yealink IP phone auto-provisioning client: what will my phones really do with this tree?',
    )
    .showHelpAfterError('(autop --help lists the commands; autop COMMAND --help their options)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs `autop ARGS…` in this process and says how it should exit: 0, 1, 2, a command's own, or 70. */
export function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  return exitStatus(() => program.parseAsync([...argv], { from: 'user' }));
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  // `autop … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // An error thrown outside a command's promise (a socket's, a timer's) is a bug all the same.
  process.on('uncaughtException', (e) => {
    process.stderr.write(internalErrorText(e));
    process.exit(70);
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
