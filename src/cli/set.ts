// `autop set`: a change made on the phone itself (web or phone UI), kept in its saved state (K1);
// with custom.sync = 1 the changed MAC-local file is uploaded (K2).
import type { Command } from 'commander';
import { configView, transferSettings } from '../engine/settings.js';
import { fileTreeRoot, productName } from '../engine/serverStep.js';
import { expandWildcards, redactUrl } from '../engine/serverUrl.js';
import { userAgent } from '../engine/userAgent.js';
import { openWire } from '../fetch/openWire.js';
import type { ModelEntry } from '../models/catalogue.js';
import { loadParameterCatalogue, type ParameterCatalogue } from '../models/parameters.js';
import { macLocalUploadUrl, renderMacLocal } from '../phone/macLocal.js';
import { applyUiChange } from '../phone/uiChange.js';
import { shownValue } from '../report/mask.js';
import { writeStateFile } from '../phone/stateFile.js';
import type { PhoneState } from '../phone/state.js';
import { action } from './action.js';
import { checkStateWritable, loadSavedPhone } from './phoneOptions.js';
import { EXIT, UsageError } from './usage.js';
import { addWireOptions, wireFlags, type WireCliOptions, type WireFlags } from './wire.js';

export interface SetOptions extends WireCliOptions {
  state: string;
}

export function registerSet(program: Command): void {
  const command = program
    .command('set')
    .description("change settings as a user would on the phone's screen or web page (K1)")
    .requiredOption('--state <file>', "the phone's saved state")
    .argument('<assignments...>', 'KEY=VALUE pairs; an empty VALUE returns the key to its factory default');
  // K2: the upload of the MAC-local file goes on the wire as a round's downloads do.
  addWireOptions(command).action(action(setCommand));
}

export async function setCommand(assignments: string[], options: SetOptions): Promise<number> {
  const wire = wireFlags(options);
  await checkStateWritable(options.state);
  const saved = await loadSavedPhone(options.state);
  const params = loadParameterCatalogue();
  let state = saved.state;
  const lines: string[] = [];
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq < 0 ? '' : assignment.slice(0, eq).trim();
    if (key === '')
      throw new UsageError(`"${assignment}" is not KEY=VALUE (for example features.dnd.enable=1)`);
    const value = assignment.slice(eq + 1).trim();
    const result = applyUiChange(state, key, value, params);
    state = result.state;
    const shown = value === '' ? '(factory default)' : shownValue(key, value, params);
    lines.push(`${key} = ${shown}${result.local ? '  (recorded in MAC-local: K1)' : ''}\n`);
  }
  // Every assignment is checked before anything is written or printed.
  for (const line of lines) process.stdout.write(line);
  await writeStateFile(options.state, state);
  if (JSON.stringify(state.local) !== JSON.stringify(saved.state.local))
    await uploadMacLocal(state, saved.model, params, wire);
  return EXIT.ok;
}

/** K2: with custom.sync = 1 the phone uploads its MAC-local file whenever it changes. */
async function uploadMacLocal(
  state: PhoneState,
  model: ModelEntry,
  params: ParameterCatalogue,
  wire: WireFlags,
): Promise<void> {
  const get = configView(state.config, params);
  if (get('static.auto_provision.custom.sync') !== '1') return;
  const target = uploadTarget(state, model, params);
  if (target.kind === 'none') {
    process.stdout.write(`MAC-local not uploaded (K2): ${target.reason}\n`);
    return;
  }
  const { url } = target;
  const fetcher = openWire({ ...wire, ...(target.treeRoot !== undefined && { treeRoot: target.treeRoot }) });
  const user = get('static.auto_provision.server.username');
  try {
    const outcome = await fetcher.put(
      {
        url,
        userAgent: userAgent(model, state.firmware, state.mac, state.config),
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

/**
 * Where the MAC-local file goes (K2): `custom.sync.path`, else the server of the last round, else
 * the configured one, read as the round reads its server (S4: wildcards expanded; #13.9: a file:
 * address's tree is its folder).
 */
function uploadTarget(
  state: PhoneState,
  model: ModelEntry,
  params: ParameterCatalogue,
): { kind: 'url'; url: URL; treeRoot?: string } | { kind: 'none'; reason: string } {
  const get = configView(state.config, params);
  const base =
    get('static.auto_provision.custom.sync.path') || state.server || get('static.auto_provision.server.url');
  const expanded = expandWildcards(base, { pn: productName(get, model), mac: state.mac });
  const url = macLocalUploadUrl(state.mac, expanded, undefined);
  if (!url) return { kind: 'none', reason: 'no custom.sync.path and no known server' };
  const tree = fileTreeRoot(state, model, { url: base, source: 'K2' }, params);
  if (!tree.ok) return { kind: 'none', reason: tree.message };
  return { kind: 'url', url, ...(tree.root !== undefined && { treeRoot: tree.root }) };
}
