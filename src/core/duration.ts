// Durations as people write them: `7d`, `12h`, `90m`, `30s`, `1d2h30m`, `1500ms` (the CLI's flags
// and the library's options alike).

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * Milliseconds, or undefined when the text is not a duration, or one too long to count exactly in
 * milliseconds (past 2^53: 285,000 years; a timer or a date would be wrong past it).
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(ms|[dhms]))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|[dhms])/g))
    total += Number(amount) * UNITS[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}
