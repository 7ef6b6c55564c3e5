#!/usr/bin/env node
// `npm run catalogue:coverage -- --source NAME=DIR ...`: how many of the parameter names in folders
// of provisioning templates models/parameters.json knows, per source and together, and which
// families it lacks (issue #12 §1). A thin command line over src/models/coverage.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import {
  combineCoverage,
  measureCoverage,
  templateFileKind,
  type SourceCoverage,
  type TemplateFile,
} from '../src/models/coverage.js';
import { loadParameterCatalogue, ParameterCatalogue, type ParametersFile } from '../src/models/parameters.js';

interface SourceArg {
  readonly label: string;
  readonly dir: string;
}

interface Options {
  readonly source?: SourceArg[];
  readonly json?: boolean;
  readonly catalogue?: string;
  readonly failUnder?: number;
  readonly names?: number;
}

const USAGE = 2;

function parseSource(value: string, previous: SourceArg[] = []): SourceArg[] {
  const eq = value.indexOf('=');
  const label = eq > 0 ? value.slice(0, eq) : basename(resolve(value));
  const dir = eq > 0 ? value.slice(eq + 1) : value;
  return [...previous, { label, dir }];
}

function parsePercent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('a percentage, 0-100');
  return n;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, 0 or more');
  return n;
}

/** Every template file under `dir`, in a stable order; paths relative to `dir`. */
function* templateFiles(dir: string): Generator<TemplateFile> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && templateFileKind(e.name) !== undefined)
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const path of entries) yield { path: relative(dir, path), text: readFileSync(path, 'utf8') };
}

function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

function printSource(report: SourceCoverage, dir: string | undefined, namesPerFamily: number): void {
  const where = dir ? ` (${dir})` : '';
  console.log(`${report.source}${where}`);
  const ini = report.iniFiles.length;
  console.log(
    `  ${report.files} files read${ini ? `, ${ini} skipped (INI format, not CFG)` : ''}` +
      `${report.skippedLines ? `, ${report.skippedLines} lines with names built by the template` : ''}`,
  );
  console.log(
    `  distinct names ${report.distinct}, known ${report.known}, unknown ${report.unknown}: ${percent(report.percent)} known`,
  );
  if (report.unknownFamilies.length > 0) {
    console.log('  unknown, by family:');
    for (const family of report.unknownFamilies) {
      const shown = family.names.slice(0, namesPerFamily).join(', ');
      const more = family.names.length > namesPerFamily ? ', ...' : '';
      console.log(
        `    ${String(family.count).padStart(4)}  ${family.family}${shown ? `  ${shown}${more}` : ''}`,
      );
    }
  }
  const outside = report.names.filter((n) => n.outsideIndexRange.length > 0);
  if (outside.length > 0) {
    console.log('  known, but written with an index the catalogue does not admit:');
    for (const n of outside) console.log(`    ${n.name}: ${n.outsideIndexRange.join(', ')}`);
  }
}

export function main(argv: readonly string[]): number {
  const program = new Command('catalogue-coverage')
    .description(
      'How many parameter names of folders of Yealink provisioning templates models/parameters.json knows',
    )
    .argument('[dir...]', 'template folders (each its own source, named by the folder)')
    .option(
      '--source <name=dir>',
      'a template folder and the name of its source (repeatable)',
      parseSource,
      [],
    )
    .option('--json', 'print one JSON document')
    .option('--catalogue <file>', 'measure against this parameters.json instead of the bundled one')
    .option('--fail-under <percent>', 'exit 1 when all sources together are below this share', parsePercent)
    .option('--names <count>', 'unknown names shown per family in the text output (default 6)', parseCount)
    .exitOverride();
  let options: Options;
  let dirs: string[];
  try {
    program.parse(argv, { from: 'user' });
    options = program.opts<Options>();
    dirs = program.args;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE;
    throw error;
  }
  const sources = dirs.reduce((all, dir) => parseSource(dir, all), options.source ?? []);
  if (sources.length === 0) {
    console.error('catalogue-coverage: name at least one template folder (--source NAME=DIR, or DIR)');
    return USAGE;
  }
  for (const { dir } of sources) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      console.error(`catalogue-coverage: ${dir} is not a folder`);
      return USAGE;
    }
  }
  let catalogue: ParameterCatalogue;
  if (options.catalogue !== undefined) {
    try {
      catalogue = new ParameterCatalogue(
        JSON.parse(readFileSync(options.catalogue, 'utf8')) as ParametersFile,
      );
    } catch (error) {
      console.error(`catalogue-coverage: cannot read ${options.catalogue}: ${(error as Error).message}`);
      return USAGE;
    }
  } else {
    catalogue = loadParameterCatalogue();
  }

  const reports = sources.map(({ label, dir }) => measureCoverage(label, templateFiles(dir), catalogue));
  const total = combineCoverage('all sources', reports);
  if (options.json) {
    console.log(JSON.stringify({ sources: reports, total }, null, 2));
  } else {
    const namesPerFamily = options.names ?? 6;
    reports.forEach((report, i) => {
      printSource(report, sources[i]!.dir, namesPerFamily);
      console.log('');
    });
    if (reports.length > 1) printSource(total, undefined, namesPerFamily);
  }
  return options.failUnder !== undefined && total.percent < options.failUnder ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
