// `autop explain TREE --mac MAC --model M [PARAM...]`: where each parameter's value comes from.
import type { Command } from 'commander';
import { explain } from '../explain/chain.js';
import { renderExplainJson, renderExplainText } from '../explain/render.js';
import { action } from './action.js';
import { addPhoneOptions, resolvePhone, type PhoneOptions } from './phoneOptions.js';
import { showSecretsOption } from './provision.js';
import { EXIT } from './usage.js';
import { addSizeOption, roundEngine, treeFolder, type SizeCliOptions } from './wire.js';

export function registerExplain(program: Command): void {
  const command = program
    .command('explain')
    .description(
      'for one phone, every line of the tree that sets a parameter, which won and why the others lost',
    )
    .argument('<tree>', 'the provisioning tree')
    .argument('[params...]', 'parameters to explain (default: every parameter set by more than one line)');
  addPhoneOptions(command, "the phone's saved state (read, never written)");
  addSizeOption(command);
  command
    .option('--json', 'print one JSON document')
    .addOption(showSecretsOption())
    .action(action(explainCommand));
}

export interface ExplainOptions extends PhoneOptions, SizeCliOptions {
  json?: boolean;
  showSecrets?: boolean;
}

export async function explainCommand(
  tree: string,
  params: string[],
  options: ExplainOptions,
): Promise<number> {
  const root = treeFolder(tree);
  const engine = roundEngine(options);
  const phone = await resolvePhone(options);
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
