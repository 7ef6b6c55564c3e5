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

interface ParametersFile {
  groups: { name: string; source: string; parameters: ParameterSpec[] }[];
  rebootPatterns: { pattern: string; reboot: boolean; source: string }[];
}

interface CompiledPattern {
  readonly regex: RegExp;
  readonly spec: ParameterSpec;
  readonly indexNames: readonly string[];
}

export interface ParameterMatch {
  readonly spec: ParameterSpec;
  /** Index values in the name, e.g. `{ n: 3 }` for `account.3.enable`. */
  readonly indices: Readonly<Record<string, number>>;
}

export class ParameterCatalogue {
  private readonly exact = new Map<string, ParameterSpec>();
  private readonly patterns: CompiledPattern[] = [];
  private readonly rebootPatterns: { regex: RegExp; reboot: boolean; source: string }[] = [];
  private readonly memo = new Map<string, ParameterMatch | null>();

  constructor(file: ParametersFile) {
    for (const group of file.groups) {
      for (const raw of group.parameters) {
        const spec: ParameterSpec = { ...raw, source: group.source };
        for (const name of [spec.name, ...(spec.aliases ?? [])]) {
          if (name.includes('{')) {
            const indexNames: string[] = [];
            const source = escapeRegex(name).replace(/\\\{(\w+)\\\}/g, (_m, index: string) => {
              indexNames.push(index);
              return '(\\d+)';
            });
            this.patterns.push({ regex: new RegExp(`^${source}$`), spec, indexNames });
          } else {
            this.exact.set(name, spec);
          }
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
    let match: ParameterMatch | null = null;
    const exact = this.exact.get(name);
    if (exact) match = { spec: exact, indices: {} };
    else {
      for (const pattern of this.patterns) {
        const found = pattern.regex.exec(name);
        if (!found) continue;
        const indices: Record<string, number> = {};
        pattern.indexNames.forEach((index, i) => (indices[index] = Number(found[i + 1])));
        match = { spec: pattern.spec, indices };
        break;
      }
    }
    this.memo.set(name, match);
    return match ?? undefined;
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
