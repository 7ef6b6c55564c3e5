// `--fail-on`: when a fleet run that completed counts as failed for CI (exit 1). A run that found
// failed phones has still done its job (its report is the result); whether that many failures
// fail the pipeline is the user's threshold, not the emulator's.
import { UsageError } from '../cli/usage.js';
import { formatCount, formatPercent } from './render/figures.js';

/** More than `phones` failed phones, or more than `percent` % of the phones; or never. */
export type FailOn =
  | { readonly kind: 'never' }
  | { readonly kind: 'count'; readonly phones: number }
  | { readonly kind: 'share'; readonly percent: number };

export const DEFAULT_FAIL_ON = 'any';

const SYNTAX =
  'write any (a failed phone fails the run), never, failed>N (more than N phones), or failed>N% (more than N% of the phones), e.g. --fail-on failed>1%';

/** `any`, `never`, `failed>N`, `failed>N%`, or `N%` for `failed>N%`. */
export function parseFailOn(text: string): FailOn {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  if (t === 'any') return { kind: 'count', phones: 0 };
  if (t === 'never') return { kind: 'never' };
  const match = /^(?:failed>)?(\d+(?:\.\d+)?)(%?)$/.exec(t);
  if (!match || (match[2] === '' && !t.startsWith('failed>')))
    throw new UsageError(`--fail-on ${text}: ${SYNTAX}`);
  const n = Number(match[1]);
  if (match[2] === '%') {
    if (n >= 100) throw new UsageError(`--fail-on ${text}: a share is below 100% (${SYNTAX})`);
    return { kind: 'share', percent: n };
  }
  if (!Number.isSafeInteger(n)) throw new UsageError(`--fail-on ${text}: N is a whole number of phones`);
  return { kind: 'count', phones: n };
}

export function failOnText(failOn: FailOn): string {
  if (failOn.kind === 'never') return 'never';
  if (failOn.kind === 'share') return `failed>${failOn.percent}%`;
  return failOn.phones === 0 ? 'any' : `failed>${failOn.phones}`;
}

export interface Verdict {
  /** The failed phones are over the threshold: exit 1. */
  readonly overThreshold: boolean;
  /** One line for a CI log: what failed, against which threshold. */
  readonly text: string;
}

export function judgeFailures(phones: { total: number; failed: number }, failOn: FailOn): Verdict {
  const { total, failed } = phones;
  const overThreshold =
    failOn.kind === 'never'
      ? false
      : failOn.kind === 'count'
        ? failed > failOn.phones
        : total > 0 && (failed / total) * 100 > failOn.percent;
  const what =
    failed === 0
      ? `every phone of ${formatCount(total)} provisioned`
      : `${formatCount(failed)} of ${formatCount(total)} phones failed (${formatPercent(failed, total)})`;
  const threshold = `--fail-on ${failOnText(failOn)}`;
  return {
    overThreshold,
    text: overThreshold ? `${what}: over ${threshold}, exit 1` : `${what}: within ${threshold}, exit 0`,
  };
}
