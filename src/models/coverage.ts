// How much of a folder of provisioning templates the parameter catalogue knows (issue #12 §1): the
// parameter names of `name = value` lines, read through Smarty and Jinja template syntax, written
// the way models/parameters.json writes them (`account.{n}.label`), and counted as known or not.
import { splitLines, splitModelPrefix } from '../config/lines.js';
import type { ParameterCatalogue } from './parameters.js';

/** How a file carries its CFG lines: all of it (`cfg`, `boot`), or only its CDATA sections (`xml`). */
export type TemplateFileKind = 'cfg' | 'boot' | 'xml';

const CFG_EXTENSIONS = ['.cfg', '.tpl', '.j2', '.jinja', '.jinja2', '.tmpl', '.template', '.conf'];

/** The kind of a template file by its name, or undefined for files that hold no CFG lines. */
export function templateFileKind(path: string): TemplateFileKind | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.boot')) return 'boot';
  // 3CX phone templates (`*.ph.xml`) carry the CFG text in CDATA sections; other XML files
  // (phone books, favourites) have none and so contribute nothing.
  if (lower.endsWith('.xml')) return 'xml';
  return CFG_EXTENSIONS.some((ext) => lower.endsWith(ext)) ? 'cfg' : undefined;
}

/** Spec B6/B7: the keys a boot file may set; the boot parser knows them, not the CFG catalogue. */
export const BOOT_FILE_KEYS: ReadonlySet<string> = new Set(['overwrite_mode', 'specific_model.excluded_mode']);

/** One parameter name found in a template. */
export interface ExtractedName {
  /** The name as the catalogue writes it: numeric and templated indexes become `{n}`, `{m}`, ... */
  readonly name: string;
  /** The index values the line wrote, in order; null where a template placeholder stood. */
  readonly indexes: readonly (number | null)[];
  readonly line: number;
  /** The value as written, or null where the template computes it (`{$x}`, `{{ x }}`). */
  readonly value: string | null;
}

/** A `name = value` line whose name could not be read as a parameter name. */
export interface SkippedLine {
  readonly line: number;
  /** `templated`: a placeholder is only part of a segment (`{$prefix}.label`); `not-a-name`: spaces or other characters. */
  readonly reason: 'templated' | 'not-a-name';
  readonly text: string;
}

export interface Extraction {
  readonly names: readonly ExtractedName[];
  readonly skipped: readonly SkippedLine[];
  /**
   * The line of the first `[ section ]` header, from which on the file is in the INI format of
   * firmware before V70 (or of a web-items file): its keys are not CFG parameter names, so none
   * is extracted from there on. Undefined when the file has no such section.
   */
  readonly iniFrom?: number;
}

/** Index names in the order the catalogue uses them: the first index `{n}`, the second `{m}`, ... */
export const INDEX_NAMES = ['n', 'm', 'o', 'p', 'q'] as const;

/** Stands for a template expression (`{$x}`, `{{ x }}`, `%%x%%`) while a line is parsed (a private-use character). */
const PLACEHOLDER = '\ue000';
/** Marks where a template statement (`{if ...}`, `{% endfor %}`) stood. */
const STATEMENT = '\ue001';
/** A line that is only `[ section ]`: a model prefix is always followed by a setting. */
const INI_SECTION = /^\[[^\]]*\]$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const LETTER_INDEX = /^([XxYy]|\*|%d)$/;

