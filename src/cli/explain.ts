// `autop explain TREE --mac MAC --model M [PARAM...]`: where each parameter's value comes from.
import { explain } from '../explain/chain.js';
import { renderExplainJson, renderExplainText } from '../explain/render.js';
import { Engine } from '../engine/round.js';
import { loadModelCatalogue } from '../models/catalogue.js';
import { loadParameterCatalogue } from '../models/parameters.js';
import { resolvePhone, type PhoneOptions } from './phoneOptions.js';
import { treeFolder } from './check.js';
import { EXIT } from './usage.js';

export interface ExplainOptions extends PhoneOptions {
  json?: boolean;
  showSecrets?: boolean;
}

export async function explainCommand(
  tree: string,
  params: string[],
  options: ExplainOptions,
): Promise<number> {
  const root = treeFolder(tree);
  const phone = await resolvePhone(options);
  const engine = new Engine({ models: loadModelCatalogue(), params: loadParameterCatalogue() });
  const result = await explain({
    engine,
    tree: root,
    model: phone.model,
    state: phone.state,
    params,
    showSecrets: options.showSecrets ?? false,
  });
  process.stdout.write(options.json ? renderExplainJson(result) : renderExplainText(result));
  return EXIT.ok;
}
