// The fleet report as `autop fleet --json` prints it and the library's `simulate` returns it (issue
// #17): the runner's report, with the tree on disk named when the phones were given one (in real
// time they fetched it from an embedded server, whose address is `run.server`).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FleetReport } from './report.js';

/** The report, with `run.tree` the tree's file URL when the run was given a folder. */
export function fleetDocument(report: FleetReport, treeDir?: string): FleetReport {
  if (treeDir === undefined) return report;
  return { ...report, run: { ...report.run, tree: treeFileUrl(treeDir) } };
}

/** `file:///abs/tree/`: how a report names a tree on disk. */
export function treeFileUrl(dir: string): string {
  return pathToFileURL(resolve(dir) + '/').href;
}
