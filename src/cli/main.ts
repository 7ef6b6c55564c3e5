#!/usr/bin/env node
// The `autop` command: parses the command line and hands each subcommand its options.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { provisionCommand } from './provision.js';
import { setCommand } from './set.js';
import { EXIT, UsageError } from './usage.js';

type Action = (...args: never[]) => Promise<number>;

function run<A extends Action>(action: A) {
  return async (...args: Parameters<A>): Promise<void> => {
    process.exitCode = await action(...args);
  };
}

export function buildProgram(): Command {
  const program = new Command('autop')
    .description('Emulates the Yealink IP phone auto-provisioning client: what will my phones really do with this tree?')
    .showHelpAfterError('(autop --help lists the commands; autop COMMAND --help their options)')
    .exitOverride();

  program
    .command('provision')
    .description('run one provisioning round for one phone and report what the firmware would do')
    .option('--tree <dir>', 'provision from a tree on disk (same as --server file://DIR/)')
    .option('--server <url>', 'provisioning server URL (tftp://, ftp://, http://, https://, file://; $PN and $MAC expand)')
    .option('--mac <mac>', "the phone's MAC (colons, dashes or bare, any case)")
    .option('--model <model>', 'the phone model: T46U, SIP-T46U, ...')
    .option('--firmware <version>', "the running firmware (default: the model's current version)")
    .option('--state <file>', "the phone's saved state (its flash); created or updated after the round")
    .option('--user <user>', 'credentials for the server when neither the URL nor the configuration has any')
    .option('--password <password>', 'password that goes with --user')
    .option('--json', 'print one JSON document')
    .addOption(new Option('--show-secrets', 'print passwords and AES keys in clear').default(false))
    .action(run(provisionCommand));

  program
    .command('set')
    .description("change settings as a user would on the phone's screen or web page (K1)")
    .requiredOption('--state <file>', "the phone's saved state")
    .argument('<assignments...>', 'KEY=VALUE pairs; an empty VALUE returns the key to its factory default')
    .action(run(setCommand));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`autop: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`autop: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
