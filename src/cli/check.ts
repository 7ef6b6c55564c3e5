// `autop check TREE`: every phone of the inventory (or, without one, the models the tree names and
// phones of unknown model for its MAC files) through a round of the engine, the findings printed
// for people or for CI (issue #4 §1, §2; issue #12).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { join, relative, resolve, sep } from 'node:path';
import { checkTree } from '../check/checkTree.js';
import { readInventory } from '../check/inventory.js';
import { chooseModels, inventoryChoice, type ModelChoice } from '../check/modelChoice.js';
import { renderCheckGithub } from '../check/output/github.js';
import { renderCheckJson } from '../check/output/json.js';
import { renderCheckJunit } from '../check/output/junit.js';
import { pathBase } from '../check/output/paths.js';
import { renderCheckSarif } from '../check/output/sarif.js';
import { failed } from '../check/output/summary.js';
import { renderCheckText } from '../check/output/text.js';
import type { InventoryPhone } from '../check/inventory.js';
import { packageRoot } from '../core/packageRoot.js';
import { loadModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import { action } from './action.js';
import { EXIT, UsageError } from './usage.js';
import { addSizeOption, roundEngine, treeFolder, type SizeCliOptions } from './wire.js';

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

export function modelsFromOptions(names: readonly string[] | undefined): ModelEntry[] | undefined {
  if (!names || names.length === 0) return undefined;
  const models = loadModelCatalogue();
  return names
    .flatMap((n) => n.split(','))
    .map((name) => {
      const found = models.lookup(name.trim());
      if (!found.ok) throw new UsageError(found.message);
      return found.model;
    });
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export async function checkCommand(tree: string, options: CheckOptions): Promise<number> {
  const root = treeFolder(tree);
  const format = checkFormat(options.format);
  const only = modelsFromOptions(options.model);
  const engine = roundEngine(options);
  const models = engine.catalogues.models;

  let phones: readonly InventoryPhone[];
  let choice: ModelChoice;
  let inventory;
  if (options.inventory !== undefined) {
    const read = await readInventory(options.inventory, models);
    if (read.kind === 'unreadable') throw new UsageError(read.message);
    phones = only ? read.phones.filter((p) => only.some((m) => m.id === p.model.id)) : read.phones;
    choice = inventoryChoice(phones);
    inventory = {
      file: relative(root, resolve(options.inventory)).split(sep).join('/'),
      problems: read.problems,
    };
  } else {
    choice = await chooseModels(root, models, only);
    phones = choice.phones;
    if (phones.length === 0 && choice.unknown.macCfgs === 0) {
      // Checking nothing would pass any tree: a CI run must not go green on nothing.
      throw new UsageError(
        `${tree} has no boot file, no common CFG${only ? ' of the --model models' : ''} and no MAC file: nothing a phone asks for, so nothing to check; give --inventory FILE, or the tree's folder`,
      );
    }
  }

  const result = await checkTree({
    tree: root,
    phones,
    engine,
    choice,
    strict: options.strict ?? false,
    ...(inventory && { inventory }),
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
