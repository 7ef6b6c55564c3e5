// `autop provision`: one round for one phone, printed for people or as JSON.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync, statSync } from 'node:fs';
import { Engine } from '../engine/round.js';
import { roundRan } from '../engine/report.js';
import { printRoundReport } from '../report/print.js';
import { WireFetcher } from '../fetch/createFetcher.js';
import { fileTreeRoot } from '../engine/serverStep.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { writeStateFile } from '../phone/stateFile.js';
import { resolvePhone, type PhoneOptions } from './phoneOptions.js';
import { EXIT, UsageError } from './usage.js';
import {
  checkDiscoveryOptions,
  discoverServer,
  wantsDiscovery,
  type DiscoveryCliOptions,
} from './discoverOptions.js';

export interface ProvisionOptions extends PhoneOptions, DiscoveryCliOptions {
  tree?: string;
  server?: string;
  json?: boolean;
  showSecrets?: boolean;
  user?: string;
  password?: string;
  ca?: string[];
}

/** `--tree DIR` is `--server file://DIR/` (issue #2 §7). */
export function serverFromOptions(options: {
  tree?: string;
  server?: string;
}): { url: string; source: string } | undefined {
  if (options.tree && options.server)
    throw new UsageError('give either --tree DIR or --server URL, not both');
  if (options.tree) {
    const dir = resolve(options.tree);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`--tree ${options.tree} is not a folder`);
    return { url: pathToFileURL(dir + '/').href, source: '--tree' };
  }
  if (options.server) return { url: options.server, source: '--server' };
  return undefined;
}

export async function provisionCommand(options: ProvisionOptions): Promise<number> {
  checkDiscoveryOptions(options);
  let server = serverFromOptions(options);
  const phone = await resolvePhone(options);
  if ((options.user === undefined) !== (options.password === undefined)) {
    throw new UsageError('give --user and --password together');
  }
  const params = loadParameterCatalogue();
  const engine = new Engine({ models: loadModelCatalogue(), params });
  // Issue #6: the S1 chain decides the server; its report is the first section.
  const discovered = wantsDiscovery(options)
    ? await discoverServer(phone, params, options, new Date())
    : undefined;
  if (discovered) server = discovered.server;
  const startState = discovered?.state ?? phone.state;
  // #13.9: a file: server's tree is the folder the round will use, wildcards expanded, either spelling.
  const tree = fileTreeRoot(startState, phone.model, server, params);
  if (!tree.ok) throw new UsageError(`the server ${tree.message}`);
  const fetcher = new WireFetcher({ ...(tree.root && { treeRoot: tree.root }), caFiles: options.ca ?? [] });
  const { report, state } = await engine
    .runRound({
      model: phone.model,
      state: startState,
      ...(server && { server }),
      fetcher,
      now: new Date(),
      ...(discovered?.addressCredentials
        ? { addressCredentials: discovered.addressCredentials }
        : options.user !== undefined && {
            credentials: { user: options.user, password: options.password ?? '' },
          }),
    })
    .finally(() => fetcher.close());
  // The lease is kept even when the round could not run: the phone did get its address.
  if (options.state && (roundRan(report.status) || discovered)) {
    await writeStateFile(options.state, state);
  }
  printRoundReport(report, params, options, discovered?.report);
  return roundRan(report.status) ? EXIT.ok : EXIT.couldNotRun;
}
