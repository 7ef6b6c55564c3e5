// `autop dial CODE` (T8) and `autop pin PIN` (T9): a round the user starts from the phone's keypad,
// against the phone's saved state. Credentials the phone would prompt for are flags here.
import type { Command } from 'commander';
import type { Engine, RoundResult } from '../engine/round.js';
import { roundRan } from '../engine/report.js';
import { printRoundReport } from '../report/print.js';
import { configView } from '../engine/settings.js';
import { openWire } from '../fetch/openWire.js';
import type { Credentials } from '../fetch/fetcher.js';
import { keepActivationCredentials, resolveActivation, resolvePin } from '../phone/activation.js';
import { writeStateFile } from '../phone/stateFile.js';
import { action } from './action.js';
import { checkStateWritable, loadSavedPhone } from './phoneOptions.js';
import { showSecretsOption } from './provision.js';
import { EXIT } from './usage.js';
import {
  addSizeOption,
  addWireOptions,
  roundEngine,
  treeRootFor,
  wireFlags,
  type SizeCliOptions,
  type WireCliOptions,
  type WireFlags,
} from './wire.js';

export interface KeypadOptions extends WireCliOptions, SizeCliOptions {
  state: string;
  json?: boolean;
  showSecrets?: boolean;
}

export function registerKeypad(program: Command): void {
  for (const [name, what, argument, run] of [
    [
      'dial',
      'dial an activation code on the phone (T8): a round against its static.autoprovision.X.url',
      ['<code>', 'digits, # and * (at most 32)'],
      dialCommand,
    ],
    [
      'pin',
      'type a PIN on the phone (T9): a round for static.custom_mac_cfg.url with $pin replaced',
      ['<pin>', 'the PIN'],
      pinCommand,
    ],
  ] as const) {
    const command = program
      .command(name)
      .description(what)
      .argument(argument[0], argument[1])
      .requiredOption('--state <file>', "the phone's saved state");
    addWireOptions(command, 'what the user types when the phone asks for credentials');
    addSizeOption(command);
    command.option('--json', 'print one JSON document').addOption(showSecretsOption()).action(action(run));
  }
}

/** The saved phone, the engine and the wire flags, all checked before the round. */
async function loadPhone(options: KeypadOptions) {
  const { credentials: typed, ...reach } = wireFlags(options);
  const engine = roundEngine(options);
  await checkStateWritable(options.state);
  const saved = await loadSavedPhone(options.state);
  return { ...saved, engine, typed, reach };
}

async function runKeypadRound(
  phone: Awaited<ReturnType<typeof loadPhone>>,
  server: { url: string; source: string },
  credentials: Credentials | undefined,
  configuredCredentials: boolean,
): Promise<RoundResult> {
  const engine: Engine = phone.engine;
  // #13.9: the tree of a file: activation URL is its folder, wildcards expanded.
  const treeRoot = treeRootFor(phone, server, engine.catalogues.params);
  const reach: WireFlags = phone.reach;
  const fetcher = openWire({ ...reach, ...(treeRoot !== undefined && { treeRoot }) });
  try {
    return await engine.runRound({
      model: phone.model,
      state: phone.state,
      server,
      fetcher,
      now: new Date(),
      ...(credentials && { addressCredentials: credentials }),
      configuredCredentials,
    });
  } finally {
    await fetcher.close();
  }
}
/** The phone asks for credentials when the server wants them and it has none (T8). */
function askedForCredentials(result: RoundResult, had: boolean): boolean {
  return !had && result.report.downloads.some((d) => d.outcome === 'failed' && d.cause === 'auth');
}

export async function dialCommand(code: string, options: KeypadOptions): Promise<number> {
  const phone = await loadPhone(options);
  const params = phone.engine.catalogues.params;
  const activation = resolveActivation(code, phone.state.config, configView(phone.state.config, params));
  if (activation.kind === 'refused') {
    process.stderr.write(`autop: [${activation.rule}] ${activation.message}; the phone stays idle\n`);
    return EXIT.couldNotRun;
  }
  const credentials = activation.credentials ?? phone.typed;
  const result = await runKeypadRound(
    phone,
    { url: activation.url, source: `activation code ${code} (${activation.name})` },
    credentials,
    false,
  );
  printRoundReport(result.report, phone.engine.catalogues.params, options);
  if (askedForCredentials(result, credentials !== undefined)) {
    process.stderr.write(
      'autop: [T8] the server asks for credentials: the phone would prompt; give --user and --password\n',
    );
  }
  if (!roundRan(result.report.status)) return EXIT.couldNotRun;
  // T8: credentials the user entered are kept for the next round.
  const state =
    !activation.credentials && phone.typed
      ? {
          ...result.state,
          config: keepActivationCredentials(result.state.config, activation.slot, phone.typed),
        }
      : result.state;
  await writeStateFile(options.state, state);
  return EXIT.ok;
}

export async function pinCommand(pin: string, options: KeypadOptions): Promise<number> {
  const phone = await loadPhone(options);
  const resolved = resolvePin(pin, configView(phone.state.config, phone.engine.catalogues.params));
  if (resolved.kind === 'refused') {
    process.stderr.write(`autop: [${resolved.rule}] ${resolved.message}\n`);
    return EXIT.couldNotRun;
  }
  const result = await runKeypadRound(
    phone,
    { url: resolved.url, source: `PIN ${pin} (T9)` },
    phone.typed,
    true,
  );
  printRoundReport(result.report, phone.engine.catalogues.params, options);
  if (!roundRan(result.report.status)) return EXIT.couldNotRun;
  await writeStateFile(options.state, result.state);
  return EXIT.ok;
}
