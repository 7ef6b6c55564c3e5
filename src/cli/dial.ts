// `autop dial CODE` (T8) and `autop pin PIN` (T9): a round the user starts from the phone's keypad,
// against the phone's saved state. Credentials the phone would prompt for are flags here.
import { Engine, type RoundResult } from '../engine/round.js';
import { roundRan } from '../engine/report.js';
import { printRoundReport } from '../report/print.js';
import { configView } from '../engine/settings.js';
import { WireFetcher, treeRootOf } from '../fetch/createFetcher.js';
import type { Credentials } from '../fetch/fetcher.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { keepActivationCredentials, resolveActivation, resolvePin } from '../phone/activation.js';
import { readStateFile, writeStateFile } from '../phone/stateFile.js';
import { EXIT, UsageError } from './usage.js';

export interface KeypadOptions {
  state: string;
  user?: string;
  password?: string;
  json?: boolean;
  showSecrets?: boolean;
}

async function loadPhone(options: KeypadOptions) {
  const saved = await readStateFile(options.state);
  if (saved.kind === 'absent')
    throw new UsageError(`${options.state} does not exist; provision the phone with --state first`);
  if (saved.kind === 'invalid') throw new UsageError(saved.message);
  const model = loadModelCatalogue().find(saved.state.model);
  if (!model)
    throw new UsageError(`${options.state} names model ${saved.state.model}, which is not in the catalogue`);
  if ((options.user === undefined) !== (options.password === undefined))
    throw new UsageError('give --user and --password together');
  const typed: Credentials | undefined =
    options.user !== undefined ? { user: options.user, password: options.password ?? '' } : undefined;
  return { state: saved.state, model, typed };
}

async function runKeypadRound(
  phone: Awaited<ReturnType<typeof loadPhone>>,
  server: { url: string; source: string },
  credentials: Credentials | undefined,
  configuredCredentials: boolean,
): Promise<RoundResult> {
  const root = treeRootOf(server.url);
  const fetcher = new WireFetcher(root ? { treeRoot: root } : {});
  const engine = new Engine({ models: loadModelCatalogue(), params: loadParameterCatalogue() });
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
  const params = loadParameterCatalogue();
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
  printRoundReport(result.report, loadParameterCatalogue(), options);
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
  const resolved = resolvePin(pin, configView(phone.state.config, loadParameterCatalogue()));
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
  printRoundReport(result.report, loadParameterCatalogue(), options);
  if (!roundRan(result.report.status)) return EXIT.couldNotRun;
  await writeStateFile(options.state, result.state);
  return EXIT.ok;
}
