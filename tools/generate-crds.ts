// Writes deploy/crd/ from the API in src/api: `npm run generate`. The unit test
// test/unit/tools/crd-staleness.test.ts fails when the committed files differ from what this writes.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from './crd.ts';

const outDir = fileURLToPath(new URL('../deploy/crd/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const files = renderCrdFiles();
for (const stale of readdirSync(outDir)) {
  if (stale.endsWith('.yaml') && !files.has(stale)) rmSync(outDir + stale);
}
for (const [name, text] of files) {
  writeFileSync(outDir + name, text);
  console.log(`wrote deploy/crd/${name} (${Buffer.byteLength(text)} bytes)`);
}
