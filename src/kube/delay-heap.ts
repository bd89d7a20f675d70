// Keys waiting for a time, earliest first: the waiting room of the work queue's addAfter.
// A key waits at most once; asking again for an earlier time moves it forward, a later time is
// ignored (client-go delaying_queue.go keeps the earlier ready time too). The cron scheduler
// (src/schedule/scheduler.ts) also removes keys, to replace a key's time with a later one.

type Entry = { key: string; readyAt: number };

export type DelayHeap = {
  /** Schedules `key` for `readyAt`, unless it already waits for an earlier time. */
  schedule(key: string, readyAt: number): void;
  /** The earliest ready time, or undefined when nothing waits. */
  peekTime(): number | undefined;
  /** Removes and returns every key whose time is at or before `now`, earliest first. */
  takeReady(now: number): string[];
  /** Stops `key` waiting; false when it was not waiting. */
  remove(key: string): boolean;
  size(): number;
  clear(): void;
};

export function createDelayHeap(): DelayHeap {
  const heap: Entry[] = [];
  const index = new Map<string, number>();

  const less = (a: number, b: number) => heap[a]!.readyAt < heap[b]!.readyAt;
  const swap = (a: number, b: number) => {
    const ea = heap[a]!;
    const eb = heap[b]!;
    heap[a] = eb;
    heap[b] = ea;
    index.set(eb.key, a);
    index.set(ea.key, b);
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && less(l, smallest)) smallest = l;
      if (r < heap.length && less(r, smallest)) smallest = r;
      if (smallest === i) return;
      swap(i, smallest);
      i = smallest;
    }
  };
  const pop = (): Entry => {
    const top = heap[0]!;
    const last = heap.pop()!;
    index.delete(top.key);
    if (heap.length > 0) {
      heap[0] = last;
      index.set(last.key, 0);
      down(0);
    }
    return top;
  };

  return {
    schedule(key, readyAt) {
      const at = index.get(key);
      if (at !== undefined) {
        const entry = heap[at]!;
        if (readyAt < entry.readyAt) {
          entry.readyAt = readyAt;
          up(at);
        }
        return;
      }
      heap.push({ key, readyAt });
      index.set(key, heap.length - 1);
      up(heap.length - 1);
    },
    peekTime: () => heap[0]?.readyAt,
    takeReady(now) {
      const ready: string[] = [];
      while (heap.length > 0 && heap[0]!.readyAt <= now) ready.push(pop().key);
      return ready;
    },
    remove(key) {
      const at = index.get(key);
      if (at === undefined) return false;
      const last = heap.length - 1;
      if (at !== last) {
        swap(at, last);
        heap.pop();
        index.delete(key);
        // The entry moved into the hole may belong above or below it.
        up(at);
        down(at);
      } else {
        heap.pop();
        index.delete(key);
      }
      return true;
    },
    size: () => heap.length,
    clear() {
      heap.length = 0;
      index.clear();
    },
  };
}
