// Reconnect backoff for long-running loops (watch, list): exponential with jitter, reset after
// a success. The jitter keeps many watchers from hammering an API server that just came back
// in lockstep (client-node #1933).

export type BackoffOptions = {
  initialMs: number;
  maxMs: number;
  /** Each delay is stretched by a random factor in [1, 1 + jitter). */
  jitter: number;
  random?: () => number;
};

export type Backoff = {
  /** The delay to wait before the next attempt; grows with each call. */
  next(): number;
  reset(): void;
};

export function createBackoff(opts: BackoffOptions): Backoff {
  const random = opts.random ?? Math.random;
  let attempt = 0;
  return {
    next() {
      const base = Math.min(opts.maxMs, opts.initialMs * 2 ** attempt);
      attempt = base >= opts.maxMs ? attempt : attempt + 1;
      return Math.min(opts.maxMs, jittered(base, opts.jitter, random));
    },
    reset() {
      attempt = 0;
    },
  };
}

/** `ms` stretched by up to `factor` (client-go's wait.Jitter: ms + random·factor·ms). */
export function jittered(ms: number, factor: number, random: () => number = Math.random): number {
  return factor > 0 ? ms + random() * factor * ms : ms;
}
