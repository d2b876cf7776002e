// The packed npm package in a fresh Vite 7 app: `import { FaceGate } from 'facegate'`,
// `vite build`, and the built `dist/` served with the page's security headers (strict CSP:
// script-src 'self' 'wasm-unsafe-eval', worker-src 'self') in headless Chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  assertNearNative, assertOnlyLocalRequests, assertProgress, copyFixtures, installTarball, launchBrowser,
  makeTempDir, nativeSimilarity, npm, ok, openPage, otherConsent, packageTarball, pageCall, pageLoad, REPO,
  rejectsWith, removeDir, selfConsent, serveDir, timer, waitForApi,
} from './helpers.mjs';

const VITE_VERSION = '7.3.8';
const PHOTOS = ['person_a_1.jpg', 'person_a_2.jpg', 'person_b_1.jpg', 'person_b_2.jpg', 'impostor_2.jpg'];
const photo = (name, kind = 'blob') => ({ url: `/fixtures/${name}`, kind });

/**
 * Vite in the app's node_modules: `npm install vite@7.3.8 --offline` (from npm's cache, filled
 * by the repo's own `npm ci`); failing that, a link to the repo's node_modules/vite (its
 * dependencies then resolve from the repo's node_modules). Returns how it was done.
 */
function installVite(dir) {
  try {
    npm(dir, ['install', `vite@${VITE_VERSION}`, '--offline', '--save-dev']);
    return 'npm install --offline';
  } catch (e) {
    const repoVite = join(REPO, 'node_modules/vite');
    assert.ok(existsSync(repoVite), `vite is neither in npm's cache (${e.message.split('\n')[0]}) nor in ${repoVite}`);
    symlinkSync(repoVite, join(dir, 'node_modules/vite'), 'dir');
    return `link to ${repoVite}`;
  }
}

