// Small helpers for the benchmark: time a piece of work and print figures, one line each.

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

export function print(figure: Figure): void {
  const value = figure.value >= 100 ? figure.value.toFixed(0) : figure.value.toFixed(2);
  console.log(
    `${figure.name.padEnd(58)} ${value.padStart(10)} ${figure.unit}${figure.note ? `  (${figure.note})` : ''}`,
  );
}

export function heading(title: string): void {
  console.log(`\n== ${title}`);
}

/** A figure with a goal (issue #14 §2): ours against its peer, measured in the same run, as a ratio. */
export interface GoalFigure {
  readonly name: string;
  /** Our figure and the peer's, as printed (with units). */
  readonly ours: string;
  readonly peer: string;
  readonly ratio: number;
  /** The ratio to reach: at least (`≥`) or at most (`≤`) this. */
  readonly goal: { readonly atLeast: number } | { readonly atMost: number };
}

export function printGoal(figure: GoalFigure): void {
  const met =
    'atLeast' in figure.goal ? figure.ratio >= figure.goal.atLeast : figure.ratio <= figure.goal.atMost;
  const goal = 'atLeast' in figure.goal ? `≥ ${figure.goal.atLeast}` : `≤ ${figure.goal.atMost}`;
  print({
    name: figure.name,
    value: figure.ratio,
    unit: '×',
    note: `ours ${figure.ours}, peer ${figure.peer}; goal ${goal}×: ${met ? 'met' : 'MISSED'}`,
  });
}
