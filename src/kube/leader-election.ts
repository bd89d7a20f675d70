// Leader election on a Lease with client-go's algorithm (tools/leaderelection/leaderelection.go,
// docs/architecture.md §5.4), so this operator and the Go one exclude each other on
// `16e1bc09.strange.love`.
//
// Why it is safe without synchronised clocks: a candidate never trusts the renewTime written
// in the Lease. It notes, on its OWN clock, when it last saw the record change, and considers
// the lease held until leaseDuration after that. A live leader changes the record every
// retryPeriod; a dead one stops, and leaseDuration later (by the observer's clock) the lease
// is free.
//
// Timings (controller-runtime defaults): lease 15 s, renew deadline 10 s, retry 2 s.
//   acquire: try; on failure wait retryPeriod·(1 + 1.2·rand) and try again.
//   renew:   every retryPeriod; a round retries every retryPeriod until renewDeadline; a
//            round that never succeeds means leadership is lost (the caller exits).
//   release: on a graceful stop the leader writes holderIdentity "" and leaseDurationSeconds 1,
//            so a standby takes over at its next try instead of waiting out the lease.
// A standby's worst case after the leader dies is leaseDuration plus two acquire periods
// (up to 2·2.2·retry with jitter): one to observe the last renewal, one to try after expiry.

import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { Logger } from '../log/log.ts';
import { describeApiError } from './api-errors.ts';
import { jittered } from './backoff.ts';
import { type Clock, sleep, systemClock } from './clock.ts';
import {
  formatMicroTime,
  type LeaderElectionRecord,
  type LeaseLock,
  type LockRead,
  recordFingerprint,
} from './lease-lock.ts';
import { leaderElectionMetrics } from './metrics.ts';

export const defaultLeaseName = '16e1bc09.strange.love';
const jitterFactor = 1.2;

/** The record as we last saw it change, and when (by our clock). */
export type Observation = { record: LeaderElectionRecord; fingerprint: string; observedAt: number };

/** client-go's isLeaseValid: observedTime + leaseDuration > now, on the local clock. */
export function isLeaseValid(obs: Observation, now: number): boolean {
  return obs.observedAt + obs.record.leaseDurationSeconds * 1000 > now;
}

/** Notes a freshly read record; the observation time moves only if the record changed. */
export function observe(prev: Observation | undefined, record: LeaderElectionRecord, now: number): Observation {
  const fingerprint = recordFingerprint(record);
  return prev?.fingerprint === fingerprint ? prev : { record, fingerprint, observedAt: now };
}

export function observed(record: LeaderElectionRecord, now: number): Observation {
  return { record, fingerprint: recordFingerprint(record), observedAt: now };
}

export type AcquireDecision = { kind: 'take'; record: LeaderElectionRecord } | { kind: 'wait'; holder: string };

/**
 * The slow path's decision once the Lease has been read and observed: wait while someone else
 * holds a valid lease, otherwise write ourselves in. Re-taking our own lease keeps acquireTime
 * and the transition count; taking someone else's counts one more transition.
 */
export function decideAcquire(args: {
  identity: string;
  now: number;
  leaseDurationSeconds: number;
  observation: Observation;
}): AcquireDecision {
  const { identity, now, observation } = args;
  const current = observation.record;
  const ours = current.holderIdentity === identity;
  if (current.holderIdentity !== '' && isLeaseValid(observation, now) && !ours) {
    return { kind: 'wait', holder: current.holderIdentity };
  }
  const at = formatMicroTime(now);
  return {
    kind: 'take',
    record: {
      ...keepCoordinationFields(current),
      holderIdentity: identity,
      leaseDurationSeconds: args.leaseDurationSeconds,
      acquireTime: ours ? current.acquireTime : at,
      renewTime: at,
      leaseTransitions: ours ? current.leaseTransitions : current.leaseTransitions + 1,
    },
  };
}

/** The record that creates a missing Lease. */
export function initialRecord(identity: string, now: number, leaseDurationSeconds: number): LeaderElectionRecord {
  const at = formatMicroTime(now);
  return { holderIdentity: identity, leaseDurationSeconds, acquireTime: at, renewTime: at, leaseTransitions: 0 };
}

