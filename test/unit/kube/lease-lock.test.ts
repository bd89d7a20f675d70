import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatMicroTime,
  type LeaderElectionRecord,
  leaseSpecToRecord,
  recordToLeaseSpec,
} from '../../../src/kube/lease-lock.ts';

const record: LeaderElectionRecord = {
  holderIdentity: 'host_1234',
  leaseDurationSeconds: 15,
  acquireTime: '2026-01-02T03:04:05.678000Z',
  renewTime: '2026-01-02T03:04:07.890000Z',
  leaseTransitions: 3,
};

describe('leaseSpecToRecord and recordToLeaseSpec', () => {
  it('round-trip a record through a Lease spec unchanged', () => {
    assert.deepEqual(leaseSpecToRecord(recordToLeaseSpec(record)), record);
  });

  it('round-trip the coordinated-election fields they do not set themselves', () => {
    const coordinated = { ...record, strategy: 'OldestEmulationVersion', preferredHolder: 'other' };
    assert.deepEqual(leaseSpecToRecord(recordToLeaseSpec(coordinated)), coordinated);
  });

  it('read an empty spec as an unheld lease', () => {
    assert.deepEqual(leaseSpecToRecord(undefined), {
      holderIdentity: '',
      leaseDurationSeconds: 0,
      acquireTime: '',
      renewTime: '',
      leaseTransitions: 0,
    });
  });

  it('leave unset times out of the spec instead of sending empty strings', () => {
    const spec = recordToLeaseSpec({ ...record, acquireTime: '', renewTime: '' });
    assert.equal('acquireTime' in spec, false);
    assert.equal('renewTime' in spec, false);
  });
});

describe('formatMicroTime', () => {
  it('writes exactly six fractional digits, as the API server’s RFC3339Micro requires', () => {
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
  });

  it('keeps leading zeros of the milliseconds', () => {
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 2, 3, 4, 5, 7)), '2026-01-02T03:04:05.007000Z');
  });
});