/** Reads the parameter names of one template file. */
export function extractParameterNames(text: string, kind: TemplateFileKind): Extraction {
  const body = kind === 'xml' ? cdataOnly(text) : text;
  const lines = splitLines(stripTemplateSyntax(body));
  const names: ExtractedName[] = [];
  const skipped: SkippedLine[] = [];
  for (const { number, text: raw } of lines) {
    const trimmed = raw.replace(/^[\s\ue001]+/, '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (INI_SECTION.test(trimmed)) return { names, skipped, iniFrom: number };
    const prefix = splitModelPrefix(trimmed);
    if (prefix.kind === 'malformed') continue;
    const eq = prefix.rest.indexOf('=');
    if (eq <= 0) continue; // include:config lines, template residue, values of a previous line
    const rawName = prefix.rest.slice(0, eq).split(STATEMENT).join('').trim();
    const normalised = normaliseParameterName(rawName);
    if (normalised.kind === 'name') {
      if (kind === 'boot' && BOOT_FILE_KEYS.has(normalised.name)) continue;
      // `{if $x}a = 1{else}a = 0{/if}`: the value ends where the next statement begins.
      const value = (prefix.rest.slice(eq + 1).split(STATEMENT)[0] ?? '').trim();
      names.push({
        name: normalised.name,
        indexes: normalised.indexes,
        line: number,
        value: value.includes(PLACEHOLDER) ? null : value,
      });
    } else {
      skipped.push({ line: number, reason: normalised.kind, text: rawName.split(PLACEHOLDER).join('{…}') });
    }
  }
  return { names, skipped };
}

export type NormalisedName =
  | { readonly kind: 'name'; readonly name: string; readonly indexes: readonly (number | null)[] }
  | { readonly kind: 'templated' | 'not-a-name' };

/**
 * Writes a name as the catalogue does: a segment that is a number, or a whole template placeholder,
 * is an index (`account.3.label`, `account.{$line}.label`, `account.X.label` → `account.{n}.label`).
 */
export function normaliseParameterName(raw: string): NormalisedName {
  const segments = raw.split('.');
  const indexes: (number | null)[] = [];
  const out: string[] = [];
  for (const [i, segment] of segments.entries()) {
    // Yealink's own templates write an index they leave to the reader as X, Y, * or %d (`account.X.label`).
    const isPlaceholder = /^\s*\ue000\s*$/.test(segment) || LETTER_INDEX.test(segment);
    if (isPlaceholder || /^\d+$/.test(segment)) {
      // A name never starts with an index; a placeholder there is a templated prefix.
      if (i === 0 || indexes.length >= INDEX_NAMES.length) return { kind: 'templated' };
      out.push(`{${INDEX_NAMES[indexes.length]}}`);
      indexes.push(isPlaceholder ? null : Number(segment));
      continue;
    }
    if (segment.includes(PLACEHOLDER)) return { kind: 'templated' };
    if (!SEGMENT.test(segment)) return { kind: 'not-a-name' };
    out.push(segment);
  }
  return { kind: 'name', name: out.join('.'), indexes };
}

/** The name with its indexes filled in: the values written, 1 for a placeholder. */
export function instanceOf(name: string, indexes: readonly (number | null)[]): string {
  let i = 0;
  return name.replace(/\{[a-z]\}/g, () => String(indexes[i++] ?? 1));
}

/** Keeps the text of `<![CDATA[ ... ]]>` sections and blanks the rest, line numbers intact. */
function cdataOnly(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = text.indexOf('<![CDATA[', at);
    if (open < 0) return out + blank(text.slice(at));
    const close = text.indexOf(']]>', open + 9);
    const end = close < 0 ? text.length : close;
    out += blank(text.slice(at, open + 9)) + text.slice(open + 9, end);
    if (close < 0) return out;
    out += '   ';
    at = close + 3;
  }
}

/** Keeps the line breaks of a piece of text and nothing else. */
function blank(text: string): string {
  return text.replace(/[^\n]/g, '');
}

/**
 * Reads template syntax out of the text: statements and comments (Smarty `{if}`, `{/foreach}`,
 * `{* *}`, 3CX `{IF}`; Jinja `{% %}`, `{# #}`) become a statement mark, expressions (Smarty `{$x}`,
 * Jinja `{{ x }}`, 3CX `%%x%%`, `@X@`, `${x}`) a placeholder. Every line break is kept, so that line
 * numbers stay those of the file.
 */