/** The fast path: a leader with a valid lease only moves renewTime. */
export function renewedRecord(
  current: LeaderElectionRecord,
  now: number,
  leaseDurationSeconds: number,
): LeaderElectionRecord {
  return { ...current, leaseDurationSeconds, renewTime: formatMicroTime(now) };
}

/** What a leader writes on a graceful stop (client-go's release). */
export function releasedRecord(current: LeaderElectionRecord, now: number): LeaderElectionRecord {
  const at = formatMicroTime(now);
  return {
    ...keepCoordinationFields(current),
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: at,
    renewTime: at,
    leaseTransitions: current.leaseTransitions,
  };
}

function keepCoordinationFields(r: LeaderElectionRecord): Partial<LeaderElectionRecord> {
  const out: Partial<LeaderElectionRecord> = {};
  if (r.strategy !== undefined) out.strategy = r.strategy;
  if (r.preferredHolder !== undefined) out.preferredHolder = r.preferredHolder;
  return out;
}

/** controller-runtime's identity: hostname, an underscore, a UUID. */
export function defaultIdentity(): string {
  return `${hostname()}_${crypto.randomUUID()}`;
}

export type LeaderElectorOptions = {
  lock: LeaseLock;
  identity: string;
  log: Logger;
  /** Default 15 s. */
  leaseDurationMs?: number;
  /** Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
  /** Write an empty holder on a graceful stop; default true. */
  releaseOnCancel?: boolean;
  registry?: Registry;
  clock?: Clock;
  random?: () => number;
  onStartedLeading?: () => void;
  /** Called once leadership ends, lost or released; not called if we never led. */
  onStoppedLeading?: () => void;
};

export type ElectionEnd = 'lost' | 'stopped';

export type LeaderElector = {
  /**
   * Campaigns, leads, and resolves when leadership ends: 'lost' when a renewal round failed
   * (the caller must stop reconciling at once: exit the process), 'stopped' when `signal`
   * aborted (the lease was released if we held it). On a graceful stop, abort `signal` only
   * after the leader-only work has stopped: the release lets a standby start at once.
   */
  run(signal: AbortSignal): Promise<ElectionEnd>;
  isLeader(): boolean;
  /**
   * The Lease was seen released (empty holder) or deleted: a candidate tries at once instead of
   * after its retry period (2 s jittered up to 4.4 s), so a graceful handover takes a round trip.
   * A no-op while leading or between attempts' reads.
   */
  nudge(): void;
  /** For /healthz: an error text if we lead but have not renewed for leaseDuration + tolerance. */
  check(toleranceMs?: number): true | string;
};

