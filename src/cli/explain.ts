// `autop explain TREE --mac MAC --model M [PARAM...]`: where each parameter's value comes from.
import type { Command } from 'commander';
import { explainResult } from '../api/explain.js';
import { renderExplainJson, renderExplainText } from '../explain/render.js';
import { action } from './action.js';
import { addPhoneOptions, type PhoneOptions } from './phoneOptions.js';
import { showSecretsOption } from './provision.js';
import { EXIT } from './usage.js';
import { addSizeOption, sizeLimitsFlag, type SizeCliOptions } from './wire.js';

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
  // The library's explanation (issue #17): the CLI prints what it returns.
  const result = await explainResult({
    tree,
    ...(options.mac !== undefined && { mac: options.mac }),
    ...(options.model !== undefined && { model: options.model }),
    ...(options.firmware !== undefined && { firmware: options.firmware }),
    ...(options.state !== undefined && { state: options.state }),
    params,
    showSecrets: options.showSecrets ?? false,
    ...(options.maxSize !== undefined && { sizeLimits: sizeLimitsFlag(options) }),
  });
  process.stdout.write(options.json ? renderExplainJson(result) : renderExplainText(result));
  return EXIT.ok;
}
