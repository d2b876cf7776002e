// `tsc --noEmit` (npm typescript, pinned in package-lock.json) over the package's declarations,
// npm/index.d.ts with the types generated from Rust in npm/types/, and a typed usage example
// (usage.ts) that also proves the types refuse the shapes that drifted before (@ts-expect-error
// lines fail the check when the error they expect is gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const TSC = join(HERE, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');

test('tsc --noEmit: the declarations and a typed usage example compile', () => {
  assert.ok(existsSync(TSC), 'typescript is not installed: npm install (scripts/test.sh does)');
  let output = '';
  try {
    output = execFileSync(process.execPath, [TSC, '--noEmit', '-p', join(HERE, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc --noEmit failed:\n${e.stdout}${e.stderr}`);
  }
  assert.equal(output.trim(), '');
});
