// Records Kubernetes Events (core/v1, what `kubectl describe` shows) about our objects. A
// controller calls event() and moves on: writes happen in the background, repeats are folded
// into one Event by event-correlator.ts, and failures are logged, never thrown at the caller.

import { hostname } from 'node:os';
import type { Logger } from '../log/log.ts';
import { mergePatch } from './apply.ts';
import { describeApiError, isNotFound } from './api-errors.ts';
import { type Clock, systemClock } from './clock.ts';
import { type CoreEvent, createEventCorrelator, type EventType } from './event-correlator.ts';
import { objectClient } from './objects.ts';
import { type KubeObject, resources } from './resource.ts';
import type { RestClient } from './rest.ts';

export type { EventType } from './event-correlator.ts';

export type EventRecorder = {
  /** Never throws; the write happens in the background. */
  event(regarding: KubeObject, type: EventType, reason: string, message: string): void;
  normal(regarding: KubeObject, reason: string, message: string): void;
  warning(regarding: KubeObject, reason: string, message: string): void;
  /** Resolves once every event recorded so far has been written (or has failed). */
  flush(): Promise<void>;
};

export type EventRecorderOptions = {
  rest: RestClient;
  log: Logger;
  /** source.component and reportingComponent; default `cosmos-operator`. */
  component?: string;
  /** reportingInstance; default the hostname. */
  instance?: string;
  clock?: Clock;
};

export function createEventRecorder(opts: EventRecorderOptions): EventRecorder {
  const clock = opts.clock ?? systemClock;
  const log = opts.log.child({ component: 'event-recorder' });
  const events = objectClient<CoreEvent>(opts.rest, resources.events);
  const correlator = createEventCorrelator({
    component: opts.component ?? 'cosmos-operator',
    instance: opts.instance ?? hostname(),
  });
  // Writes for one dedupe key run in order, so a bump never races the create it bumps.
  const chains = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();

  const write = async (correlate: () => ReturnType<typeof correlator.correlate>) => {
    const c = correlate();
    if (c.kind === 'drop') {
      log.debug('event dropped by the spam filter');
      return;
    }
    if (c.kind === 'bump') {
      try {
        await mergePatch(opts.rest, resources.events, c.namespace, c.name, c.patch);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // The Event expired (1 h TTL) or was deleted: start a new one.
        correlator.forget(c.key);
        return write(correlate);
      }
    }
    const created = await events.create(c.event);
    correlator.created(
      c.key,
      created.metadata?.namespace ?? c.event.metadata!.namespace!,
      created.metadata?.name ?? c.event.metadata!.name!,
    );
  };

  const event = (regarding: KubeObject, type: EventType, reason: string, message: string) => {
    try {
      const now = clock.now();
      const input = { regarding, type, reason, message };
      // Correlate when the write runs, after earlier writes for the same object have finished.
      const chainKey = `${regarding.metadata?.namespace}/${regarding.metadata?.name}/${regarding.kind}`;
      const previous = chains.get(chainKey) ?? Promise.resolve();
      const next = previous
        .then(() => write(() => correlator.correlate(input, now)))
        .catch((err: unknown) => {
          log.warn('failed to record an event', {
            error: describeApiError(err),
            reason,
            object: `${regarding.metadata?.namespace ?? ''}/${regarding.metadata?.name ?? ''}`,
          });
        });
      chains.set(chainKey, next);
      pending.add(next);
      void next.finally(() => {
        pending.delete(next);
        if (chains.get(chainKey) === next) chains.delete(chainKey);
      });
    } catch (err) {
      log.warn('failed to record an event', { error: String(err) });
    }
  };

  return {
    event,
    normal: (o, reason, message) => event(o, 'Normal', reason, message),
    warning: (o, reason, message) => event(o, 'Warning', reason, message),
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
