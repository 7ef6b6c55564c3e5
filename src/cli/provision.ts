// `autop provision`: one round for one phone, printed for people or as JSON.
import { Option, type Command } from 'commander';
import { roundRan } from '../engine/report.js';
import { printRoundReport } from '../report/print.js';
import { openWire } from '../fetch/openWire.js';
import { writeStateFile } from '../phone/stateFile.js';
import { action } from './action.js';
import { addPhoneOptions, checkStateWritable, resolvePhone, type PhoneOptions } from './phoneOptions.js';
import { EXIT } from './usage.js';
import {
  addDiscoveryOptions,
  checkDiscoveryOptions,
  discoverServer,
  wantsDiscovery,
  type DiscoveryCliOptions,
} from './discoverOptions.js';
import {
  addServerOptions,
  addSizeOption,
  addWireOptions,
  serverFromOptions,
  roundEngine,
  treeRootFor,
  wireFlags,
  type SizeCliOptions,
  type WireCliOptions,
} from './wire.js';

export interface ProvisionOptions extends PhoneOptions, DiscoveryCliOptions, WireCliOptions, SizeCliOptions {
  json?: boolean;
  showSecrets?: boolean;
}

/** `--show-secrets`, the same words in every command that can print one. */
export function showSecretsOption(): Option {
  return new Option('--show-secrets', 'print passwords and AES keys in clear').default(false);
}

export function registerProvision(program: Command): void {
  const command = program
    .command('provision')
    .description('run one provisioning round for one phone and report what the firmware would do');
  addServerOptions(command);
  addPhoneOptions(command, "the phone's saved state (its flash); created or updated after the round");
  addWireOptions(command);
  addSizeOption(command);
  command.option('--json', 'print one JSON document').addOption(showSecretsOption());
  addDiscoveryOptions(command).action(action(provisionCommand));
}

export async function provisionCommand(options: ProvisionOptions): Promise<number> {
  checkDiscoveryOptions(options);
  let server = serverFromOptions(options);
  const wire = wireFlags(options);
  const engine = roundEngine(options);
  await checkStateWritable(options.state);
  const phone = await resolvePhone(options);
  const params = engine.catalogues.params;
  // Issue #6: the S1 chain decides the server; its report is the first section.
  const discovered = wantsDiscovery(options)
    ? await discoverServer(phone, params, options, new Date(), wire.credentials)
    : undefined;
  if (discovered) server = discovered.server;
  const startState = discovered?.state ?? phone.state;
  // #13.9: a file: server's tree is the folder the round will use, wildcards expanded, either spelling.
  const treeRoot = treeRootFor({ state: startState, model: phone.model }, server, params);
  const fetcher = openWire({ ...wire, ...(treeRoot !== undefined && { treeRoot }) });
  const { report, state } = await engine
    .runRound({
      model: phone.model,
      state: startState,
      ...(server && { server }),
      fetcher,
      now: new Date(),
      ...(discovered?.addressCredentials && { addressCredentials: discovered.addressCredentials }),
    })
    .finally(() => fetcher.close());
  // The lease is kept even when the round could not run: the phone did get its address.
  if (options.state && (roundRan(report.status) || discovered)) {
    await writeStateFile(options.state, state);
  }
  printRoundReport(report, params, options, discovered?.report);
  return roundRan(report.status) ? EXIT.ok : EXIT.couldNotRun;
}
