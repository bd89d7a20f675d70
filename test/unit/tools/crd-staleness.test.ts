import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdFiles } from '../../../tools/crd.ts';

const DEPLOY = join((import.meta as unknown as { dirname: string }).dirname, '..', '..', '..', 'deploy', 'crd');

describe('deploy/crd', () => {
  const generated = renderCrdFiles();

  for (const [name, text] of generated) {
    it(`${name} is what \`npm run generate\` writes from src/api`, () => {
      const committed = readFileSync(join(DEPLOY, name), 'utf8');
      assert.ok(committed === text, `deploy/crd/${name} is stale: run \`npm run generate\` and commit the result`);
    });
  }

  it('holds no YAML the generator does not write', () => {
    const extra = readdirSync(DEPLOY).filter((file) => file.endsWith('.yaml') && !generated.has(file));
    assert.deepEqual(extra, []);
  });
});
