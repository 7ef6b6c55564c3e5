// `autop set`: a change made on the phone itself (web or phone UI), kept in its saved state (K1);
// with custom.sync = 1 the changed MAC-local file is uploaded (K2).
import { configView, transferSettings } from '../engine/settings.js';
import { userAgent } from '../engine/userAgent.js';
import { WireFetcher, treeRootOf } from '../fetch/createFetcher.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { macLocalUploadUrl, renderMacLocal } from '../phone/macLocal.js';
import { applyUiChange } from '../phone/uiChange.js';
import { shownValue } from '../report/mask.js';
import { readStateFile, writeStateFile } from '../phone/stateFile.js';
import type { PhoneState } from '../phone/state.js';
import { redactUrl } from '../engine/serverUrl.js';
import { EXIT, UsageError } from './usage.js';

export async function setCommand(assignments: string[], options: { state: string }): Promise<number> {
  const saved = await readStateFile(options.state);
  if (saved.kind === 'absent') {
    throw new UsageError(
      `${options.state} does not exist; run "autop provision --state ${options.state} ..." first`,
    );
  }
  if (saved.kind === 'invalid') throw new UsageError(saved.message);
  const params = loadParameterCatalogue();
  let state = saved.state;
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq < 0 ? '' : assignment.slice(0, eq).trim();
    if (key === '')
      throw new UsageError(`"${assignment}" is not KEY=VALUE (for example features.dnd.enable=1)`);
    const value = assignment.slice(eq + 1).trim();
    const result = applyUiChange(state, key, value, params);
    state = result.state;
    const shown = value === '' ? '(factory default)' : shownValue(key, value, params);
    process.stdout.write(`${key} = ${shown}${result.local ? '  (recorded in MAC-local: K1)' : ''}\n`);
  }
  await writeStateFile(options.state, state);
  if (JSON.stringify(state.local) !== JSON.stringify(saved.state.local)) await uploadMacLocal(state);
  return EXIT.ok;
}

/** K2: with custom.sync = 1 the phone uploads its MAC-local file whenever it changes. */
async function uploadMacLocal(state: PhoneState): Promise<void> {
  const params = loadParameterCatalogue();
  const get = configView(state.config, params);
  if (get('static.auto_provision.custom.sync') !== '1') return;
  const url = macLocalUploadUrl(
    state.mac,
    get('static.auto_provision.custom.sync.path'),
    state.server ?? (get('static.auto_provision.server.url') || undefined),
  );
  if (!url) {
    process.stdout.write('MAC-local not uploaded (K2): no custom.sync.path and no known server\n');
    return;
  }
  const model = loadModelCatalogue().find(state.model);
  const user = get('static.auto_provision.server.username');
  const fetcher = new WireFetcher(
    treeRootOf(url.href) !== undefined ? { treeRoot: treeRootOf(url.href)! } : {},
  );
  try {
    const outcome = await fetcher.put(
      {
        url,
        userAgent: model ? userAgent(model, state.firmware, state.mac, state.config) : 'Yealink',
        transfer: transferSettings(get),
        ...(user !== '' && { credentials: { user, password: get('static.auto_provision.server.password') } }),
      },
      new TextEncoder().encode(renderMacLocal(state.local)),
    );
    process.stdout.write(
      outcome.kind === 'ok'
        ? `MAC-local uploaded to ${redactUrl(url)} (K2)\n`
        : `MAC-local upload to ${redactUrl(url)} failed (K2): ${outcome.detail}\n`,
    );
  } finally {
    await fetcher.close();
  }
}
