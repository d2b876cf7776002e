// The packed npm package's privacy guarantees, tried in headless Chromium (issue 11):
// - no template leaves the worker: a spy wraps the page's Worker class before facegate loads and
//   scans every message any facegate worker sends the page for an array of 64 or more floats, a
//   string holding 64 or more decimal numbers, or binary data holding 128 unit-length floats;
// - the teaching view exists only with `teaching` at load, needs a consent naming whose face it
//   is, is logged and stops at its cap;
// - eraseAll terminates the worker and starts a new one, and the FaceGate keeps working;
// - a consent that ends while the page is idle erases its reference and fires 'change' with no
//   call made;
// - weak export passphrases are refused with a reason; bidi labels are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  assertOnlyLocalRequests, copyFixtures, installTarball, launchBrowser, makeTempDir, ok, openPage, otherConsent,
  packageTarball, pageCall, pageLoad, rejectsWith, removeDir, selfConsent, serveDir, timer, waitForApi,
} from './helpers.mjs';

const PHOTOS = ['person_a_1.jpg', 'person_a_2.jpg', 'person_b_1.jpg'];
const photo = (name, kind = 'blob') => ({ url: `/fixtures/${name}`, kind });

// Runs before facegate is imported: every Worker the page creates is recorded, its
// termination noted, and every message it sends scanned for template-like data.
const SPY = `
'use strict';
(() => {
  const NativeWorker = window.Worker;
  const workers = (window.spyWorkers = []);
  const violations = (window.spyViolations = []);
  window.spyMessages = 0;
  const DECIMAL = /-?\\d*\\.\\d+(?:e-?\\d+)?/gi;
  // 128 consecutive floats of unit length (each finite and below 1 in magnitude) inside binary
  // data, at any byte offset: a template smuggled as bytes.
  function holdsUnitVector(buffer, offset, length) {
    if (length < 512) return false;
    for (let shift = 0; shift < 4; shift++) {
      const n = Math.floor((length - shift) / 4);
      if (n < 128) continue;
      const view = new DataView(buffer, offset + shift, n * 4);
      const squares = new Float64Array(n + 1);
      const bad = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const v = view.getFloat32(i * 4, true);
        const good = Number.isFinite(v) && Math.abs(v) < 1;
        squares[i + 1] = squares[i] + (good ? v * v : 0);
        bad[i + 1] = bad[i] + (good ? 0 : 1);
      }
      for (let i = 128; i <= n; i++) {
        if (bad[i] === bad[i - 128] && Math.abs(squares[i] - squares[i - 128] - 1) < 1e-3) return true;
      }
    }
    return false;
  }
  function scan(value, path, seen) {
    if (typeof value === 'string') {
      const decimals = value.match(DECIMAL)?.length ?? 0;
      if (decimals >= 64) violations.push(path + ': a string of ' + decimals + ' decimal numbers');
      return;
    }
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Float32Array || value instanceof Float64Array) {
      if (value.length >= 64) violations.push(path + ': a ' + value.constructor.name + ' of ' + value.length);
      return;
    }
    if (ArrayBuffer.isView(value)) {
      if (holdsUnitVector(value.buffer, value.byteOffset, value.byteLength)) violations.push(path + ': 128 unit-length floats in binary data');
      return;
    }
    if (value instanceof ArrayBuffer) {
      if (holdsUnitVector(value, 0, value.byteLength)) violations.push(path + ': 128 unit-length floats in an ArrayBuffer');
      return;
    }
    if (Array.isArray(value)) {
      if (value.length >= 64 && value.every((v) => typeof v === 'number') && value.some((v) => !Number.isInteger(v))) {
        violations.push(path + ': an array of ' + value.length + ' numbers, not all whole');
      }
      value.forEach((v, i) => scan(v, path + '[' + i + ']', seen));
      return;
    }
    if (typeof WebAssembly !== 'undefined' && value instanceof WebAssembly.Module) return;
    // A restart's hand-over ({ wasm, detector, recognizer, build, threads, history }) carries the
    // package's own model files (public, checked against their SHA-256 when fetched): their float
    // weights are not scanned as possible templates (the recognizer's do hold 128 consecutive
    // unit-length floats). Its history is scanned like everything else.
    const modelFiles = 'history' in value && 'recognizer' in value && 'detector' in value;
    for (const [k, v] of Object.entries(value)) {
      if (modelFiles && (k === 'detector' || k === 'recognizer')) continue;
      scan(v, path + '.' + k, seen);
    }
  }
  window.Worker = class SpyWorker extends NativeWorker {
    constructor(url, options) {
      super(url, options);
      const record = { url: String(url), terminated: false, messages: 0 };
      workers.push(record);
      this.spyRecord = record;
      this.addEventListener('message', (event) => {
        record.messages++;
        window.spyMessages++;
        scan(event.data, 'worker ' + workers.indexOf(record) + ' message', new Set());
      });
    }
    terminate() {
      this.spyRecord.terminated = true;
      super.terminate();
    }
  };
})();
`;

