// `explain`: for one phone, every line of the tree that sets a parameter, which one won and why each
// other lost: the document `autop explain --json` prints (issue #17, issue #4 §5).
import type { DownloadKind } from '../engine/report.js';
import { explain as explainChain } from '../explain/chain.js';
import type { ExplainResult } from '../explain/explanation.js';
import { explainDocument, type ExplainDocument } from '../explain/explainJson.js';
import { UsageError } from '../core/usageError.js';
import { resolvePhoneIdentity } from '../phone/phoneIdentity.js';
import type { PhoneStateFile } from '../phone/stateFile.js';
import { guarded } from './errors.js';
import { engineFor } from './roundEngine.js';
import { catalogues, sizeLimitsOf, treeFolder } from './inputs.js';

export interface ExplainOptions {
  /** The provisioning tree (a folder). */
  readonly tree: string;
  /** The phone's MAC; needed unless `state` has it. */
  readonly mac?: string;
  /** The model; needed unless `state` has it. */
  readonly model?: string;
  /** The running firmware (default: the state's, else the model's current version). */
  readonly firmware?: string;
  /** The phone's saved state: a state file's path or content (read, never written). */
  readonly state?: string | PhoneStateFile;
  /** Parameters to explain (or `name:user` keys); default: every one set by more than one line. */
  readonly params?: readonly string[];
  /** Passwords and AES keys in clear (default: masked). */
  readonly showSecrets?: boolean;
  /** The largest file accepted per kind of download, in bytes (as for `provision`). */
  readonly sizeLimits?: Partial<Record<DownloadKind, number>>;
}

export function explain(options: ExplainOptions): Promise<ExplainDocument> {
  return guarded(async () => explainDocument(await explainResult(options)));
}

/**
 * The explanation behind `explain` and `autop explain` (which prints it as text or JSON); bad
 * options are a UsageError (the CLI's exit 2).
 */
export async function explainResult(options: ExplainOptions): Promise<ExplainResult> {
  const root = treeFolder(options.tree, 'TREE');
  const sizeLimits = sizeLimitsOf(options.sizeLimits);
  const phone = await resolvePhoneIdentity(options, catalogues().models);
  const names = options.params ?? [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
    throw new UsageError('params: give a list of parameter names');
  return explainChain({
    engine: engineFor(sizeLimits),
    tree: root,
    model: phone.model,
    state: phone.state,
    params: names,
    showSecrets: options.showSecrets === true,
  });
}