describe('facegate npm package in a Vite app (vite build)', () => {
  let dir;
  let site;
  let browser;
  let opened;
  let page;
  let buildOutput;
  const refs = {};

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    for (const w of tarball.warnings) console.error(`warning: ${w}`);
    dir = makeTempDir('vite');
    installTarball(dir, tarball.path, 'facegate-vite-app');
    const how = installVite(dir);
    const viteVersion = JSON.parse(readFileSync(join(dir, 'node_modules/vite/package.json'), 'utf8')).version;
    assert.equal(viteVersion, VITE_VERSION, `vite installed by ${how}`);
    writeFileSync(join(dir, 'index.html'), [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"><title>facegate + Vite</title>',
      '<script type="module" src="/main.js"></script></head>',
      '<body><p>facegate Vite test app</p></body></html>',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'main.js'), [
      "import { FaceGate, FaceGateError } from 'facegate';",
      'window.FaceGate = FaceGate;',
      'window.FaceGateError = FaceGateError;',
      '',
    ].join('\n'));
    // No vite.config.js: the package must work with Vite's defaults.
    buildOutput = execFileSync(process.execPath, [join(dir, 'node_modules/vite/bin/vite.js'), 'build'], {
      cwd: dir, encoding: 'utf8', timeout: 5 * 60_000, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    copyFixtures(join(dir, 'dist/fixtures'), PHOTOS);
    site = await serveDir(join(dir, 'dist'));
    browser = await launchBrowser();
    opened = await openPage(browser);
    page = opened.page;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    console.error(`package-vite: set-up (install with ${how}, vite build, serve, launch) ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  it('vite build emits the worker, the wasm and both models as assets', () => {
    const assets = readdirSync(join(dir, 'dist/assets'));
    for (const re of [/^facegate_bg-.*\.wasm$/, /^facegate_relaxed_bg-.*\.wasm$/, /^face_detection_yunet_2023mar_int8bq-.*\.onnx$/, /^face_recognition_sface_2021dec_int8bq-.*\.onnx$/, /^worker-.*\.js$/]) {
      assert.ok(assets.some((f) => re.test(f)), `no asset matching ${re} in dist/assets (${assets.join(', ')})\n${buildOutput}`);
    }
  });

  it('loads under the strict CSP with progress in stage order, from the built assets', async () => {
    const load = await pageLoad(page);
    ok(load, 'FaceGate.load');
    assertProgress(load.events);
    console.error(`package-vite: FaceGate.load ${(load.ms / 1000).toFixed(2)} s`);
    const paths = opened.requests.map((r) => new URL(r.url).pathname);
    for (const re of [/^\/assets\/worker-.*\.js$/, /^\/assets\/facegate_relaxed_bg-.*\.wasm$/, /^\/assets\/face_recognition_sface_2021dec_int8bq-.*\.onnx$/]) {
      assert.ok(paths.some((p) => re.test(p)), `no request matching ${re} (requests: ${paths.join(', ')})`);
    }
    const csp = opened.consoleLines.filter((l) => /Content Security Policy|Refused to/i.test(l));
    assert.deepEqual(csp, [], 'the build needed something the CSP forbids');
  });

  it('refuses to enroll without consent (consentRequired)', async () => {
    rejectsWith(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { label: 'no consent' }), 'consentRequired', 'enroll without consent');
  });

  it('enrolls and verifies the same person, within 0.01 of native', async () => {
    const e = ok(await pageCall(page, 'enroll', photo('person_a_1.jpg'), { consent: selfConsent(), label: 'me' }), 'enroll A');
    assert.equal(typeof e.referenceId, 'string');
    refs.a = e.referenceId;
    const native = nativeSimilarity('person_a_1.jpg', 'person_a_2.jpg');
    const sims = {};
    for (const kind of ['blob', 'imageData', 'img']) {
      const v = ok(await pageCall(page, 'verify', photo('person_a_2.jpg', kind), refs.a), `verify A2 (${kind}) against A`);
      sims[kind] = Number(v.similarity.toFixed(4));
      assertNearNative(v.similarity, native, `person_a_1 vs person_a_2 (${kind})`);
      assert.equal(v.likelySamePerson, true, `${kind}: same person not matched: ${JSON.stringify(v)}`);
      assert.equal(v.wording, 'likely the same person');
    }
    console.error(`package-vite: verify A2 vs A: browser ${JSON.stringify(sims)}, native ${native.toFixed(4)}`);
    const b = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg', 'imageData'), { consent: otherConsent('Person B'), label: 'B' }), 'enroll B');
    refs.b = b.referenceId;
    const vb = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), refs.b), 'verify B2 against B');
    assertNearNative(vb.similarity, nativeSimilarity('person_b_1.jpg', 'person_b_2.jpg'), 'person_b_1 vs person_b_2');
    assert.equal(vb.likelySamePerson, true);
  });

  it('does not match different people', async () => {
    assert.ok(refs.a && refs.b, 'needs the enrolments of the previous test');
    const ab = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), refs.a), 'verify B2 against A');
    assertNearNative(ab.similarity, nativeSimilarity('person_a_1.jpg', 'person_b_2.jpg'), 'person_a_1 vs person_b_2');
    assert.equal(ab.likelySamePerson, false, `B matched A: ${JSON.stringify(ab)}`);
    assert.equal(ab.wording, 'likely different people');
    const xb = ok(await pageCall(page, 'verify', photo('impostor_2.jpg'), refs.b), 'verify impostor_2 against B');
    assertNearNative(xb.similarity, nativeSimilarity('person_b_1.jpg', 'impostor_2.jpg'), 'person_b_1 vs impostor_2');
    assert.equal(xb.likelySamePerson, false, `impostor_2 matched B: ${JSON.stringify(xb)}`);
    const id = ok(await pageCall(page, 'identify', photo('person_b_2.jpg', 'img')), 'identify B2');
    assert.equal(id.best?.referenceId, refs.b, `person_b_2 identified as ${JSON.stringify(id.best)}`);
    ok(await pageCall(page, 'dispose', null), 'dispose');
  });

  it('sent no request to any host but 127.0.0.1, and raised no page error', () => {
    assertOnlyLocalRequests(opened.requests, 'from the Vite app');
    assert.deepEqual(opened.pageErrors, [], 'uncaught errors in the page');
  });
});
