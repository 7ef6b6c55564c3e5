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
