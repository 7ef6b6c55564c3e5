// The wake-ups of a run in one binary min-heap (issue #14): a phone waiting for its next round is
// an entry here, three numbers and a reference, not a timer or a sleeping coroutine. Entries come
// out by time, then by the order their owner gave (a fleet gives the phone's place in MAC order),
// then first pushed first, so the same inputs always wake in the same order.

const INITIAL_CAPACITY = 64;

export class WakeHeap<T> {
  private ats = new Float64Array(INITIAL_CAPACITY);
  private orders = new Float64Array(INITIAL_CAPACITY);
  private sequences = new Float64Array(INITIAL_CAPACITY);
  private targets: (T | undefined)[] = [];
  private count = 0;
  private sequence = 0;

  get size(): number {
    return this.count;
  }

  /** When the earliest entry is due; Infinity when there is none. */
  peekAt(): number {
    return this.count > 0 ? this.ats[0]! : Number.POSITIVE_INFINITY;
  }

  push(at: number, order: number, target: T): void {
    if (this.count === this.ats.length) this.grow();
    let i = this.count++;
    const sequence = this.sequence++;
    // Sift up: move parents down until the new entry's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(at, order, sequence, this.ats[parent]!, this.orders[parent]!, this.sequences[parent]!)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, at, order, sequence, target);
  }

  /** Takes the earliest entry out; undefined when empty. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const top = this.targets[0];
    const last = --this.count;
    if (last > 0) {
      const at = this.ats[last]!;
      const order = this.orders[last]!;
      const sequence = this.sequences[last]!;
      const target = this.targets[last];
      // Sift the last entry down from the root.
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= last) break;
        const right = left + 1;
        const child = right < last && this.precedes(right, left) ? right : left;
        if (!less(this.ats[child]!, this.orders[child]!, this.sequences[child]!, at, order, sequence)) break;
        this.move(child, i);
        i = child;
      }
      this.set(i, at, order, sequence, target as T);
    }
    this.targets[last] = undefined;
    return top;
  }

  private precedes(a: number, b: number): boolean {
    return less(
      this.ats[a]!,
      this.orders[a]!,
      this.sequences[a]!,
      this.ats[b]!,
      this.orders[b]!,
      this.sequences[b]!,
    );
  }

  private move(from: number, to: number): void {
    this.set(to, this.ats[from]!, this.orders[from]!, this.sequences[from]!, this.targets[from] as T);
  }

  private set(i: number, at: number, order: number, sequence: number, target: T): void {
    this.ats[i] = at;
    this.orders[i] = order;
    this.sequences[i] = sequence;
    this.targets[i] = target;
  }

  private grow(): void {
    const capacity = this.ats.length * 2;
    const grown = (from: Float64Array) => {
      const to = new Float64Array(capacity);
      to.set(from);
      return to;
    };
    this.ats = grown(this.ats);
    this.orders = grown(this.orders);
    this.sequences = grown(this.sequences);
  }
}

/** Does the first key come before the second: earlier, then lower order, then pushed first? */
function less(
  at: number,
  order: number,
  sequence: number,
  otherAt: number,
  otherOrder: number,
  otherSequence: number,
): boolean {
  if (at !== otherAt) return at < otherAt;
  if (order !== otherOrder) return order < otherOrder;
  return sequence < otherSequence;
}
