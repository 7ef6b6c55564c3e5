// `autop check TREE`: every phone of the inventory (or, without one, the models the tree names and
// phones of unknown model for its MAC files) through a round of the engine, the findings printed
// for people or for CI (issue #4 §1, §2; issue #12).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkResult } from '../api/check.js';
import { renderCheckGithub } from '../check/output/github.js';
import { renderCheckJson } from '../check/output/json.js';
import { renderCheckJunit } from '../check/output/junit.js';
import { pathBase } from '../check/output/paths.js';
import { renderCheckSarif } from '../check/output/sarif.js';
import { failed } from '../check/output/summary.js';
import { renderCheckText } from '../check/output/text.js';
import { packageRoot } from '../core/packageRoot.js';
import { action } from './action.js';
import { EXIT, UsageError } from './usage.js';
import { addSizeOption, sizeLimitsFlag, type SizeCliOptions } from './wire.js';

export const CHECK_FORMATS = ['text', 'json', 'junit', 'sarif', 'github'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .description(
      'run a round for every phone against a tree and report mistakes with file and line (exit 1 on errors)',
    )
    .argument('<tree>', 'the provisioning tree (a folder of .boot and .cfg files)')
    .option(
      '--inventory <file>',
      'the phones: CSV (mac,model[,firmware][,state][,name]) or JSON; default: one phone per model the tree serves',
    )
    .option('--model <models...>', 'check only phones of these models')
    .option(
      '--format <format>',
      'text, json, junit, sarif or github (default: github when GITHUB_ACTIONS=true, else text)',
    )
    .option('--strict', 'warnings are errors: they fail the check, and every format reports them as errors')
    .option(
      '--path-prefix <path>',
      "the tree's path from the repository's root, before every path in SARIF and GitHub annotations (default: from git's top level, else the current folder)",
    );
  addSizeOption(command).action(action(checkCommand));
}

export interface CheckOptions extends SizeCliOptions {
  inventory?: string;
  model?: string[];
  format?: string;
  strict?: boolean;
  pathPrefix?: string;
}

/** `--format`, else GitHub annotations inside GitHub Actions, else text. */
export function checkFormat(format: string | undefined, env: NodeJS.ProcessEnv = process.env): CheckFormat {
  if (format === undefined) return env.GITHUB_ACTIONS === 'true' ? 'github' : 'text';
  if (!(CHECK_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${format} is not one of ${CHECK_FORMATS.join(', ')}`);
  }
  return format as CheckFormat;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export async function checkCommand(tree: string, options: CheckOptions): Promise<number> {
  const format = checkFormat(options.format);
  // The library's check (issue #17): the CLI renders what it returns.
  const result = await checkResult({
    tree,
    ...(options.inventory !== undefined && { inventory: options.inventory }),
    ...(options.model !== undefined && { models: options.model }),
    strict: options.strict ?? false,
    ...(options.maxSize !== undefined && { sizeLimits: sizeLimitsFlag(options) }),
  });
  const render: Record<CheckFormat, () => Promise<string> | string> = {
    text: () => renderCheckText(result, tree),
    json: () => renderCheckJson(result, tree),
    junit: () => renderCheckJunit(result, tree),
    sarif: async () => renderCheckSarif(result, await pathBase(tree, options.pathPrefix), packageVersion()),
    github: async () => renderCheckGithub(result, await pathBase(tree, options.pathPrefix)),
  };
  process.stdout.write(await render[format]());
  return failed(result.findings) ? EXIT.couldNotRun : EXIT.ok;
}
