// `autop set`: a change made on the phone itself (web or phone UI), kept in its saved state (K1).
import { loadParameterCatalogue } from '../models/parameters.js';
import { applyUiChange } from '../phone/uiChange.js';
import { readStateFile, writeStateFile } from '../phone/stateFile.js';
import { EXIT, UsageError } from './usage.js';

export async function setCommand(assignments: string[], options: { state: string }): Promise<number> {
  const saved = await readStateFile(options.state);
  if (saved.kind === 'absent') {
    throw new UsageError(`${options.state} does not exist; run "autop provision --state ${options.state} ..." first`);
  }
  if (saved.kind === 'invalid') throw new UsageError(saved.message);
  const params = loadParameterCatalogue();
  let state = saved.state;
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq < 0 ? '' : assignment.slice(0, eq).trim();
    if (key === '') throw new UsageError(`"${assignment}" is not KEY=VALUE (for example features.dnd.enable=1)`);
    const value = assignment.slice(eq + 1).trim();
    const result = applyUiChange(state, key, value, params);
    state = result.state;
    const shown = params.isSecret(key) ? '********' : value || '(factory default)';
    process.stdout.write(`${key} = ${shown}${result.local ? '  (recorded in MAC-local: K1)' : ''}\n`);
  }
  await writeStateFile(options.state, state);
  return EXIT.ok;
}