function writeSpyPage(root) {
  writeFileSync(join(root, 'spy.js'), SPY);
  writeFileSync(join(root, 'index.html'), [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>facegate, privacy</title>',
    '<script src="./spy.js"></script>',
    '<script type="module" src="./main.js"></script></head><body></body></html>',
    '',
  ].join('\n'));
  writeFileSync(join(root, 'main.js'), [
    "import { FaceGate, FaceGateError } from './node_modules/facegate/index.js';",
    'window.FaceGate = FaceGate;',
    'window.FaceGateError = FaceGateError;',
    '',
  ].join('\n'));
}

const learnConsent = (subject) => ({
  subject,
  purpose: { other: 'learn how face matching works' },
  consentText: 'I agree that facegate shows a picture of this face\'s template on this device.',
});

describe('facegate npm package: no template oracle, no residue, expiry, export protection', () => {
  let dir;
  let site;
  let browser;
  let opened;
  let page;
  const spy = () => page.evaluate(() => ({ violations: window.spyViolations, messages: window.spyMessages, workers: window.spyWorkers }));

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    dir = makeTempDir('privacy');
    installTarball(dir, tarball.path);
    copyFixtures(join(dir, 'fixtures'), PHOTOS);
    writeSpyPage(dir);
    site = await serveDir(dir);
    browser = await launchBrowser();
    opened = await openPage(browser);
    page = opened.page;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    ok(await pageLoad(page), 'FaceGate.load');
    console.error(`package-privacy: set-up ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  it('has no teaching view unless asked for at load', async () => {
    const shape = await page.evaluate(() => ({
      explain: typeof window.fg.explain,
      inFg: 'explain' in window.fg,
      compare: typeof window.fg.compareExplained,
      onPrototype: 'explain' in window.FaceGate.prototype,
    }));
    assert.deepEqual(shape, { explain: 'undefined', inFg: false, compare: 'undefined', onPrototype: false });
  });

  it('teaching view: needs a consent naming whose face, logs each call, stops at the cap, returns no template', async () => {
    await page.evaluate(() => { window.plain = window.fg; });
    ok(await pageLoad(page, { teaching: { maxExplanations: 3 } }), 'FaceGate.load with teaching');
    rejectsWith(await pageCall(page, 'explain', photo('person_a_1.jpg'), {}), 'consentRequired', 'explain without consent');
    const noSubject = { purpose: { other: 'learn' }, consentText: 'I agree.' };
    rejectsWith(await pageCall(page, 'explain', photo('person_a_1.jpg'), { consent: noSubject }), 'consentInvalid', 'explain without a subject');

    const a = ok(await pageCall(page, 'explain', photo('person_a_1.jpg'), { consent: learnConsent('self') }), 'explain A');
    assert.equal(typeof a.explanation, 'string');
    assert.equal(a.template, undefined, 'no template in the result');
    assert.equal(Object.keys(a.strip).length, 128, 'a strip of 128 cells');
    assert.ok(Object.values(a.strip).every((v) => Number.isInteger(v) && Math.abs(v) <= 127), 'the strip is whole numbers -127..127');
    assert.equal(a.printed.length, 5);
    assert.equal(a.explanationsLeft, 2);
    assert.deepEqual([a.aligned.width, a.aligned.height, Object.keys(a.aligned.data).length], [112, 112, 112 * 112 * 4]);

    const b = ok(await pageCall(page, 'explain', photo('person_a_2.jpg'), { consent: learnConsent({ otherPerson: 'Alice' }) }), 'explain B');
    const steps = ok(await pageCall(page, 'compareExplained', null, a.explanation, b.explanation), 'compareExplained');
    assert.equal(steps.rows.length, 5);
    assert.ok(steps.cosine > 0.366, `the same person: cosine ${steps.cosine}`);
    assert.equal(Object.keys(steps.products).length, 128);

    ok(await pageCall(page, 'explain', photo('person_b_1.jpg'), { consent: learnConsent('self') }), 'explain a third face');
    rejectsWith(await pageCall(page, 'explain', photo('person_b_1.jpg'), { consent: learnConsent('self') }), 'explanationCapReached', 'a fourth explain');

    const log = ok(await pageCall(page, 'auditLog', null), 'auditLog');
    const kinds = log.map((e) => e.event);
    assert.deepEqual(kinds.filter((k) => k === 'explained').length, 3, `one event per explained face: ${kinds}`);
    assert.ok(kinds.includes('explanationsCompared'));
    assert.ok(log.some((e) => e.event === 'explained' && e.subject === 'otherPersonConsented'), 'whose face is logged (by kind, no name)');
    assert.ok(!JSON.stringify(log).includes('Alice'), 'no name in the log');

    const s = await spy();
    assert.ok(s.messages > 10, `the spy saw the workers' messages (${s.messages})`);
    assert.deepEqual(s.violations, [], 'template-like data reached the page');
  });

  it('eraseAll terminates the worker, starts a new one, and the FaceGate keeps working', async () => {
    const before = (await spy()).workers.length;
    const threads = await page.evaluate(() => window.fg.threads);
    const poolWorkers = () => page.workers().filter((w) => w.url().includes('/wasm/threads/')).length;
    const poolBefore = poolWorkers(); // every FaceGate's pool in this page
    const erased = ok(await pageCall(page, 'eraseAll', null), 'eraseAll');
    const s = await spy();
    assert.equal(s.workers.length, before + 1, 'a new worker was started');
    assert.equal(s.workers[before - 1].terminated, true, 'the old worker was terminated');
    assert.equal(s.workers[before].terminated, false);
    assert.ok(Number.isFinite(erased.restartMs) && erased.restartMs > 0);
    console.error(`package-privacy: worker restart on eraseAll: ${erased.restartMs.toFixed(0)} ms (${threads} thread(s))`);
    // The fresh worker runs on as many threads (the threaded build's pool started again).
    assert.equal(await page.evaluate(() => window.fg.threads), threads, 'threads after the restart');
    // The old worker's pool ended with it, the new worker's started: as many pool workers as before.
    const deadline = Date.now() + 10_000;
    while (poolWorkers() !== poolBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(poolWorkers(), poolBefore, `pool workers: ${page.workers().map((w) => w.url()).join(', ')}`);
    if (threads > 1) assert.ok(poolBefore >= threads, `a pool of ${threads} threads runs (${poolBefore} pool workers)`);
    const det = ok(await pageCall(page, 'detect', photo('person_a_1.jpg')), 'detect after eraseAll');
    assert.equal(det.faces.length, 1);
    const id = ok(await pageCall(page, 'enroll', photo('person_a_1.jpg'), { consent: selfConsent(), label: 'me' }), 'enroll after eraseAll').referenceId;
    assert.equal(ok(await pageCall(page, 'verify', photo('person_a_2.jpg'), id), 'verify').likelySamePerson, true);
    rejectsWith(await pageCall(page, 'explain', photo('person_a_1.jpg'), { consent: learnConsent('self') }), 'explanationCapReached',
      'the cap is per FaceGate, not reset by a restart');
    const log = ok(await pageCall(page, 'auditLog', null), 'auditLog after the restart');
    assert.ok(log.some((e) => e.event === 'erased') && log.some((e) => e.event === 'explained'), 'the audit log was carried over');
    assert.deepEqual((await spy()).violations, []);
  });

  it('erases a reference when its consent ends, with no call made, and fires change', async () => {
    await page.evaluate(() => { window.fg = window.plain; });
    const consent = { ...otherConsent('Bea'), expiresAt: Date.now() + 3000 };
    const { referenceId } = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent, label: 'Bea' }), 'enroll, expiring in 3 s');
    // ('enrolled' may still be on its way: the expiry is the one awaited.)
    const event = await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      window.fg.addEventListener('change', (e) => {
        if (e.detail.reason === 'expired') resolve({ ...e.detail, afterMs: performance.now() - t0 });
      });
      setTimeout(() => resolve(null), 15_000);
    }));
    assert.ok(event, 'no expiry change event within 15 s');
    assert.equal(event.reason, 'expired');
    assert.deepEqual(event.references, [referenceId]);
    console.error(`package-privacy: 'change' fired ${event.afterMs.toFixed(0)} ms after listening, with no call`);
    assert.deepEqual(ok(await pageCall(page, 'list', null), 'list'), []);
    const log = ok(await pageCall(page, 'auditLog', null), 'auditLog');
    assert.ok(log.some((e) => e.event === 'expired' && e.reference === referenceId));
  });

  it('refuses weak export passphrases with a reason, generates strong ones, and refuses bidi labels', async () => {
    const weak = await pageCall(page, 'exportGallery', null, 'password123');
    rejectsWith(weak, 'passphraseRejected', 'a weak passphrase');
    assert.match(weak.error.message, /too easy to guess/);
    const generated = ok(await pageCall(page, 'generatePassphrase', null), 'generatePassphrase');
    assert.equal(generated.split(' ').length, 6);
    const exported = await pageCall(page, 'exportGallery', null, generated);
    const file = ok(exported, 'export with a generated passphrase');
    assert.equal(Object.keys(file).length, 98 + 16 * 1024 + 16, 'padded to the first bucket');
    const imported = await page.evaluate(async (passphrase) => {
      const bytes = await window.fg.exportGallery(passphrase);
      const t0 = performance.now();
      const report = await window.fg.importGallery(bytes, passphrase);
      return { ms: performance.now() - t0, report };
    }, generated);
    assert.equal(imported.report.alreadyPresent + imported.report.added, 0, 'the gallery was empty (its one reference expired)');
    console.error(`package-privacy: in the browser (wasm, default KDF 32 MiB x 3): export ${exported.ms.toFixed(0)} ms, import ${imported.ms.toFixed(0)} ms`);
    const bidi = await pageCall(page, 'enroll', photo('person_a_1.jpg'), { consent: selfConsent(), label: 'Ana\u202Egpj.exe' });
    rejectsWith(bidi, 'formatCharacter', 'a label with U+202E');
    assert.match(bidi.error.message, /U\+202E/);
  });

  it('sent no template-like data to the page, no request off the host, no page error', async () => {
    assert.deepEqual((await spy()).violations, []);
    assertOnlyLocalRequests(opened.requests, 'from the privacy page');
    assert.deepEqual(opened.pageErrors, []);
  });
});
