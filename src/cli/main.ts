#!/usr/bin/env node
// The `autop` command: parses the command line and hands each subcommand its options.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { checkCommand } from './check.js';
import { diffCommand } from './diff.js';
import { explainCommand } from './explain.js';
import { provisionCommand } from './provision.js';
import { setCommand } from './set.js';
import { decryptCommand, encryptCommand } from './crypt.js';
import { runCommand } from './run.js';
import { notifyCommand } from './notify.js';
import { dialCommand, pinCommand } from './dial.js';
import { serveCommand } from './serve.js';
import { demoCommand } from './demo.js';
import { EXIT, UsageError } from './usage.js';
import { addDiscoveryOptions } from './discoverOptions.js';
import { pnpServerCommand } from './pnpServer.js';
import { registerFleetCommands } from './fleet.js';

type Action = (...args: never[]) => Promise<number>;

function run<A extends Action>(action: A) {
  return async (...args: Parameters<A>): Promise<void> => {
    process.exitCode = await action(...args);
  };
}

export function buildProgram(): Command {
  const program = new Command('autop')
    .description(
      'Emulates the Yealink IP phone auto-provisioning client: what will my phones really do with this tree?',
    )
    .showHelpAfterError('(autop --help lists the commands; autop COMMAND --help their options)')
    .exitOverride();

  addDiscoveryOptions(
    program
      .command('provision')
      .description('run one provisioning round for one phone and report what the firmware would do')
      .option('--tree <dir>', 'provision from a tree on disk (same as --server file://DIR/)')
      .option(
        '--server <url>',
        'provisioning server URL (tftp://, ftp://, http://, https://, file://; $PN and $MAC expand)',
      )
      .option('--mac <mac>', "the phone's MAC (colons, dashes or bare, any case)")
      .option('--model <model>', 'the phone model: T46U, SIP-T46U, ...')
      .option('--firmware <version>', "the running firmware (default: the model's current version)")
      .option('--state <file>', "the phone's saved state (its flash); created or updated after the round")
      .option(
        '--user <user>',
        'credentials for the server when neither the URL nor the configuration has any',
      )
      .option('--password <password>', 'password that goes with --user')
      .option('--ca <file...>', 'extra trusted CA certificates (PEM) for HTTPS, on top of the system roots')
      .option('--json', 'print one JSON document')
      .addOption(new Option('--show-secrets', 'print passwords and AES keys in clear').default(false)),
  ).action(run(provisionCommand));

  program
    .command('pnp-server')
    .description(
      'answer PnP SUBSCRIBEs (S2): every phone that boots on this network is told to provision from URL',
    )
    .requiredOption('--url <url>', 'the provisioning server URL to hand out ($MAC becomes the phone MAC)')
    .option('--port <port>', 'UDP port', '5060')
    .option('--address <address>', 'address to listen on', '0.0.0.0')
    .option('--group <address>', "multicast group to join ('' for none)", '224.0.1.75')
    .action(run(pnpServerCommand));

  program
    .command('serve')
    .description('serve a provisioning tree over HTTP, HTTPS and TFTP (read-only; MAC-local uploads allowed)')
    .argument('<dir>', 'the tree to serve')
    .option('--http <port>', 'HTTP port (0: any free port)')
    .option('--https <port>', 'HTTPS port; needs --cert and --key')
    .option('--tftp <port>', 'TFTP port (UDP)')
    .option('--cert <file>', 'server certificate (PEM) for --https')
    .option('--key <file>', 'server private key (PEM) for --https')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--user <user>', 'require this user name (HTTP/HTTPS)')
    .option('--password-file <file>', 'and the password on the first line of this file')
    .option(
      '--password <password>',
      'or this password (visible in ps: prefer the file or AUTOP_SERVE_PASSWORD)',
    )
    .option('--auth <scheme>', 'basic or digest', 'digest')
    .action(run(serveCommand));

  for (const [name, what, run_] of [
    [
      'dial',
      'dial an activation code on the phone (T8): a round against its static.autoprovision.X.url',
      dialCommand,
    ],
    [
      'pin',
      'type a PIN on the phone (T9): a round for static.custom_mac_cfg.url with $pin replaced',
      pinCommand,
    ],
  ] as const) {
    program
      .command(name)
      .description(what)
      .argument(
        name === 'dial' ? '<code>' : '<pin>',
        name === 'dial' ? 'digits, # and * (at most 32)' : 'the PIN',
      )
      .requiredOption('--state <file>', "the phone's saved state")
      .option('--user <user>', 'what the user types when the phone asks for credentials')
      .option('--password <password>', 'and the password')
      .option('--json', 'print one JSON document')
      .addOption(new Option('--show-secrets', 'print passwords and AES keys in clear').default(false))
      .action(run(run_));
  }

  addDiscoveryOptions(
    program
      .command('run')
      .description(
        'a phone living on a clock: power-on, repeat, weekly, flexible, NOTIFY; the timeline as it goes',
      )
      .option('--tree <dir>', 'provision from a tree on disk')
      .option('--server <url>', 'provisioning server URL')
      .option('--mac <mac>', "the phone's MAC")
      .option('--model <model>', 'the phone model')
      .option('--firmware <version>', 'the running firmware')
      .option('--state <file>', "the phone's saved state, kept after every round")
      .option('--virtual', 'virtual time: the run costs only the rounds (needs --for)')
      .option('--for <duration>', 'how long to live: 7d, 12h, 90m (real time: until Ctrl-C without it)')
      .option('--start <time>', 'virtual start time, ISO 8601 (default 2026-01-05T00:00:00Z, a Monday)')
      .option('--seed <text>', 'seed of the random draws (weekly day, flexible time)', '')
      .option('--call <offset/duration...>', 'a call during the run, e.g. 1d2h/40m (T10)')
      .option('--boot <duration>', 'how long a boot takes, power-on to the first round', '1m')
      .option('--sip-port <port>', 'UDP port to listen for check-sync NOTIFYs on (real time)', '5060')
      .option('--no-sip', 'do not listen for SIP')
      .option('--json', 'print the timeline as JSON at the end'),
  ).action(run(runCommand));

  program
    .command('notify')
    .description(
      'send a phone the SIP NOTIFY (Event: check-sync) a PBX sends to make it provision (T7); exit 0 on a 2xx answer',
    )
    .argument('<target>', "the phone's SIP address: HOST[:PORT] or [IPV6]:PORT (default port 5060)")
    .option(
      '--reboot',
      'add ;reboot=true to the Event header (with sip.notify_reboot_enable = 0 the phone then reboots)',
    )
    .option('--user <name>', 'user part of the Request-URI, sip:NAME@HOST:PORT (e.g. the account, 1001)')
    .option(
      '--timeout <ms>',
      'give up after this many milliseconds without a final answer (at most 32000, Timer F)',
      '32000',
    )
    .action(run(notifyCommand));

  program
    .command('encrypt')
    .description("encrypt CFG files as Yealink's encryption tool does (E2): raw AES-ECB, same names")
    .argument('<files...>', 'plain CFG files (first line #!version:1.0.0.1)')
    .option(
      '--key <key>',
      '16 characters (AES-128) or 32 (AES-256); shows in ps and shell history: prefer --key-file',
    )
    .option(
      '--key-file <file>',
      'the key, one line; if FILE does not exist, a new key is generated and saved there (mode 0600)',
    )
    .option('--key-length <n>', 'length of a generated key: 16 (AES-128, the default) or 32 (AES-256)')
    .option('--security', 'also write <name>_Security.enc beside each output (E3; 16-character keys only)')
    .option('--out <dir>', 'write the encrypted files into DIR under the same names (DIR is created)')
    .option('--in-place', 'replace each plain file with its encrypted form')
    .option('--show-key', 'print the key (otherwise it never appears in the output)')
    .action(run(encryptCommand));

  program
    .command('decrypt')
    .description('print the plaintext of an encrypted CFG file (E2); exit 1 if it does not decrypt')
    .argument('<file>', 'the encrypted CFG')
    .option('--key <key>', 'the key; shows in ps and shell history: prefer --key-file')
    .option('--key-file <file>', 'read the key from FILE')
    .option('--security <file>', 'read the key from this <name>_Security.enc (E3)')
    .action(run(decryptCommand));

  program
    .command('demo')
    .description('serve the bundled site on loopback and provision a T46U and a T23G over HTTP and TFTP')
    .option('--tree <dir>', 'serve this tree instead of fixtures/site')
    .action(run(demoCommand));

  program
    .command('set')
    .description("change settings as a user would on the phone's screen or web page (K1)")
    .requiredOption('--state <file>', "the phone's saved state")
    .argument('<assignments...>', 'KEY=VALUE pairs; an empty VALUE returns the key to its factory default')
    .action(run(setCommand));

  program
    .command('check')
    .description(
      'run a round for every phone against a tree and report mistakes with file and line (exit 1 on errors)',
    )
    .argument('<tree>', 'the provisioning tree (a folder of .boot and .cfg files)')
    .option(
      '--inventory <file>',
      'the phones: CSV (mac,model[,firmware][,state][,name]) or JSON; default: one phone per model the tree serves',
    )
    .option('--model <models...>', 'check only phones of these models')
    .option(
      '--format <format>',
      'text, json, junit, sarif or github (default: github when GITHUB_ACTIONS=true, else text)',
    )
    .option('--strict', 'warnings are errors: they fail the check, and every format reports them as errors')
    .option(
      '--path-prefix <path>',
      "the tree's path from the repository's root, before every path in SARIF and GitHub annotations (default: from git's top level, else the current folder)",
    )
    .action(run(checkCommand));

  program
    .command('diff')
    .description('what provisioning from a new tree would do to phones provisioned from the old one')
    .argument('[trees...]', 'TREE_A TREE_B: the tree the phones have now, and the new one')
    .option('--git <revs...>', 'compare two revisions of a git repository instead: REV_A REV_B')
    .option('--repo <dir>', 'the repository for --git (default: the current folder)')
    .option('--path <subdir>', "the tree's folder inside the repository for --git (default: its top)")
    .option('--inventory <file>', 'the phones (as for check); default: one phone per model the trees serve')
    .option('--model <models...>', 'only phones of these models')
    .option('--format <format>', 'text, json or markdown (for a pull-request comment)', 'text')
    .addOption(new Option('--show-secrets', 'print passwords and AES keys in clear').default(false))
    .action(run(diffCommand));

  program
    .command('explain')
    .description(
      'for one phone, every line of the tree that sets a parameter, which won and why the others lost',
    )
    .argument('<tree>', 'the provisioning tree')
    .argument('[params...]', 'parameters to explain (default: every parameter set by more than one line)')
    .option('--mac <mac>', "the phone's MAC (colons, dashes or bare, any case)")
    .option('--model <model>', 'the phone model: T46U, SIP-T46U, ...')
    .option('--firmware <version>', "the running firmware (default: the model's current version)")
    .option('--state <file>', "the phone's saved state (read, never written)")
    .option('--json', 'print one JSON document')
    .addOption(new Option('--show-secrets', 'print passwords and AES keys in clear').default(false))
    .action(run(explainCommand));

  registerFleetCommands(program);

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
  // `autop … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        `autop: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
