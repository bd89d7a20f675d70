import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/log/log.ts';

const fixed = () => new Date('2026-01-02T03:04:05.000Z');

describe('createLogger', () => {
  it('writes one JSON object per line with ts, level, msg and the context fields', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now: fixed }).child({ controller: 'cosmosfullnode' });
    log.info('reconciled', { namespace: 'ns', name: 'osmosis' });
    assert.deepEqual(JSON.parse(lines[0] as string), {
      ts: '2026-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'reconciled',
      controller: 'cosmosfullnode',
      namespace: 'ns',
      name: 'osmosis',
    });
  });

  it('drops records below the configured level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    log.info('hidden');
    log.warn('shown');
    assert.equal(lines.length, 1);
  });

  it('renders an Error field as its message instead of an empty object', () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).error('failed', { error: new Error('boom') });
    assert.equal(JSON.parse(lines[0] as string).error.message, 'boom');
  });
});