export function stripTemplateSyntax(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{') {
      const next = text[i + 1];
      const closers: Record<string, string> = { '%': '%}', '#': '#}', '*': '*}' };
      const closer = next !== undefined ? closers[next] : undefined;
      if (closer !== undefined) {
        const end = text.indexOf(closer, i + 2);
        if (end >= 0) {
          out += STATEMENT + blank(text.slice(i, end + 2));
          i = end + 2;
          continue;
        }
      }
      const end = matchingBrace(text, i);
      if (end >= 0) {
        if (next === '{' || next === '$') {
          out += PLACEHOLDER;
          i = end + 1;
          continue;
        }
        if (next === '/' || (next !== undefined && /[A-Za-z_]/.test(next))) {
          out += STATEMENT; // a Smarty statement: {if ...}, {else}, {/if}, {foreach ...}, {line_loop}
          i = end + 1;
          continue;
        }
      }
    } else if (c === '%' && text[i + 1] === '%') {
      const m = /^%%[A-Za-z0-9_:.-]+%%/.exec(text.slice(i, i + 80));
      if (m) {
        out += PLACEHOLDER;
        i += m[0].length;
        continue;
      }
    } else if (c === '$' && text[i + 1] === '{') {
      const end = matchingBrace(text, i + 1);
      if (end >= 0) {
        out += PLACEHOLDER;
        i = end + 1;
        continue;
      }
    } else if (c === '@') {
      const m = /^@[A-Z][A-Z0-9_]*@/.exec(text.slice(i, i + 60));
      if (m) {
        out += PLACEHOLDER;
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i += 1;
  }
  return out;
}

/** The index of the `}` closing the `{` at `open` on the same line, or -1. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return -1;
    if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** A file to measure: its path (for messages) and text. */
export interface TemplateFile {
  readonly path: string;
  readonly text: string;
}

/** One distinct (normalised) name of a source and what the catalogue says of it. */
export interface NameCoverage {
  readonly name: string;
  readonly known: boolean;
  /** Files that set it, and the first line where each does. */
  readonly occurrences: number;
  readonly firstSeen: { readonly path: string; readonly line: number };
  /** Written index values the catalogue's `index` range does not admit, e.g. `n=17 (1-16)`. */
  readonly outsideIndexRange: readonly string[];
}

export interface FamilyCount {
  readonly family: string;
  readonly count: number;
  readonly names: readonly string[];
}

export interface SourceCoverage {
  readonly source: string;
  readonly files: number;
  /** Files in the INI format (pre-V70 firmware, web-item levels): nothing counted from them. */
  readonly iniFiles: readonly string[];
  readonly distinct: number;
  readonly known: number;
  readonly unknown: number;
  /** Share of distinct names the catalogue knows, 0-100. */
  readonly percent: number;
  readonly names: readonly NameCoverage[];
  readonly unknownFamilies: readonly FamilyCount[];
  /** Lines whose names are built by the template and so cannot be counted. */
  readonly skippedLines: number;
}

/** Measures one source: every distinct name of its files, known or not. */
export function measureCoverage(
  source: string,
  files: Iterable<TemplateFile>,
  catalogue: ParameterCatalogue,
): SourceCoverage {
  interface Seen {
    firstSeen: { path: string; line: number };
    files: Set<string>;
    low: (number | undefined)[];
    high: (number | undefined)[];
    instance: string;
  }
  const seen = new Map<string, Seen>();
  const iniFiles: string[] = [];
  let fileCount = 0;
  let skippedLines = 0;
  for (const file of files) {
    const kind = templateFileKind(file.path);
    if (kind === undefined) continue;
    fileCount += 1;
    const extraction = extractParameterNames(file.text, kind);
    if (extraction.iniFrom !== undefined && extraction.names.length === 0) iniFiles.push(file.path);
    skippedLines += extraction.skipped.length;
    for (const found of extraction.names) {
      let entry = seen.get(found.name);
      if (!entry) {
        entry = {
          firstSeen: { path: file.path, line: found.line },
          files: new Set(),
          low: [],
          high: [],
          instance: instanceOf(found.name, found.indexes),
        };
        seen.set(found.name, entry);
      }
      entry.files.add(file.path);
      found.indexes.forEach((value, i) => {
        if (value === null) return;
        entry.low[i] = Math.min(entry.low[i] ?? value, value);
        entry.high[i] = Math.max(entry.high[i] ?? value, value);
      });
    }
  }
  const names: NameCoverage[] = [];
  for (const [name, entry] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
    const match = catalogue.find(entry.instance);
    const outside: string[] = [];
    if (match) {
      INDEX_NAMES.forEach((index, i) => {
        const range = match.spec.index?.[index];
        const low = entry.low[i];
        const high = entry.high[i];
        if (!range || low === undefined || high === undefined) return;
        if (low < range[0] || high > range[1]) {
          outside.push(`${index}=${low === high ? low : `${low}..${high}`} (catalogue ${range[0]}-${range[1]})`);
        }
      });
    }
    names.push({
      name,
      known: match !== undefined,
      occurrences: entry.files.size,
      firstSeen: entry.firstSeen,
      outsideIndexRange: outside,
    });
  }
  return summarise(source, fileCount, iniFiles, names, skippedLines);
}

/** The coverage of several sources together: each distinct name counted once. */
export function combineCoverage(label: string, sources: readonly SourceCoverage[]): SourceCoverage {
  const byName = new Map<string, NameCoverage>();
  for (const source of sources) {
    for (const n of source.names) {
      const earlier = byName.get(n.name);
      byName.set(
        n.name,
        earlier
          ? {
              ...earlier,
              occurrences: earlier.occurrences + n.occurrences,
              outsideIndexRange: [...new Set([...earlier.outsideIndexRange, ...n.outsideIndexRange])],
            }
          : n,
      );
    }
  }
  const names = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return summarise(
    label,
    sources.reduce((sum, s) => sum + s.files, 0),
    sources.flatMap((s) => s.iniFiles),
    names,
    sources.reduce((sum, s) => sum + s.skippedLines, 0),
  );
}

function summarise(
  source: string,
  files: number,
  iniFiles: readonly string[],
  names: readonly NameCoverage[],
  skippedLines: number,
): SourceCoverage {
  const known = names.filter((n) => n.known).length;
  const unknownNames = names.filter((n) => !n.known);
  const families = new Map<string, string[]>();
  for (const n of unknownNames) {
    const family = familyOf(n.name);
    families.set(family, [...(families.get(family) ?? []), n.name]);
  }
  return {
    source,
    files,
    iniFiles,
    distinct: names.length,
    known,
    unknown: unknownNames.length,
    percent: names.length === 0 ? 100 : (100 * known) / names.length,
    names,
    unknownFamilies: [...families]
      .map(([family, list]) => ({ family, count: list.length, names: list }))
      .sort((a, b) => b.count - a.count || a.family.localeCompare(b.family)),
    skippedLines,
  };
}

/**
 * The family a name belongs to, for grouping: its first segment (two with `static.`), the indexes
 * after it, and one more segment when the name goes deeper (`account.{n}.dnd.on_code` →
 * `account.{n}.dnd.*`, `account.{n}.transport` → `account.{n}.*`).
 */
export function familyOf(name: string): string {
  const segments = name.split('.');
  const head: string[] = [];
  let i = 0;
  if (segments[0] === 'static' && segments.length > 2) head.push(segments[i++]!);
  head.push(segments[i++]!);
  while (i < segments.length - 1 && /^\{[a-z]\}$/.test(segments[i]!)) head.push(segments[i++]!);
  if (segments.length - i >= 2) head.push(segments[i++]!);
  return `${head.join('.')}.*`;
}
