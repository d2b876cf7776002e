// The packed npm package, installed with `npm install <tarball>` into a fresh folder and used
// from a plain page with no bundler (`import ... from './node_modules/facegate/index.js'`),
// served with the page's security headers (strict CSP) in headless Chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  assertNearNative, assertOnlyLocalRequests, assertProgress, copyFixtures, installTarball, launchBrowser,
  makeTempDir, nativeCompare, nativeSimilarity, ok, openPage, otherConsent, packageTarball, pageCall, pageLoad,
  rejectsWith, removeDir, selfConsent, serveDir, SIMILARITY_TOLERANCE, timer, waitForApi, writePlainPage,
} from './helpers.mjs';

const PHOTOS = ['person_a_1.jpg', 'person_a_2.jpg', 'person_b_1.jpg', 'person_b_2.jpg', 'impostor_2.jpg'];
const photo = (name, kind = 'blob') => ({ url: `/fixtures/${name}`, kind });

describe('facegate npm package, plain ES modules (no bundler)', () => {
  let dir;
  let site;
  let browser;
  let opened;
  let page;
  let installed;
  const refs = {};

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    for (const w of tarball.warnings) console.error(`warning: ${w}`);
    dir = makeTempDir('plain');
    installed = installTarball(dir, tarball.path);
    copyFixtures(join(dir, 'fixtures'), PHOTOS);
    writePlainPage(dir, 'facegate, plain');
    site = await serveDir(dir);
    browser = await launchBrowser();
    opened = await openPage(browser);
    page = opened.page;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    console.error(`package-plain: set-up (install, serve, launch) ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  it('installs every file the worker loads, matching the manifest', async () => {
    const { MANIFEST } = await import(pathToFileURL(join(installed, 'manifest.js')).href);
    const files = {
      wasm: join(installed, 'wasm', MANIFEST.wasm.file),
      wasmRelaxed: join(installed, 'wasm', MANIFEST.wasmRelaxed.file),
      detector: join(installed, 'models', MANIFEST.detector.file),
      recognizer: join(installed, 'models', MANIFEST.recognizer.file),
    };
    for (const [name, path] of Object.entries(files)) {
      assert.ok(existsSync(path), `${name}: ${path} is not in the installed package`);
      const bytes = readFileSync(path);
      assert.equal(bytes.length, MANIFEST[name].bytes, `${name}: size differs from the manifest`);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), MANIFEST[name].sha256, `${name}: SHA-256 differs from the manifest`);
    }
    for (const f of ['index.js', 'worker.js', 'image.js', 'decode.js', 'integrity.js', 'protocol.js', 'manifest.js', 'wasm/facegate.js']) {
      assert.ok(existsSync(join(installed, f)), `${f} is not in the installed package`);
    }
  });

  it('loads with progress events in stage order, ending at fraction 1', async () => {
    const load = await pageLoad(page);
    ok(load, 'FaceGate.load');
    assertProgress(load.events);
    console.error(`package-plain: FaceGate.load ${(load.ms / 1000).toFixed(2)} s, ${load.events.length} progress events`);
    // The wasm and both models were fetched from the installed package, by the worker.
    const urls = opened.requests.map((r) => r.url);
    // (Chromium supports relaxed SIMD, so the worker picks that build; or the threaded build
    // when the server makes the page cross-origin isolated.)
    const threaded = await page.evaluate(() => window.fg.wasmBuild === 'threads');
    const wasm = threaded ? 'wasm/threads/facegate_bg.wasm' : 'wasm/facegate_relaxed_bg.wasm';
    for (const f of ['/node_modules/facegate/worker.js', `/node_modules/facegate/${wasm}`,
      '/node_modules/facegate/models/face_detection_yunet_2023mar_int8bq.onnx',
      '/node_modules/facegate/models/face_recognition_sface_2021dec_int8bq.onnx']) {
      assert.ok(urls.includes(`${site.origin}${f}`), `no request for ${f} was recorded (recorded: ${urls.join(', ')})`);
    }
  });

  it('detects the face where the native CLI does', async () => {
    const det = ok(await pageCall(page, 'detect', photo('person_b_1.jpg')), 'detect');
    const native = nativeCompare('person_b_1.jpg', 'person_b_2.jpg').facesA;
    assert.equal(det.width, 716);
    assert.equal(det.height, 900);
    assert.equal(det.faces.length, native.length, 'number of faces');
    const [face] = det.faces;
    for (const k of ['x', 'y', 'width', 'height']) {
      assert.ok(Math.abs(face.bbox[k] - native[0][k]) <= 3, `bbox.${k}: browser ${face.bbox[k]}, native ${native[0][k]}`);
    }
    assert.ok(Math.abs(face.score - native[0].score) <= 0.02, `score: browser ${face.score}, native ${native[0].score}`);
    for (const k of ['rightEye', 'leftEye', 'nose', 'rightMouth', 'leftMouth']) {
      assert.equal(typeof face.landmarks?.[k]?.x, 'number', `landmarks.${k}`);
    }
  });

  it('detects the same face from every input kind', async () => {
    const boxes = {};
    for (const kind of ['blob', 'imageData', 'img', 'canvas', 'bitmap', 'bytes']) {
      const det = ok(await pageCall(page, 'detect', photo('person_b_2.jpg', kind)), `detect person_b_2 as ${kind}`);
      assert.equal(det.faces.length, 1, `${kind}: faces found`);
      assert.deepEqual([det.width, det.height], [689, 900], `${kind}: image size`);
      boxes[kind] = { ...det.faces[0].bbox, score: det.faces[0].score };
    }
    const ref = boxes.blob;
    for (const [kind, b] of Object.entries(boxes)) {
      for (const k of ['x', 'y', 'width', 'height']) {
        assert.ok(Math.abs(b[k] - ref[k]) <= 2, `${kind}: bbox.${k} ${b[k]} vs ${ref[k]} from a Blob`);
      }
      assert.ok(Math.abs(b.score - ref.score) <= 0.02, `${kind}: score ${b.score} vs ${ref.score} from a Blob`);
    }
  });

  it('refuses to enroll without consent (consentRequired)', async () => {
    rejectsWith(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { label: 'no consent' }), 'consentRequired', 'enroll without consent');
    rejectsWith(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { label: 'no consent', consent: undefined }), 'consentRequired', 'enroll with consent undefined');
    // Nothing was enrolled by the refused calls.
    const list = ok(await pageCall(page, 'list', null), 'list');
    const count = Array.isArray(list) ? list.length : list?.references?.length;
    assert.equal(count, 0, `the gallery should be empty after refused enrolments: ${JSON.stringify(list)}`);
  });

  it('enrolls person B with consent and verifies B\'s second photo, within 0.01 of native', async () => {
    const enrolled = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent: otherConsent('Person B'), label: 'B' }), 'enroll B');
    assert.equal(typeof enrolled.referenceId, 'string');
    assert.ok(enrolled.referenceId.length > 0);
    refs.b = enrolled.referenceId;

    const call = await pageCall(page, 'verify', photo('person_b_2.jpg'), refs.b);
    const v = ok(call, 'verify B2 against B');
    const native = nativeSimilarity('person_b_1.jpg', 'person_b_2.jpg');
    assertNearNative(v.similarity, native, 'person_b_1 vs person_b_2');
    assert.equal(v.referenceId, refs.b);
    assert.equal(v.likelySamePerson, true, `same person not matched: ${JSON.stringify(v)}`);
    assert.equal(v.wording, 'likely the same person');
    assert.equal(typeof v.threshold, 'number');
    assert.ok(v.similarity >= v.threshold, 'a match is at or above the threshold');
    console.error(`package-plain: verify B2 vs B: browser ${v.similarity.toFixed(4)}, native ${native.toFixed(4)}, ${call.ms.toFixed(0)} ms`);
  });

  it('does not match a different person (impostor_2 against B)', async () => {
    assert.ok(refs.b, 'needs the enrolment of the previous test');
    const v = ok(await pageCall(page, 'verify', photo('impostor_2.jpg'), refs.b), 'verify impostor_2 against B');
    assertNearNative(v.similarity, nativeSimilarity('person_b_1.jpg', 'impostor_2.jpg'), 'person_b_1 vs impostor_2');
    assert.equal(v.likelySamePerson, false, `a different person matched: ${JSON.stringify(v)}`);
    assert.equal(v.wording, 'likely different people');
    assert.ok(v.similarity < v.threshold);
  });

  it('gives the same similarity for a Blob, ImageData, <img>, canvas, ImageBitmap and encoded bytes', async () => {
    assert.ok(refs.b, 'needs the enrolment of a previous test');
    const native = nativeSimilarity('person_b_1.jpg', 'person_b_2.jpg');
    const sims = {};
    for (const kind of ['blob', 'imageData', 'img', 'canvas', 'bitmap', 'bytes']) {
      const v = ok(await pageCall(page, 'verify', photo('person_b_2.jpg', kind), refs.b), `verify B2 as ${kind}`);
      assert.equal(v.likelySamePerson, true, `${kind}: not matched`);
      sims[kind] = v.similarity;
    }
    console.error(`package-plain: similarity by input kind: ${JSON.stringify(sims)}`);
    const values = Object.values(sims);
    const spread = Math.max(...values) - Math.min(...values);
    assert.ok(spread <= SIMILARITY_TOLERANCE, `input kinds disagree by ${spread.toFixed(4)}: ${JSON.stringify(sims)}`);
    for (const [kind, s] of Object.entries(sims)) assertNearNative(s, native, `person_b_2 as ${kind}`);
  });

  it('identifies the right reference among two enrolled people', async () => {
    assert.ok(refs.b, 'needs the enrolment of a previous test');
    const a = ok(await pageCall(page, 'enroll', photo('person_a_1.jpg', 'imageData'), { consent: selfConsent(), label: 'A (me)' }), 'enroll A');
    refs.a = a.referenceId;
    assert.notEqual(refs.a, refs.b, 'two enrolments got the same referenceId');

    const idB = ok(await pageCall(page, 'identify', photo('person_b_2.jpg')), 'identify B2');
    assert.ok(idB.best, `no best match for person_b_2: ${JSON.stringify(idB)}`);
    assert.equal(idB.best.referenceId, refs.b, 'person_b_2 identified as the wrong reference');
    assert.equal(idB.best.label, 'B');
    assert.equal(idB.best.likelySamePerson, true);
    assertNearNative(idB.best.similarity, nativeSimilarity('person_b_1.jpg', 'person_b_2.jpg'), 'identify person_b_2');

    const idA = ok(await pageCall(page, 'identify', photo('person_a_2.jpg', 'img')), 'identify A2');
    assert.ok(idA.best, `no best match for person_a_2: ${JSON.stringify(idA)}`);
    assert.equal(idA.best.referenceId, refs.a, 'person_a_2 identified as the wrong reference');
    assert.equal(idA.best.label, 'A (me)');
    assertNearNative(idA.best.similarity, nativeSimilarity('person_a_1.jpg', 'person_a_2.jpg'), 'identify person_a_2');

    // Someone enrolled by neither: no best match (both native similarities are far below any threshold).
    assert.ok(nativeSimilarity('person_a_1.jpg', 'impostor_2.jpg') < 0.3 && nativeSimilarity('person_b_1.jpg', 'impostor_2.jpg') < 0.3);
    const idX = ok(await pageCall(page, 'identify', photo('impostor_2.jpg')), 'identify impostor_2');
    assert.equal(idX.best, null, `impostor_2 was identified as ${JSON.stringify(idX.best)}`);
  });

  it('refuses an unknown reference and a withdrawn one (unknownReference)', async () => {
    assert.ok(refs.a && refs.b, 'needs the enrolments of previous tests');
    rejectsWith(await pageCall(page, 'verify', photo('person_b_2.jpg'), 'no-such-reference'), 'unknownReference', 'verify against a made-up id');
    ok(await pageCall(page, 'withdraw', null, refs.a), 'withdraw A');
    rejectsWith(await pageCall(page, 'verify', photo('person_a_2.jpg'), refs.a), 'unknownReference', 'verify against a withdrawn reference');
    // B is still there.
    const v = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), refs.b), 'verify B after withdrawing A');
    assert.equal(v.likelySamePerson, true);
  });

  it('keeps an audit log of consent, enrolment, comparison and withdrawal, with no biometric data', async () => {
    assert.ok(refs.a && refs.b, 'needs the enrolments of previous tests');
    const log = ok(await pageCall(page, 'auditLog', null), 'auditLog');
    assert.ok(Array.isArray(log), 'the audit log is an array');
    const has = (event, reference, extra = {}) => log.some((e) => e.event === event && e.reference === reference
      && Object.entries(extra).every(([k, v]) => e[k] === v));
    assert.ok(has('consentGiven', refs.b), 'no consentGiven event for B');
    assert.ok(has('enrolled', refs.b), 'no enrolled event for B');
    assert.ok(has('compared', refs.b, { mode: 'verify', likelySamePerson: true }), 'no verify event for B');
    assert.ok(has('compared', refs.b, { mode: 'identify' }), 'no identify event for B');
    assert.ok(has('withdrawn', refs.a), 'no withdrawn event for A');
    const text = JSON.stringify(log);
    for (const secret of ['Person B', '"B"', 'A (me)', 'similarity']) {
      assert.ok(!text.includes(secret), `the audit log holds ${secret}`);
    }
    for (const e of log) {
      for (const v of Object.values(e)) assert.ok(!Array.isArray(v) && typeof v !== 'object', `an audit entry holds a structure: ${JSON.stringify(e)}`);
    }
  });

  it('exports the gallery encrypted and imports it back; a wrong passphrase is refused', async () => {
    assert.ok(refs.b, 'needs the enrolment of a previous test');
    const before = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), refs.b), 'verify B before export');
    const passphrase = 'correct horse battery staple';
    const exported = await page.evaluate(async (passphrase) => {
      try {
        const bytes = await window.fg.exportGallery(passphrase);
        window.exportedGallery = bytes;
        const ascii = new TextDecoder('latin1').decode(bytes);
        return { ok: true, result: { isUint8Array: bytes instanceof Uint8Array, length: bytes.length, hasLabel: ascii.includes('Person B') } };
      } catch (e) {
        return { ok: false, error: { code: e?.code, message: String(e?.message ?? e) } };
      }
    }, passphrase);
    const ex = ok(exported, 'exportGallery');
    assert.equal(ex.isUint8Array, true, 'exportGallery gives a Uint8Array');
    assert.ok(ex.length > 512, `an export of one 512-byte template is ${ex.length} bytes`);
    assert.equal(ex.hasLabel, false, 'the export holds the consent name in clear');

    const erased = ok(await pageCall(page, 'eraseAll', null, { auditLog: false }), 'eraseAll');
    assert.equal(erased.erased, 1, `eraseAll: ${JSON.stringify(erased)}`);
    assert.deepEqual(ok(await pageCall(page, 'list', null), 'list after eraseAll'), []);
    rejectsWith(await pageCall(page, 'verify', photo('person_b_2.jpg'), refs.b), 'unknownReference', 'verify after eraseAll');

    const importWith = (pass) => page.evaluate(async (pass) => {
      try {
        return { ok: true, result: await window.fg.importGallery(window.exportedGallery, pass) };
      } catch (e) {
        return { ok: false, error: { name: e?.name, code: e?.code, message: String(e?.message ?? e), isFaceGateError: e instanceof window.FaceGateError } };
      }
    }, pass);
    rejectsWith(await importWith('not the passphrase at all'), 'exportWrongPassphrase', 'import with a wrong passphrase');
    const report = ok(await importWith(passphrase), 'importGallery');
    assert.equal(report.added, 1, `import report: ${JSON.stringify(report)}`);
    const after = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), refs.b), 'verify B after import');
    assert.equal(after.likelySamePerson, true);
    assert.ok(Math.abs(after.similarity - before.similarity) < 1e-4, `similarity changed through export/import: ${before.similarity} -> ${after.similarity}`);
  });

  it('uses the relaxed-SIMD build in Chromium, and the simd128 build agrees with it', async () => {
    if (await page.evaluate(() => window.fg.wasmBuild === 'threads')) {
      // A cross-origin isolated page gets the threaded build by default (package-threads.test.mjs).
      await page.evaluate(() => window.fg.dispose());
      ok(await pageLoad(page, { threads: 1 }), 'load on one thread');
    }
    assert.equal(await page.evaluate(() => window.fg.wasmBuild), 'relaxed-simd', 'Chromium supports relaxed SIMD');
    assert.ok(opened.requests.some((r) => r.url.endsWith('/wasm/facegate_relaxed_bg.wasm')), 'the relaxed-SIMD wasm was not fetched');
    const relaxed = ok(await pageCall(page, 'detect', photo('person_b_2.jpg')), 'detect with relaxed SIMD');
    await page.evaluate(() => { window.fgRelaxed = window.fg; });
    ok(await pageLoad(page, { wasmVariant: 'simd128' }), 'load the simd128 build');
    assert.equal(await page.evaluate(() => window.fg.wasmBuild), 'simd128');
    assert.ok(opened.requests.some((r) => r.url.endsWith('/wasm/facegate_bg.wasm')), 'the simd128 wasm was not fetched');
    const plain = ok(await pageCall(page, 'detect', photo('person_b_2.jpg')), 'detect with simd128');
    assert.equal(plain.faces.length, relaxed.faces.length);
    const [a, b] = [relaxed.faces[0], plain.faces[0]];
    assert.ok(Math.abs(a.bbox.x - b.bbox.x) < 1 && Math.abs(a.bbox.width - b.bbox.width) < 1 && Math.abs(a.score - b.score) < 1e-3,
      `the builds disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    await page.evaluate(() => window.fgRelaxed.dispose());
  });

  it('rejects every call after dispose (disposed)', async () => {
    ok(await pageCall(page, 'dispose', null), 'dispose');
    rejectsWith(await pageCall(page, 'detect', photo('person_b_1.jpg')), 'disposed', 'detect after dispose');
    rejectsWith(await pageCall(page, 'list', null), 'disposed', 'list after dispose');
  });

  it('sent no request to any host but 127.0.0.1, and raised no page error', () => {
    assertOnlyLocalRequests(opened.requests, 'from the plain page');
    assert.deepEqual(opened.pageErrors, [], 'uncaught errors in the page');
  });
});
