// `explain`: for one phone, every line of the tree that sets a parameter, which one won and why each
// other lost: the document `autop explain --json` prints (issue #17, issue #4 §5).
import { Engine } from '../engine/round.js';
import { explain as explainChain } from '../explain/chain.js';
import { explainDocument, type ExplainDocument } from '../explain/explainJson.js';
import { UsageError } from '../core/usageError.js';
import { resolvePhoneIdentity } from '../phone/phoneIdentity.js';
import type { PhoneStateFile } from '../phone/stateFile.js';
import { guarded } from './errors.js';
import { catalogues, treeFolder } from './inputs.js';

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
}

export function explain(options: ExplainOptions): Promise<ExplainDocument> {
  return guarded(async () => {
    const root = treeFolder(options.tree, 'TREE');
    const { models, params } = catalogues();
    const phone = await resolvePhoneIdentity(options, models);
    const names = options.params ?? [];
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      throw new UsageError('params: give a list of parameter names');
    const result = await explainChain({
      engine: new Engine({ models, params }),
      tree: root,
      model: phone.model,
      state: phone.state,
      params: names,
      showSecrets: options.showSecrets === true,
    });
    return explainDocument(result);
  });
}