export function createLeaderElector(opts: LeaderElectorOptions): LeaderElector {
  const { lock, identity } = opts;
  const leaseDurationMs = opts.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = opts.retryPeriodMs ?? 2_000;
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > jitterFactor * retryPeriodMs && retryPeriodMs > 0)) {
    throw new Error('leader election needs leaseDuration > renewDeadline > 1.2 × retryPeriod > 0');
  }
  const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const log = opts.log.child({ lease: lock.describe(), identity });
  const metrics = opts.registry ? leaderElectionMetrics(opts.registry) : undefined;
  const metricLabels = { name: lock.name };
  metrics?.masterStatus.set(metricLabels, 0);
  metrics?.slowpath.inc(metricLabels, 0);

  let observation: Observation | undefined;
  let lastRead: LockRead | undefined;
  let reportedHolder: string | undefined;

  const isLeader = () => observation?.record.holderIdentity === identity;

  const wrote = (read: LockRead, record: LeaderElectionRecord) => {
    lastRead = read;
    observation = observed(record, clock.now());
  };

  const reportHolder = () => {
    const holder = observation?.record.holderIdentity ?? '';
    if (holder !== reportedHolder) {
      reportedHolder = holder;
      if (holder && holder !== identity) log.info('lease held by another candidate', { holder });
    }
  };

  /** One attempt (client-go's tryAcquireOrRenew); never throws. */
  const tryAcquireOrRenew = async (signal: AbortSignal): Promise<boolean> => {
    const now = clock.now();
    if (isLeader() && observation && lastRead && isLeaseValid(observation, now)) {
      const record = renewedRecord(observation.record, now, leaseDurationSeconds);
      try {
        wrote(await lock.update(record, lastRead, signal), record);
        return true;
      } catch (err) {
        log.warn('failed to renew the lease optimistically; trying the slow path', { error: describeApiError(err) });
      }
    }

    let current: LockRead | undefined;
    try {
      current = await lock.get(signal);
    } catch (err) {
      log.warn('cannot read the lease', { error: describeApiError(err) });
      return false;
    }
    if (!current) {
      const record = initialRecord(identity, now, leaseDurationSeconds);
      try {
        wrote(await lock.create(record, signal), record);
        return true;
      } catch (err) {
        log.debug('cannot create the lease', { error: describeApiError(err) });
        return false;
      }
    }
    lastRead = current;
    observation = observe(observation, current.record, now);
    const decision = decideAcquire({ identity, now, leaseDurationSeconds, observation });
    if (decision.kind === 'wait') {
      reportHolder();
      return false;
    }
    if (current.record.holderIdentity === identity) metrics?.slowpath.inc(metricLabels);
    try {
      wrote(await lock.update(decision.record, current, signal), decision.record);
      return true;
    } catch (err) {
      // 409: another candidate wrote first; it won this round.
      log.debug('cannot take the lease', { error: describeApiError(err) });
      return false;
    }
  };

  const withDeadline = (signal: AbortSignal, ms: number) =>
    AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, ms))]);

  let nudged: AbortController | undefined;
  const acquire = async (signal: AbortSignal): Promise<boolean> => {
    log.info('attempting to acquire the leader lease');
    while (!signal.aborted) {
      if (await tryAcquireOrRenew(withDeadline(signal, renewDeadlineMs))) return !signal.aborted;
      nudged = new AbortController();
      await sleep(clock, jittered(retryPeriodMs, jitterFactor, random), AbortSignal.any([signal, nudged.signal]));
      nudged = undefined;
    }
    return false;
  };

  /** Resolves false once a renewal round failed, true when `signal` aborted. */
  const renew = async (signal: AbortSignal): Promise<boolean> => {
    for (;;) {
      const deadline = clock.now() + renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && clock.now() < deadline) {
        if (await tryAcquireOrRenew(withDeadline(signal, deadline - clock.now()))) {
          renewed = isLeader();
          if (renewed) break;
        }
        const wait = Math.min(retryPeriodMs, deadline - clock.now());
        if (wait > 0) await sleep(clock, wait, signal);
      }
      if (signal.aborted) return true;
      if (!renewed) return false;
      await sleep(clock, retryPeriodMs, signal);
      if (signal.aborted) return true;
    }
  };

  const release = async () => {
    if (!isLeader() || !observation || !lastRead) return;
    const record = releasedRecord(observation.record, clock.now());
    try {
      wrote(await lock.update(record, lastRead, AbortSignal.timeout(renewDeadlineMs)), record);
      log.info('released the leader lease');
    } catch (err) {
      log.warn('failed to release the leader lease; the next leader waits for it to expire', {
        error: describeApiError(err),
      });
    }
  };

  const callback = (name: string, fn: (() => void) | undefined) => {
    try {
      fn?.();
    } catch (err) {
      log.error(`${name} callback threw`, { error: err instanceof Error ? err.message : String(err) });
    }
  };

  return {
    async run(signal) {
      if (!(await acquire(signal))) return 'stopped';
      log.info('acquired the leader lease');
      metrics?.masterStatus.set(metricLabels, 1);
      callback('onStartedLeading', opts.onStartedLeading);
      const stopped = await renew(signal);
      metrics?.masterStatus.set(metricLabels, 0);
      if (stopped) {
        if (opts.releaseOnCancel ?? true) await release();
      } else {
        log.error('leader lease lost: could not renew it within the renew deadline');
        observation = undefined;
      }
      callback('onStoppedLeading', opts.onStoppedLeading);
      return stopped ? 'stopped' : 'lost';
    },
    isLeader,
    nudge() {
      nudged?.abort();
    },
    check(toleranceMs = 0) {
      if (!isLeader() || !observation) return true;
      const since = clock.now() - observation.observedAt;
      return since > leaseDurationMs + toleranceMs
        ? `failed to renew the leader lease ${lock.describe()} for ${Math.round(since / 1000)} s`
        : true;
    },
  };
}
