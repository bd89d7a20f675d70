import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesLabels, parseLabelSelector } from '../../../src/kube/label-selector.ts';

const labels = { app: 'cosmos', 'app.kubernetes.io/name': 'osmosis', tier: 'full' };
const matches = (selector: string | Record<string, string>) => matchesLabels(parseLabelSelector(selector), labels);

describe('label selectors', () => {
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['app=cosmos', true],
    ['app==cosmos', true],
    ['app=other', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['app.kubernetes.io/name=osmosis,tier=full', true],
    ['app.kubernetes.io/name=osmosis,tier=archive', false],
    ['tier in (full, archive)', true],
    ['tier in (archive)', false],
    ['tier notin (archive)', true],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['tier in (full,archive), app=cosmos, !missing', true],
  ];
  for (const [selector, expected] of cases) {
    it(`${expected ? 'selects' : 'rejects'} the labels with ${JSON.stringify(selector)}`, () => {
      assert.equal(matches(selector), expected);
    });
  }

  it('treats a map as "every label equals"', () => {
    assert.equal(matches({ app: 'cosmos', tier: 'full' }), true);
    assert.equal(matches({ app: 'cosmos', tier: 'x' }), false);
  });

  it('selects an object without labels only with negative requirements', () => {
    assert.equal(matchesLabels(parseLabelSelector('!app'), undefined), true);
    assert.equal(matchesLabels(parseLabelSelector('app=cosmos'), undefined), false);
  });

  it('rejects a malformed term', () => {
    assert.throws(() => parseLabelSelector('a in b'), /invalid label selector term/);
  });
});
