// What the library's functions check in their options before any round runs: trees, servers,
// models, inventories, durations. Each mistake is a UsageError (AutopError `usage`) or an
// UnreadableInput (`unreadable`) with the message the CLI gives for the same mistake.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  inventoryFromRows,
  readInventory,
  type InventoryPhone,
  type InventoryProblem,
  type InventoryRow,
} from '../check/inventory.js';
import { parseDuration } from '../core/duration.js';
import { UnreadableInput } from '../core/unreadableInput.js';
import { UsageError } from '../core/usageError.js';
import type { DownloadKind } from '../engine/report.js';
import { expandWildcards, parseServerUrl } from '../engine/serverUrl.js';
import { DEFAULT_SIZE_LIMITS } from '../engine/sizeLimits.js';
import { loadModelCatalogue, type ModelCatalogue, type ModelEntry } from '../models/catalogue.js';
import { loadParameterCatalogue, type ParameterCatalogue } from '../models/parameters.js';

export function catalogues(): { models: ModelCatalogue; params: ParameterCatalogue } {
  return { models: loadModelCatalogue(), params: loadParameterCatalogue() };
}

/** The tree's folder, absolute; `what` names it as the CLI does (`TREE`, `--tree`, `TREE_A`). */
export function treeFolder(tree: string, what: string): string {
  if (typeof tree !== 'string' || tree === '') throw new UsageError(`${what}: give the tree's folder`);
  const dir = resolve(tree);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UnreadableInput(`${what} ${tree} is not a folder`);
  return dir;
}

/** `tree` is `server: file://TREE/` (issue #2 §7); one of the two, or neither (the flash's server). */
export function serverOf(options: {
  readonly tree?: string | undefined;
  readonly server?: string | undefined;
}): { url: string; source: string } | undefined {
  if (options.tree !== undefined && options.server !== undefined)
    throw new UsageError('give either --tree DIR or --server URL, not both');
  if (options.tree !== undefined) {
    const dir = treeFolder(options.tree, '--tree');
    return { url: pathToFileURL(dir + '/').href, source: '--tree' };
  }
  if (options.server === undefined) return undefined;
  if (typeof options.server !== 'string') throw new UsageError("--server: give the server's URL");
  // S4: the wildcards stand for a model name and a MAC; what is left must be a server address.
  const parsed = parseServerUrl(expandWildcards(options.server, { pn: 'T46U', mac: '001565000000' }));
  if (!parsed.ok) throw new UsageError(`--server: ${parsed.message}`);
  return { url: options.server, source: '--server' };
}

/** `models: ['T46U', 'T23G']` (or one string, commas allowed), as `--model` takes them. */
export function modelsOf(
  names: readonly string[] | string | undefined,
  models: ModelCatalogue,
): ModelEntry[] | undefined {
  if (names === undefined) return undefined;
  const list = (typeof names === 'string' ? [names] : names).flatMap((n) => n.split(','));
  if (list.length === 0) return undefined;
  return list.map((name) => {
    const found = models.lookup(name.trim());
    if (!found.ok) throw new UsageError(found.message);
    return found.model;
  });
}

/** An inventory given as a path (CSV or JSON, as `--inventory`) or as rows. */
export type InventoryInput = string | readonly InventoryRow[];

export interface InventoryRead {
  readonly phones: InventoryPhone[];
  readonly problems: readonly InventoryProblem[];
  /** The file, when the inventory is one: as given, and absolute. */
  readonly path?: string;
}

export async function readInventoryInput(
  inventory: InventoryInput,
  models: ModelCatalogue,
): Promise<InventoryRead> {
  if (typeof inventory === 'string') {
    const read = await readInventory(inventory, models);
    if (read.kind === 'unreadable') throw new UnreadableInput(read.message);
    return { phones: read.phones, problems: read.problems, path: inventory };
  }
  if (!Array.isArray(inventory))
    throw new UsageError('inventory: give a CSV or JSON file, or an array of { mac, model } rows');
  // A relative `state` path of a row is relative to the current folder, as any other path given.
  return inventoryFromRows(inventory, process.cwd(), models);
}

/** The inventory's path as the check's findings name it: relative to the tree, with `/`. */
export function inventoryFileInTree(root: string, path: string): string {
  return relative(root, resolve(path)).split(sep).join('/');
}

/** `FILE:LINE: message`, as the CLI prints an inventory row it leaves out. */
export function problemText(path: string | undefined, problem: InventoryProblem): string {
  const where = path === undefined ? '' : `${path}${problem.line !== undefined ? `:${problem.line}` : ''}: `;
  return `${where}${problem.message}`;
}

/** A duration option (`'7d'`), with the CLI's message for its flag. */
export function durationOf(flag: string, text: string): number {
  const ms = typeof text === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined)
    throw new UsageError(`${flag} ${String(text)}: write a duration such as 30s, 5m, 12h or 7d`);
  return ms;
}

/** Extra CA files (PEM), checked readable before any transfer: the fetcher reads them. */
export function caFilesOf(files: readonly string[] | undefined): string[] {
  if (files === undefined) return [];
  const given: unknown = files;
  if (!Array.isArray(given) || given.some((f) => typeof f !== 'string'))
    throw new UsageError('ca: give a list of PEM files');
  for (const file of files) {
    try {
      readFileSync(file);
    } catch (e) {
      throw new UnreadableInput(
        `--ca ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    }
  }
  return [...files];
}

/** Per kind of download, the largest file accepted, in bytes (issue #13.3). */
export function sizeLimitsOf(
  limits: Partial<Record<DownloadKind, number>> | undefined,
): Partial<Record<DownloadKind, number>> | undefined {
  if (limits === undefined) return undefined;
  const kinds = Object.keys(DEFAULT_SIZE_LIMITS);
  for (const [kind, bytes] of Object.entries(limits)) {
    if (!kinds.includes(kind))
      throw new UsageError(`sizeLimits.${kind}: not a kind of download; the kinds are ${kinds.join(', ')}`);
    if (!Number.isSafeInteger(bytes) || bytes < 1)
      throw new UsageError(`sizeLimits.${kind}: give a whole number of bytes, at least 1`);
  }
  return limits;
}
