// `autop provision`: one round for one phone, printed for people or as JSON.
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync, statSync } from 'node:fs';
import { Engine } from '../engine/round.js';
import { FileFetcher } from '../fetch/fileFetcher.js';
import { SchemeRouter } from '../fetch/router.js';
import type { Fetcher } from '../fetch/fetcher.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { writeStateFile } from '../phone/stateFile.js';
import { maskReport } from '../report/mask.js';
import { renderText } from '../report/text.js';
import { resolvePhone, type PhoneOptions } from './phoneOptions.js';
import { EXIT, UsageError } from './usage.js';

export interface ProvisionOptions extends PhoneOptions {
  tree?: string;
  server?: string;
  json?: boolean;
  showSecrets?: boolean;
  user?: string;
  password?: string;
}

/** `--tree DIR` is `--server file://DIR/` (issue #2 §7). */
export function serverFromOptions(options: { tree?: string; server?: string }): { url: string; source: string } | undefined {
  if (options.tree && options.server) throw new UsageError('give either --tree DIR or --server URL, not both');
  if (options.tree) {
    const dir = resolve(options.tree);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--tree ${options.tree} is not a folder`);
    return { url: pathToFileURL(dir + '/').href, source: '--tree' };
  }
  if (options.server) return { url: options.server, source: '--server' };
  return undefined;
}

/** The fetchers a CLI run can use; `file:` URLs are read below their tree's root only. */
export function cliFetcher(server: { url: string } | undefined): Fetcher {
  const schemes: Record<string, Fetcher> = {};
  if (server?.url.startsWith('file:')) {
    const url = new URL(server.url);
    const root = url.pathname.endsWith('/') ? url : new URL('./', url);
    schemes.file = new FileFetcher(fileURLToPath(root));
  }
  return new SchemeRouter(schemes);
}

export async function provisionCommand(options: ProvisionOptions): Promise<number> {
  const server = serverFromOptions(options);
  const phone = await resolvePhone(options);
  if ((options.user === undefined) !== (options.password === undefined)) {
    throw new UsageError('give --user and --password together');
  }
  const params = loadParameterCatalogue();
  const engine = new Engine({ models: loadModelCatalogue(), params });
  const { report, state } = await engine.runRound({
    model: phone.model,
    state: phone.state,
    ...(server && { server }),
    fetcher: cliFetcher(server),
    now: new Date(),
    ...(options.user !== undefined && { credentials: { user: options.user, password: options.password ?? '' } }),
  });
  if (options.state && (report.status === 'updated' || report.status === 'unchanged')) {
    await writeStateFile(options.state, state);
  }
  const shown = options.showSecrets ? report : maskReport(report, params);
  process.stdout.write(options.json ? JSON.stringify(shown, null, 2) + '\n' : renderText(shown));
  return report.status === 'updated' || report.status === 'unchanged' ? EXIT.ok : EXIT.couldNotRun;
}
