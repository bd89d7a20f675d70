// The leader-election lock stored in a coordination.k8s.io/v1 Lease (client-go
// tools/leaderelection/resourcelock/leaselock.go): pure converters between the Lease spec and
// the election record, and get/create/update of the Lease. update() sends the resourceVersion
// it read, so of two candidates writing at once one gets 409 and loses the race.

import { type KubeObject, resources } from './resource.ts';
import type { RestClient } from './rest.ts';
import { objectClient } from './objects.ts';

/** What the election algorithm reads and writes (client-go's LeaderElectionRecord). */
export type LeaderElectionRecord = {
  /** Empty when nobody holds the lease (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** MicroTime strings as on the wire, e.g. `2026-01-02T03:04:05.678000Z`. */
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
  /** Coordinated leader election fields; kept as found, never set by us. */
  strategy?: string;
  preferredHolder?: string;
};

export type LeaseSpec = {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
};

export type Lease = KubeObject & { spec?: LeaseSpec };

export function leaseSpecToRecord(spec: LeaseSpec | undefined): LeaderElectionRecord {
  const record: LeaderElectionRecord = {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime ?? '',
    renewTime: spec?.renewTime ?? '',
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
  if (spec?.strategy !== undefined) record.strategy = spec.strategy;
  if (spec?.preferredHolder !== undefined) record.preferredHolder = spec.preferredHolder;
  return record;
}

export function recordToLeaseSpec(record: LeaderElectionRecord): LeaseSpec {
  const spec: LeaseSpec = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
  };
  // Unset times stay unset: an empty string is not a valid MicroTime.
  if (record.acquireTime) spec.acquireTime = record.acquireTime;
  if (record.renewTime) spec.renewTime = record.renewTime;
  if (record.strategy !== undefined) spec.strategy = record.strategy;
  if (record.preferredHolder !== undefined) spec.preferredHolder = record.preferredHolder;
  return spec;
}

/**
 * A MicroTime as the API server parses it: RFC 3339 with exactly six fractional digits
 * (apimachinery micro_time.go, RFC3339Micro). A plain Date serialises with three and is
 * rejected, so this is built by hand; JavaScript only knows milliseconds, hence `000`.
 */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A stable text form of a record, to tell whether it changed since we last looked. */
export function recordFingerprint(record: LeaderElectionRecord): string {
  return JSON.stringify([
    record.holderIdentity,
    record.leaseDurationSeconds,
    record.acquireTime,
    record.renewTime,
    record.leaseTransitions,
    record.strategy ?? null,
    record.preferredHolder ?? null,
  ]);
}

/** A record as read, with the Lease it came from (whose resourceVersion guards the next update). */
export type LockRead = { record: LeaderElectionRecord; resourceVersion: string; lease: Lease };

export type LeaseLock = {
  readonly namespace: string;
  readonly name: string;
  /** The lease's record, or undefined if there is no Lease yet. */
  get(signal?: AbortSignal): Promise<LockRead | undefined>;
  /** Creates the Lease; fails with 409 if someone else created it first. */
  create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<LockRead>;
  /** Replaces the record if the Lease is still as `previous` read it; 409 otherwise. */
  update(record: LeaderElectionRecord, previous: LockRead, signal?: AbortSignal): Promise<LockRead>;
  /** For logs: `namespace/name`. */
  describe(): string;
};

export function createLeaseLock(rest: RestClient, namespace: string, name: string): LeaseLock {
  const leases = objectClient<Lease>(rest, resources.leases);
  const read = (lease: Lease): LockRead => ({
    record: leaseSpecToRecord(lease.spec),
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    lease,
  });
  return {
    namespace,
    name,
    async get(signal) {
      const lease = await leases.get(namespace, name, { signal });
      return lease ? read(lease) : undefined;
    },
    async create(record, signal) {
      return read(await leases.create({ metadata: { namespace, name }, spec: recordToLeaseSpec(record) }, { signal }));
    },
    async update(record, previous, signal) {
      // A PUT of the Lease as we read it, spec replaced (client-go's LeaseLock.Update): its
      // resourceVersion makes a concurrent writer's update fail with 409.
      const { managedFields: _m, ...metadata } = previous.lease.metadata ?? {};
      const lease: Lease = {
        ...previous.lease,
        metadata: { ...metadata, namespace, name },
        spec: recordToLeaseSpec(record),
      };
      return read(await leases.replace(lease, { signal }));
    },
    describe: () => `${namespace}/${name}`,
  };
}
