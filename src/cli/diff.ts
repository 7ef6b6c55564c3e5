// `autop diff TREE_A TREE_B` or `autop diff --git REV_A REV_B`: what provisioning from the second
// tree would do to phones provisioned from the first (issue #4 §4).
import type { Command } from 'commander';
import { compareTrees } from '../api/diff.js';
import { renderDiffJson, renderDiffMarkdown, renderDiffText } from '../diff/render.js';
import { action } from './action.js';
import { showSecretsOption } from './provision.js';
import { EXIT, UsageError } from './usage.js';
import { addSizeOption, sizeLimitsFlag, type SizeCliOptions } from './wire.js';

const FORMATS = ['text', 'json', 'markdown'] as const;

export function registerDiff(program: Command): void {
  const command = program
    .command('diff')
    .description('what provisioning from a new tree would do to phones provisioned from the old one')
    .argument('[trees...]', 'TREE_A TREE_B: the tree the phones have now, and the new one')
    .option('--git <revs...>', 'compare two revisions of a git repository instead: REV_A REV_B')
    .option('--repo <dir>', 'the repository for --git (default: the current folder)')
    .option('--path <subdir>', "the tree's folder inside the repository for --git (default: its top)")
    .option('--inventory <file>', 'the phones (as for check); default: one phone per model the trees serve')
    .option('--model <models...>', 'only phones of these models')
    .option('--format <format>', 'text, json or markdown (for a pull-request comment)', 'text')
    .addOption(showSecretsOption());
  addSizeOption(command).action(action(diffCommand));
}

export interface DiffOptions extends SizeCliOptions {
  git?: string[];
  repo?: string;
  path?: string;
  inventory?: string;
  model?: string[];
  format?: string;
  showSecrets?: boolean;
}

export async function diffCommand(trees: string[], options: DiffOptions): Promise<number> {
  const format = options.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format ${format} is not one of ${FORMATS.join(', ')}`);
  if (options.git !== undefined && (options.git.length !== 2 || trees.length > 0))
    throw new UsageError('--git takes two revisions (autop diff --git main HEAD), and no TREE arguments');
  if (options.git === undefined && trees.length !== 2)
    throw new UsageError('give two trees (autop diff OLD_TREE NEW_TREE) or --git REV_A REV_B');
  const [before, after] = (options.git ?? trees) as [string, string];
  // The library's comparison (issue #17): the CLI renders what it returns.
  const { result, labels } = await compareTrees(
    {
      before,
      after,
      ...(options.git !== undefined && {
        git: {
          ...(options.repo !== undefined && { repo: options.repo }),
          ...(options.path !== undefined && { path: options.path }),
        },
      }),
      ...(options.inventory !== undefined && { inventory: options.inventory }),
      ...(options.model !== undefined && { models: options.model }),
      showSecrets: options.showSecrets ?? false,
      ...(options.maxSize !== undefined && { sizeLimits: sizeLimitsFlag(options) }),
      // Rows left out are said, and the comparison goes on with the others.
      onInventoryProblem: (problem) => process.stderr.write(`autop: ${problem}\n`),
    },
    format === 'json',
  );
  const render =
    format === 'json' ? renderDiffJson : format === 'markdown' ? renderDiffMarkdown : renderDiffText;
  process.stdout.write(render(result, labels));
  return EXIT.ok;
}
