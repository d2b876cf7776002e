// The package under Node, as a server-side-rendering build imports it: importing must work and
// touch no browser global, and the package's JS must import nothing Node-only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { installTarball, makeTempDir, packageTarball, removeDir } from './helpers.mjs';

describe('the package in Node (server-side rendering)', () => {
  let dir;
  let installed;
  before(() => {
    dir = makeTempDir('ssr');
    installed = installTarball(dir, packageTarball().path);
  });
  after(() => removeDir(dir));

  it('imports without Worker, window or document, and exposes the API', async () => {
    assert.equal(typeof globalThis.Worker, 'undefined', 'this test needs a Node without Worker');
    assert.equal(typeof globalThis.window, 'undefined');
    const mod = await import(pathToFileURL(join(installed, 'index.js')).href);
    assert.equal(typeof mod.FaceGate, 'function');
    assert.equal(typeof mod.FaceGate.load, 'function');
    assert.equal(mod.default, mod.FaceGate);
    const e = new mod.FaceGateError({ code: 'consentRequired', message: 'no consent' });
    assert.equal(e.code, 'consentRequired');
    assert.ok(e instanceof Error);
  });

  it('imports no Node-only module from any of its scripts', () => {
    const scripts = readdirSync(installed).filter((f) => f.endsWith('.js'))
      .map((f) => join(installed, f))
      .concat(join(installed, 'wasm/facegate.js'));
    for (const file of scripts) {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)]
        .map((m) => m[1] ?? m[2] ?? m[3]);
      for (const spec of imports) {
        assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${file} imports ${spec}: only the package's own files are allowed`);
      }
    }
  });
});
