// The parameter catalogue (models/parameters.json): type, range, default, and whether a change
// needs a reboot (spec R1). Static parameters are those named `static.*` (spec "Names").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelsDir } from '../core/packageRoot.js';

export type ParameterType = 'bool' | 'int' | 'enum' | 'string' | 'url' | 'time' | 'ip' | 'password' | 'digits';

export interface ParameterSpec {
  readonly name: string;
  readonly type: ParameterType;
  readonly default: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  readonly maxLength?: number;
  readonly charset?: string;
  readonly reboot?: boolean;
  readonly confidence?: string;
  readonly aliases?: readonly string[];
  readonly index?: Readonly<Record<string, readonly [number, number]>>;
  readonly note?: string;
  /** The group's `source`, copied in so that a finding can cite it. */
  readonly source?: string;
}

/** The shape of models/parameters.json (models/README.md). */
export interface ParametersFile {
  groups: { name: string; source: string; parameters: ParameterSpec[] }[];
  rebootPatterns: { pattern: string; reboot: boolean; source: string }[];
}

interface CompiledPattern {
  readonly regex: RegExp;
  readonly spec: ParameterSpec;
  readonly indexNames: readonly string[];
}

/** A pattern whose indexes are whole segments (`account.{n}.label`), found by its skeleton. */
interface SkeletonPattern {
  readonly spec: ParameterSpec;
  /** For each segment of the name: the index it stands for, or null for a literal segment. */
  readonly segmentIndexes: readonly (string | null)[];
}

export interface ParameterMatch {
  readonly spec: ParameterSpec;
  /** Index values in the name, e.g. `{ n: 3 }` for `account.3.enable`. */
  readonly indices: Readonly<Record<string, number>>;
}

const WHOLE_SEGMENT_INDEX = /^\{(\w+)\}$/;
const NUMBER_SEGMENT = /^\d+$/;

/**
 * The skeleton of a name: each segment that is a number, or an index such as `{n}`, becomes `#`
 * (`account.3.label` and `account.{n}.label` are both `account.#.label`).
 */
function skeletonOf(segments: readonly string[]): string {
  return segments.map((s) => (NUMBER_SEGMENT.test(s) || WHOLE_SEGMENT_INDEX.test(s) ? '#' : s)).join('.');
}

export class ParameterCatalogue {
  private readonly exact = new Map<string, ParameterSpec>();
  /**
   * Patterns looked up by skeleton, one map access per name however many patterns there are
   * (`autop check` looks up every setting of every file). The first pattern of a skeleton wins,
   * as it did when patterns were tried in order; the catalogue test forbids such overlaps anyway.
   */
  private readonly bySkeleton = new Map<string, SkeletonPattern>();
  /** The rest (an index inside a segment, or a literal number segment), tried in order. */
  private readonly patterns: CompiledPattern[] = [];
  private readonly rebootPatterns: { regex: RegExp; reboot: boolean; source: string }[] = [];
  private readonly memo = new Map<string, ParameterMatch | null>();

  constructor(file: ParametersFile) {
    for (const group of file.groups) {
      for (const raw of group.parameters) {
        const spec: ParameterSpec = { ...raw, source: group.source };
        for (const name of [spec.name, ...(spec.aliases ?? [])]) {
          if (!name.includes('{')) {
            this.exact.set(name, spec);
            continue;
          }
          const segments = name.split('.');
          const byWholeSegments = segments.every(
            (s) => WHOLE_SEGMENT_INDEX.test(s) || (!s.includes('{') && !NUMBER_SEGMENT.test(s)),
          );
          if (byWholeSegments) {
            const skeleton = skeletonOf(segments);
            if (!this.bySkeleton.has(skeleton)) {
              const segmentIndexes = segments.map((s) => WHOLE_SEGMENT_INDEX.exec(s)?.[1] ?? null);
              this.bySkeleton.set(skeleton, { spec, segmentIndexes });
            }
            continue;
          }
          const indexNames: string[] = [];
          const source = escapeRegex(name).replace(/\\\{(\w+)\\\}/g, (_m, index: string) => {
            indexNames.push(index);
            return '(\\d+)';
          });
          this.patterns.push({ regex: new RegExp(`^${source}$`), spec, indexNames });
        }
      }
    }
    for (const rule of file.rebootPatterns) {
      const source = escapeRegex(rule.pattern).replace(/\\\*/g, '.*');
      this.rebootPatterns.push({ regex: new RegExp(`^${source}$`), reboot: rule.reboot, source: rule.source });
    }
  }

  /** The catalogue entry for a parameter name, or undefined when the catalogue does not know it. */
  find(name: string): ParameterMatch | undefined {
    const memoised = this.memo.get(name);
    if (memoised !== undefined) return memoised ?? undefined;
    const match = this.lookUp(name);
    this.memo.set(name, match);
    return match ?? undefined;
  }

  private lookUp(name: string): ParameterMatch | null {
    const exact = this.exact.get(name);
    if (exact) return { spec: exact, indices: {} };
    const segments = name.split('.');
    const bySkeleton = this.bySkeleton.get(skeletonOf(segments));
    if (bySkeleton) {
      const indices: Record<string, number> = {};
      let numeric = true;
      bySkeleton.segmentIndexes.forEach((index, i) => {
        if (index === null) return;
        const value = segments[i]!;
        if (NUMBER_SEGMENT.test(value)) indices[index] = Number(value);
        else numeric = false; // the name itself wrote `{n}`: not a parameter name
      });
      if (numeric) return { spec: bySkeleton.spec, indices };
    }
    for (const pattern of this.patterns) {
      const found = pattern.regex.exec(name);
      if (!found) continue;
      const indices: Record<string, number> = {};
      pattern.indexNames.forEach((index, i) => (indices[index] = Number(found[i + 1])));
      return { spec: pattern.spec, indices };
    }
    return null;
  }

  /** The factory default, or undefined when not catalogued. */
  defaultOf(name: string): string | undefined {
    return this.find(name)?.spec.default;
  }

  /** Spec R1: does changing this parameter make the phone reboot? */
  needsReboot(name: string): boolean {
    const spec = this.find(name)?.spec;
    if (spec?.reboot !== undefined) return spec.reboot;
    for (const rule of this.rebootPatterns) if (rule.regex.test(name)) return rule.reboot;
    return false;
  }

  /** Spec K1, "Names": a static parameter is one whose name starts with `static.`. */
  static isStatic(name: string): boolean {
    return name.startsWith('static.');
  }

  /** Passwords and AES keys: masked in every output unless the user asks (issue #2 §7). */
  isSecret(name: string): boolean {
    return isSecretName(name) || this.find(name)?.spec.type === 'password';
  }
}

export function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('password') || /(^|\.)aes_key/.test(lower) || lower.endsWith('_aes');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let cached: ParameterCatalogue | undefined;

export function loadParameterCatalogue(): ParameterCatalogue {
  cached ??= new ParameterCatalogue(
    JSON.parse(readFileSync(join(modelsDir, 'parameters.json'), 'utf8')) as ParametersFile,
  );
  return cached;
}
