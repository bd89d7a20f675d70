import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pkg from '../../../package.json' with { type: 'json' };
import { operatorVersion, versionLine } from '../../../src/cli/version.ts';

describe('version', () => {
  it('says "source" in place of a commit when run from the sources (only the binary build stamps one)', () => {
    assert.equal(versionLine(), `${operatorVersion()} (source)`);
  });

  it('reads COSMOS_OPERATOR_VERSION when asked, not when the module loaded (a startup snapshot keeps load-time state)', () => {
    const before = process.env.COSMOS_OPERATOR_VERSION;
    try {
      delete process.env.COSMOS_OPERATOR_VERSION;
      assert.equal(operatorVersion(), pkg.version);
      process.env.COSMOS_OPERATOR_VERSION = 'v9.9.9-test';
      assert.equal(versionLine(), 'v9.9.9-test (source)');
    } finally {
      if (before === undefined) delete process.env.COSMOS_OPERATOR_VERSION;
      else process.env.COSMOS_OPERATOR_VERSION = before;
    }
  });
});
