// The package checks the SHA-256 of everything it loads: one flipped byte in the recognizer
// model, the detector model or the wasm makes FaceGate.load reject (modelIntegrity,
// wasmIntegrity), whether the tampered file is reached through modelsUrl / wasmUrl or replaces
// the package's own file. No request leaves 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  assertOnlyLocalRequests, copyFixtures, installTarball, launchPersistent, makeTempDir, ok, openPage, packageTarball, pageCall, pageLoad,
  rejectsWith, removeDir, serveDir, timer, waitForApi, writePlainPage,
} from './helpers.mjs';

const DETECTOR = 'face_detection_yunet_2023mar_int8bq.onnx';
const RECOGNIZER = 'face_recognition_sface_2021dec_int8bq.onnx';

/** Copies `from` to `to` with the byte in the middle inverted; returns the offset. */
function copyFlipped(from, to) {
  const bytes = readFileSync(from);
  const at = bytes.length >> 1;
  bytes[at] ^= 0xff;
  writeFileSync(to, bytes);
  return at;
}

describe('facegate refuses tampered files (SHA-256 checked before use)', () => {
  let dir;
  let site;
  let browser;
  let opened;
  let page;

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    for (const w of tarball.warnings) console.error(`warning: ${w}`);
    dir = makeTempDir('integrity');
    const pkg = installTarball(dir, tarball.path, 'facegate-integrity');

    // Tampered copies reached through the modelsUrl / wasmUrl options.
    mkdirSync(join(dir, 'tampered/models-recognizer'), { recursive: true });
    cpSync(join(pkg, 'models', DETECTOR), join(dir, 'tampered/models-recognizer', DETECTOR));
    copyFlipped(join(pkg, 'models', RECOGNIZER), join(dir, 'tampered/models-recognizer', RECOGNIZER));
    mkdirSync(join(dir, 'tampered/models-detector'), { recursive: true });
    copyFlipped(join(pkg, 'models', DETECTOR), join(dir, 'tampered/models-detector', DETECTOR));
    cpSync(join(pkg, 'models', RECOGNIZER), join(dir, 'tampered/models-detector', RECOGNIZER));
    mkdirSync(join(dir, 'tampered/wasm'), { recursive: true });
    copyFlipped(join(pkg, 'wasm/facegate_bg.wasm'), join(dir, 'tampered/wasm/facegate_bg.wasm'));
    // Untampered copies at other URLs: the options themselves work.
    cpSync(join(pkg, 'models'), join(dir, 'intact/models'), { recursive: true });
    cpSync(join(pkg, 'wasm/facegate_bg.wasm'), join(dir, 'intact/facegate_bg.wasm'));

    // Whole copies of the package with the file replaced in place (no options).
    cpSync(pkg, join(dir, 'pkg-bad-recognizer'), { recursive: true });
    copyFlipped(join(pkg, 'models', RECOGNIZER), join(dir, 'pkg-bad-recognizer/models', RECOGNIZER));
    cpSync(pkg, join(dir, 'pkg-bad-wasm'), { recursive: true });
    copyFlipped(join(pkg, 'wasm/facegate_bg.wasm'), join(dir, 'pkg-bad-wasm/wasm/facegate_bg.wasm'));
    copyFlipped(join(pkg, 'wasm/facegate_relaxed_bg.wasm'), join(dir, 'pkg-bad-wasm/wasm/facegate_relaxed_bg.wasm'));
    if (existsSync(join(pkg, 'wasm/threads/facegate_bg.wasm'))) {
      copyFlipped(join(pkg, 'wasm/threads/facegate_bg.wasm'), join(dir, 'pkg-bad-wasm/wasm/threads/facegate_bg.wasm'));
    }

    copyFixtures(join(dir, 'fixtures'), ['person_b_1.jpg']);
    // An app of its own, whose copy of the package the upgrade test replaces.
    cpSync(pkg, join(dir, 'upgrade/node_modules/facegate'), { recursive: true });
    for (const root of [dir, join(dir, 'upgrade')]) writePlainPage(root, 'facegate integrity');

    site = await serveDir(dir);
    // A connection that drops part-way: the recognizer under /dropped/ is announced whole
    // (Content-Length) and cut off after half its bytes. The request goes on to the site's own
    // handler as one for a file that is not there, whose answer the closed socket never sends.
    const recognizer = readFileSync(join(pkg, 'models', RECOGNIZER));
    site.server.prependListener('request', (req) => {
      if (req.url !== `/dropped/${RECOGNIZER}`) return;
      req.url = '/dropped/not-served';
      const half = recognizer.subarray(0, recognizer.length >> 1);
      req.socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${recognizer.length}\r\n\r\n`);
      req.socket.write(half, () => setTimeout(() => req.socket.destroy(), 50));
    });
    mkdirSync(join(dir, 'dropped'), { recursive: true });
    cpSync(join(pkg, 'models', DETECTOR), join(dir, 'dropped', DETECTOR));
    // A persistent profile: a disk HTTP cache, as in a user's browser (see the upgrade test).
    browser = await launchPersistent();
    opened = await openPage(browser);
    page = opened.page;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    console.error(`integrity: set-up ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  const requested = (path) => opened.requests.some((r) => r.url === `${site.origin}${path}`);

  it('a flipped byte in the recognizer model (via modelsUrl): modelIntegrity', async () => {
    const load = await pageLoad(page, { modelsUrl: '/tampered/models-recognizer/' });
    rejectsWith(load, 'modelIntegrity', 'load with a tampered recognizer');
    assert.ok(requested(`/tampered/models-recognizer/${RECOGNIZER}`), 'the tampered recognizer was never requested');
    assert.ok(!load.events.some((e) => e.stage === 'prepare'), 'reached the prepare stage with a tampered model');
  });

  it('a flipped byte in the detector model (via modelsUrl): modelIntegrity', async () => {
    const load = await pageLoad(page, { modelsUrl: '/tampered/models-detector' });
    rejectsWith(load, 'modelIntegrity', 'load with a tampered detector');
    assert.ok(requested(`/tampered/models-detector/${DETECTOR}`), 'the tampered detector was never requested');
    assert.ok(!load.events.some((e) => e.stage === 'prepare'), 'reached the prepare stage with a tampered model');
  });

  it('a flipped byte in the wasm (via wasmUrl): wasmIntegrity', async () => {
    const load = await pageLoad(page, { wasmUrl: '/tampered/wasm/facegate_bg.wasm' });
    rejectsWith(load, 'wasmIntegrity', 'load with a tampered wasm');
    assert.ok(requested('/tampered/wasm/facegate_bg.wasm'), 'the tampered wasm was never requested');
    // The models download beside the wasm (in parallel); nothing is instantiated or prepared.
    assert.ok(!load.events.some((e) => e.stage === 'prepare'), 'reached the prepare stage with a tampered wasm');
  });

  it('a tampered file in a copy of the package itself: modelIntegrity, wasmIntegrity', async () => {
    const loadFrom = (base) => page.evaluate(async (base) => {
      try {
        const { FaceGate, FaceGateError } = await import(`${base}/index.js`);
        try {
          const fg = await FaceGate.load();
          await fg.dispose();
          return { ok: true };
        } catch (e) {
          return { ok: false, error: { name: e?.name, code: e?.code, message: String(e?.message ?? e), isFaceGateError: e instanceof FaceGateError } };
        }
      } catch (e) {
        return { ok: false, error: { name: 'import', code: 'import', message: String(e?.message ?? e) } };
      }
    }, base);
    rejectsWith(await loadFrom('/pkg-bad-recognizer'), 'modelIntegrity', 'the package with its recognizer tampered');
    assert.ok(requested(`/pkg-bad-recognizer/models/${RECOGNIZER}`), 'the tampered package\'s own recognizer was never requested');
    rejectsWith(await loadFrom('/pkg-bad-wasm'), 'wasmIntegrity', 'the package with its wasm tampered');
    // (The relaxed-SIMD build Chromium picks, or the threaded one on a cross-origin isolated page.)
    assert.ok(requested('/pkg-bad-wasm/wasm/facegate_relaxed_bg.wasm') || requested('/pkg-bad-wasm/wasm/threads/facegate_bg.wasm'),
      'the tampered package\'s own wasm was never requested');
  });

  it('a missing model: fetchFailed', async () => {
    rejectsWith(await pageLoad(page, { modelsUrl: '/no-such-folder/' }), 'fetchFailed', 'load with models that 404');
  });

  it('a connection dropped part-way through a model: fetchFailed', async () => {
    const load = await pageLoad(page, { modelsUrl: '/dropped/' });
    rejectsWith(load, 'fetchFailed', 'load with the recognizer cut off half-way');
    assert.ok(requested(`/dropped/${RECOGNIZER}`), 'the cut-off recognizer was never requested');
    assert.ok(!load.events.some((e) => e.stage === 'prepare'), 'reached the prepare stage without the whole recognizer');
  });

  it('the same options with intact copies load and detect (the refusals were the tampering)', async () => {
    const load = await pageLoad(page, { modelsUrl: '/intact/models/', wasmUrl: '/intact/facegate_bg.wasm' });
    ok(load, 'load from intact copies');
    assert.ok(requested(`/intact/models/${RECOGNIZER}`) && requested('/intact/facegate_bg.wasm'), 'the intact copies were not the ones loaded');
    const det = ok(await pageCall(page, 'detect', { url: '/fixtures/person_b_1.jpg', kind: 'blob' }), 'detect after loading intact copies');
    assert.equal(det.faces.length, 1, 'faces in person_b_1.jpg');
    ok(await pageCall(page, 'dispose', null), 'dispose');
  });

  // Regression: integrity.js first fetches with `cache: 'force-cache'`. After the package is
  // upgraded in place (same URLs, new wasm and manifest), a browser that cached the old wasm
  // gets it first; the hash mismatch must trigger one fetch that bypasses the cache, not a
  // wasmIntegrity error until the user clears the cache.
  it('loads the new wasm after an in-place upgrade, not a stale cached copy', async () => {
    const app = await openPage(browser);
    try {
      await app.page.goto(`${site.origin}/upgrade/`);
      await waitForApi(app.page, app);
      // The simd128 build is the one this test upgrades (Chromium would pick the relaxed one).
      ok(await pageLoad(app.page, { wasmVariant: 'simd128' }), 'load before the upgrade');
      ok(await pageCall(app.page, 'dispose', null), 'dispose');

      // The upgrade: a different (still valid) wasm, one custom section longer, and its manifest.
      const pkg = join(dir, 'upgrade/node_modules/facegate');
      const wasmPath = join(pkg, 'wasm/facegate_bg.wasm');
      const old = readFileSync(wasmPath);
      const name = Buffer.from('facegate-test-upgrade');
      const section = Buffer.concat([Buffer.from([name.length]), name, Buffer.from('0.1.1')]);
      const upgraded = Buffer.concat([old, Buffer.from([0, section.length]), section]);
      writeFileSync(wasmPath, upgraded);
      const sha = (b) => createHash('sha256').update(b).digest('hex');
      const manifestPath = join(pkg, 'manifest.js');
      const manifest = readFileSync(manifestPath, 'utf8');
      const next = manifest.replace(sha(old), sha(upgraded)).replace(`bytes: ${old.length}`, `bytes: ${upgraded.length}`);
      assert.notEqual(next, manifest, 'the manifest did not name the wasm');
      writeFileSync(manifestPath, next);

      await app.page.goto(`${site.origin}/upgrade/?after-upgrade`);
      await waitForApi(app.page, app);
      const load = await pageLoad(app.page, { wasmVariant: 'simd128' });
      assert.ok(load.ok, `load after the upgrade failed: ${load.error?.code}: ${load.error?.message}`);
      ok(await pageCall(app.page, 'dispose', null), 'dispose');
    } finally {
      await app.page.close();
    }
  });

  it('sent no request to any host but 127.0.0.1', () => {
    assertOnlyLocalRequests(opened.requests, 'in the integrity tests');
    assert.deepEqual(opened.pageErrors, [], 'uncaught errors in the page');
  });
});
