// The threaded wasm build (wasm atomics, rayon's pool in nested Web Workers): picked by default
// where the page is cross-origin isolated (COOP same-origin + COEP require-corp), under the
// page's strict CSP (worker-src 'self'); the same results as the one-thread builds; and the
// clean fall-back to one thread where the page is not isolated. Skipped, saying so, when the
// package was built without it (scripts/build-package.sh: no nightly Rust).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { SECURITY_HEADERS } from '../../scripts/serve.mjs';
import {
  assertNearNative, assertOnlyLocalRequests, assertProgress, copyFixtures, installTarball, launchBrowser, makeTempDir, nativeSimilarity,
  ok, openPage, packageTarball, pageCall, pageLoad, rejectsWith, removeDir, selfConsent, serveDir, timer, waitForApi, writePlainPage,
} from './helpers.mjs';

const ISOLATED = {
  ...SECURITY_HEADERS,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const NOT_ISOLATED = Object.fromEntries(Object.entries(ISOLATED).filter(([k]) => k !== 'Cross-Origin-Embedder-Policy'));
const PHOTOS = ['person_b_1.jpg', 'person_b_2.jpg', 'impostor_2.jpg'];
const photo = (name, kind = 'blob') => ({ url: `/fixtures/${name}`, kind });

describe('facegate npm package, threaded build', () => {
  let dir;
  let isolated;
  let plain;
  let noGlue;
  let browser;
  let manifest;
  const served = [];

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    dir = makeTempDir('threads');
    const installed = installTarball(dir, tarball.path);
    ({ MANIFEST: manifest } = await import(pathToFileURL(join(installed, 'manifest.js')).href));
    copyFixtures(join(dir, 'fixtures'), PHOTOS);
    writePlainPage(dir, 'facegate, threads');
    isolated = await serveDir(dir, ISOLATED);
    // What the server saw (nested workers' requests included, whatever the browser reports).
    isolated.server.on('request', (req) => served.push(req.url));
    plain = await serveDir(dir, NOT_ISOLATED);
    // Isolated, but the threaded build's glue is not served (as in a bundled app that did not
    // copy wasm/threads/): the request is turned into one for a file that is not there.
    noGlue = await serveDir(dir, ISOLATED);
    noGlue.server.prependListener('request', (req) => {
      if (req.url.endsWith('/wasm/threads/facegate.js')) req.url = '/not-served/facegate.js';
    });
    browser = await launchBrowser();
    console.error(`package-threads: set-up ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
    await noGlue?.close();
    removeDir(dir);
  });

  /** Skips `t`, saying why, when the package holds no threaded build; true then. */
  function withoutThreadedBuild(t) {
    if (manifest.wasmThreads) return false;
    t.skip('this package was built without the threaded build (see scripts/build-package.sh)');
    return true;
  }

  async function open(site) {
    const opened = await openPage(browser);
    await opened.page.goto(`${site.origin}/`);
    await waitForApi(opened.page, opened);
    return opened;
  }

  it('runs on a pool of threads where the page is cross-origin isolated, with the results of one thread', async (t) => {
    if (withoutThreadedBuild(t)) return;
    const opened = await open(isolated);
    const { page } = opened;
    try {
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the page is cross-origin isolated');
      const load = await pageLoad(page, { threads: 2 });
      ok(load, 'FaceGate.load({ threads: 2 })');
      const info = await page.evaluate(() => ({ build: window.fg.wasmBuild, threads: window.fg.threads, phases: window.fg.loadPhases }));
      assert.equal(info.build, 'threads');
      assert.equal(info.threads, 2, 'fg.threads says the pool size');
      assert.equal(typeof info.phases.threadsStarted, 'number', `phases: ${JSON.stringify(info.phases)}`);
      console.error(`package-threads: load ${load.ms.toFixed(0)} ms, phases ${JSON.stringify(info.phases)}`);
      assert.ok(served.some((u) => u.endsWith('/wasm/threads/facegate_bg.wasm')), 'the threaded wasm was fetched');
      assert.ok(served.some((u) => /\/wasm\/threads\/snippets\/.*\/workerHelpers\.js$/.test(u)), `the pool's worker script was not fetched from the package: ${served.join(', ')}`);
      assert.ok(!served.some((u) => u.endsWith('/wasm/facegate_relaxed_bg.wasm') || u.endsWith('/wasm/facegate_bg.wasm')), 'a one-thread build was fetched too');

      const det = ok(await pageCall(page, 'detect', photo('person_b_1.jpg')), 'detect');
      assert.equal(det.faces.length, 1);
      assert.equal(typeof det.detector.inputSize, 'number', 'detect reports the detector input it chose');
      const { referenceId } = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent: selfConsent(), label: 'B' }), 'enroll');
      const same = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), referenceId), 'verify B2');
      const other = ok(await pageCall(page, 'verify', photo('impostor_2.jpg'), referenceId), 'verify impostor');
      assertNearNative(same.similarity, nativeSimilarity('person_b_1.jpg', 'person_b_2.jpg'), 'threads: person_b_1 vs person_b_2');
      assert.equal(same.likelySamePerson, true);
      assert.equal(other.likelySamePerson, false);

      // The same photos on one thread, in the same page: the same faces and similarities (threads
      // split the matrix products into tiles, never a sum).
      await page.evaluate(() => { window.fgThreads = window.fg; });
      ok(await pageLoad(page, { threads: 1 }), 'FaceGate.load({ threads: 1 })');
      assert.deepEqual(await page.evaluate(() => [window.fg.wasmBuild, window.fg.threads]), ['relaxed-simd', 1]);
      const det1 = ok(await pageCall(page, 'detect', photo('person_b_1.jpg')), 'detect, one thread');
      assert.deepEqual(det1.faces, det.faces, 'the faces differ between the threaded and the one-thread build');
      const one = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent: selfConsent(), label: 'B' }), 'enroll, one thread');
      const same1 = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), one.referenceId), 'verify B2, one thread');
      assert.ok(Math.abs(same1.similarity - same.similarity) < 1e-5, `similarity: threads ${same.similarity}, one thread ${same1.similarity}`);
      await page.evaluate(() => window.fgThreads.dispose());
      rejectsWith(await page.evaluate(async () => {
        try {
          return { ok: true, result: await window.fgThreads.list() };
        } catch (e) {
          return { ok: false, error: { code: e?.code, message: String(e?.message ?? e), isFaceGateError: e instanceof window.FaceGateError } };
        }
      }), 'disposed', 'a call after dispose');
      rejectsWith(await pageLoad(page, { threads: 0 }), 'invalidConfig', 'threads: 0');
      assertOnlyLocalRequests(opened.requests, 'from the isolated page');
      assert.deepEqual(opened.pageErrors, [], 'uncaught errors in the page');
    } finally {
      await page.context().close();
    }
  });

  it('goes on with one thread when the threaded glue cannot be loaded, and counts none of the threaded wasm', async (t) => {
    if (withoutThreadedBuild(t)) return;
    const opened = await open(noGlue);
    const { page } = opened;
    try {
      assert.equal(await page.evaluate(() => crossOriginIsolated), true);
      // The threaded wasm starts downloading while its glue is imported; the glue fails, so that
      // download is given up and the one-thread build is fetched instead.
      const load = await pageLoad(page, { threads: 2 });
      ok(load, 'FaceGate.load({ threads: 2 }) without the threaded glue');
      assert.deepEqual(await page.evaluate(() => [window.fg.wasmBuild, window.fg.threads]), ['relaxed-simd', 1]);
      assertProgress(load.events);
      const total = manifest.wasmRelaxed.bytes + manifest.detector.bytes + manifest.recognizer.bytes;
      assert.equal(load.events.at(-1).total, total, 'the progress ends at the one-thread build and the two models');
      assert.equal(load.events.at(-1).loaded, total);
      const det = ok(await pageCall(page, 'detect', photo('person_b_2.jpg')), 'detect');
      assert.equal(det.faces.length, 1);
      assert.deepEqual(opened.pageErrors, [], 'uncaught errors in the page');
    } finally {
      await page.context().close();
    }
  });

  it('falls back to one thread where the page is not cross-origin isolated', async () => {
    const opened = await open(plain);
    const { page } = opened;
    try {
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      ok(await pageLoad(page, { threads: 2 }), 'FaceGate.load({ threads: 2 }) without isolation');
      assert.deepEqual(await page.evaluate(() => [window.fg.wasmBuild, window.fg.threads]), ['relaxed-simd', 1]);
      assert.ok(!opened.requests.some((r) => r.url.includes('/wasm/threads/')), 'the threaded build was fetched');
      const det = ok(await pageCall(page, 'detect', photo('person_b_2.jpg')), 'detect');
      assert.equal(det.faces.length, 1);
      assert.deepEqual(opened.pageErrors, [], 'uncaught errors in the page');
    } finally {
      await page.context().close();
    }
  });
});
