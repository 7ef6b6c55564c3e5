// A few tasks at a time, committed in input order: one phone's file reads overlap another's work,
// while counts, samples and callbacks stay deterministic. At most `window` finished results wait
// for a slower one, so memory stays bounded however many items there are.

export interface PoolOptions {
  readonly concurrency: number;
  readonly window: number;
}

export async function forEachInOrder<T, R>(
  items: readonly T[],
  options: PoolOptions,
  work: (item: T) => Promise<R>,
  commit: (result: R) => void,
): Promise<void> {
  const done = new Map<number, R>();
  let committed = 0;
  let next = 0;
  let waiting: (() => void)[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      while (index >= committed + options.window) await new Promise<void>((resolve) => waiting.push(resolve));
      done.set(index, await work(items[index]!));
      while (done.has(committed)) {
        commit(done.get(committed)!);
        done.delete(committed++);
      }
      const wake = waiting;
      waiting = [];
      for (const resolve of wake) resolve();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, items.length) }, worker));
}
