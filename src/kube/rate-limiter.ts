// Per-key retry delays for the work queue, after client-go's
// util/workqueue/default_rate_limiters.go: DefaultControllerRateLimiter is the max of a per-key
// exponential backoff (5 ms doubling to 1000 s) and an overall token bucket (10 qps, burst 100),
// so one failing key backs off on its own and a storm of failures cannot exceed 10 retries a second.

import type { Clock } from './clock.ts';

export type RateLimiter = {
  /** How long to wait before retrying `key`; counts one more failure for it. */
  when(key: string): number;
  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: string): number;
  /** Clears `key`'s failure history (it succeeded, or we gave up). */
  forget(key: string): void;
};

/** baseMs·2^failures, capped at maxMs. */
export function exponentialRateLimiter(baseMs = 5, maxMs = 1_000_000): RateLimiter {
  const failures = new Map<string, number>();
  return {
    when(key) {
      const exp = failures.get(key) ?? 0;
      failures.set(key, exp + 1);
      // 2^exp overflows to Infinity long after the cap; Math.min keeps it finite.
      return Math.min(maxMs, baseMs * 2 ** exp);
    },
    numRequeues: (key) => failures.get(key) ?? 0,
    forget: (key) => void failures.delete(key),
  };
}

/**
 * A token bucket shared by all keys (golang.org/x/time/rate's Reserve().Delay()): each call takes
 * a token, and when the bucket is empty the caller waits until its token will have been refilled.
 */
export function bucketRateLimiter(clock: Clock, qps = 10, burst = 100): RateLimiter {
  let tokens = burst;
  let last = clock.now();
  return {
    when() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : (-tokens / qps) * 1000;
    },
    numRequeues: () => 0,
    forget: () => {},
  };
}

/** The longest delay any limiter asks for. */
export function maxOfRateLimiters(...limiters: RateLimiter[]): RateLimiter {
  return {
    when: (key) => Math.max(...limiters.map((l) => l.when(key))),
    numRequeues: (key) => Math.max(...limiters.map((l) => l.numRequeues(key))),
    forget: (key) => limiters.forEach((l) => l.forget(key)),
  };
}

/** client-go's DefaultTypedControllerRateLimiter. */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return maxOfRateLimiters(exponentialRateLimiter(5, 1_000_000), bucketRateLimiter(clock, 10, 100));
}
