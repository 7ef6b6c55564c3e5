// Is a value one the parameter catalogue documents (issue #4 §1, §3)? Type, range, allowed values,
// length, and the index range of names such as `account.{n}.label`.
import { isIP } from 'node:net';
import type { ParameterMatch, ParameterSpec } from '../models/parameters.js';

export type ValueVerdict = { readonly ok: true } | { readonly ok: false; readonly expected: string };

const OK: ValueVerdict = { ok: true };
const HOST = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
const TIME = /^([01]?\d|2[0-3]):[0-5]\d$/;
const INTEGER = /^[+-]?\d+$/;

function range(spec: ParameterSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return `${spec.min}-${spec.max}`;
  if (spec.min !== undefined) return `at least ${spec.min}`;
  if (spec.max !== undefined) return `at most ${spec.max}`;
  return 'a whole number';
}

function checkType(spec: ParameterSpec, value: string): ValueVerdict {
  switch (spec.type) {
    case 'bool':
      return value === '0' || value === '1' ? OK : { ok: false, expected: '0 or 1' };
    case 'int': {
      if (!INTEGER.test(value)) return { ok: false, expected: `a whole number (${range(spec)})` };
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        return { ok: false, expected: range(spec) };
      }
      return OK;
    }
    case 'enum':
      return spec.values && !spec.values.includes(value)
        ? { ok: false, expected: `one of ${spec.values.join(', ')}` }
        : OK;
    case 'time':
      return TIME.test(value) ? OK : { ok: false, expected: 'a time HH:MM (00:00-23:59)' };
    case 'ip':
      return isIP(value) !== 0 || (HOST.test(value) && !/^[\d.]+$/.test(value))
        ? OK
        : { ok: false, expected: 'an IP address or host name' };
    case 'digits':
      return /^\d*$/.test(value) ? OK : { ok: false, expected: 'digits only' };
    default:
      return OK;
  }
}

/**
 * Checks a value against its catalogue entry. The empty string (`%NULL%`, C2a) is always allowed.
 * `indexBounds` replaces the catalogue's bounds of an index (the accounts of `account.{n}`).
 */
export function checkValue(
  match: ParameterMatch,
  value: string,
  indexBounds?: Readonly<Record<string, readonly [number, number]>>,
): ValueVerdict {
  const { spec } = match;
  for (const [index, catalogueBounds] of Object.entries(spec.index ?? {})) {
    const bounds = indexBounds?.[index] ?? catalogueBounds;
    const n = match.indices[index];
    if (n !== undefined && (n < bounds[0] || n > bounds[1])) {
      return { ok: false, expected: `${index} in ${bounds[0]}-${bounds[1]} in the name` };
    }
  }
  if (value === '') return OK;
  const typed = checkType(spec, value);
  if (!typed.ok) return typed;
  // Enumerated values also constrain types other than enum (digits such as dayofweek `0123456`).
  if (
    spec.type !== 'enum' &&
    spec.values &&
    spec.values.length > 0 &&
    spec.type !== 'digits' &&
    !spec.values.includes(value)
  ) {
    return { ok: false, expected: `one of ${spec.values.join(', ')}` };
  }
  if (spec.charset !== undefined && [...value].some((c) => !spec.charset!.includes(c))) {
    return { ok: false, expected: `only the characters ${spec.charset}` };
  }
  if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    return { ok: false, expected: `at most ${spec.maxLength} characters` };
  }
  return OK;
}
