// When the engine stops: a WebAssembly trap inside it, made here for real. A test worker (the
// package's own worker plus a trap armed from the page) fills the wasm memory right before one
// call into the engine (grows it to the browser's limit, then takes every free block), so that the
// engine's next allocation fails, which Rust turns into a trap
// (`unreachable`) while wasm-bindgen holds its borrow of the core: the state a trap leaves, in
// which every later call used to fail with "recursive use of an object". The package must never
// call that engine again: it starts a fresh worker from the files it already verified, runs the
// calls that were waiting on it, says what was erased, and gives up after a few stops.
// And, since the recovery adds handlers that reach the FaceGate: one dropped without dispose()
// is still collected, its worker ended. Headless Chromium (its wasm memory limited to 1 GiB,
// `gc()` exposed), one thread, the packed npm package from a plain page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import {
  assertNearNative, CHROMIUM, CHROMIUM_ARGS, copyFixtures, installTarball, makeTempDir, nativeSimilarity, ok, openPage, packageTarball,
  pageCall, rejectsWith, removeDir, selfConsent, serveDir, timer, waitForApi, writePlainPage,
} from './helpers.mjs';

const PHOTOS = ['person_b_1.jpg', 'person_b_2.jpg'];
// The browser's limit on a wasm memory here (V8's --wasm-max-mem-pages, 64 KiB pages): 1 GiB,
// so that filling the memory and scanning it stay quick.
const MAX_MEMORY_PAGES = 16384;
const MAX_MEMORY_BYTES = MAX_MEMORY_PAGES * 65536;
const photo = (name, kind = 'blob') => ({ url: `/fixtures/${name}`, kind });

// The test worker. Armed over the 'facegate-trap' BroadcastChannel by the page (which answers
// the first worker's hello only, unless told to arm every one): `{ method, call, holdMs }` makes
// call number `call` of `method` fill the memory (after holding the thread `holdMs`, so that
// the page's next calls queue up behind it) and then run as usual, into the trap.
const TRAP_WORKER = `
import { FaceGateCore, initSync } from './node_modules/facegate/wasm/facegate.js';
import './node_modules/facegate/worker.js';

const channel = new BroadcastChannel('facegate-trap');
let armed = null;
channel.onmessage = ({ data }) => { if (data?.arm) armed = { ...data.arm, seen: 0 }; };
channel.postMessage({ hello: true });

/**
 * Leaves the engine's allocator nothing: grows the memory until it cannot grow, then takes
 * every free block the allocator still has, largest first (the wasm's own malloc export; the
 * one that fails traps here, outside the engine, which changes nothing).
 */
function fillMemory(wasm) {
  for (let pages = 16384; pages >= 1;) {
    try { wasm.memory.grow(pages); } catch { pages = Math.floor(pages / 2); }
  }
  for (let size = 2 ** 30; size >= 8;) {
    try { wasm.__wbindgen_malloc_command_export(size, 8); } catch { size = Math.floor(size / 2); }
  }
  return wasm.memory.buffer.byteLength;
}

/** Whether every byte of the memory is zero. */
function allZero(memory) {
  const words = new BigUint64Array(memory.buffer);
  for (let i = 0; i < words.length; i += 1) if (words[i] !== 0n) return false;
  return true;
}

for (const method of ['warmUpNext', 'verify']) {
  const original = FaceGateCore.prototype[method];
  FaceGateCore.prototype[method] = function (...args) {
    if (!(armed?.method === method && ++armed.seen === armed.call)) return original.apply(this, args);
    const { holdMs = 0 } = armed;
    armed = null;
    const until = performance.now() + holdMs;
    while (performance.now() < until);
    const wasm = initSync();
    const { memory } = wasm;
    // Whether the engine's memory holds something, to show it is there before and gone after.
    const heldBefore = !allZero(memory);
    const memoryBytes = fillMemory(wasm);
    try {
      return original.apply(this, args);
    } finally {
      // After the package's worker saw the trap (this runs once the exception went past it).
      setTimeout(() => channel.postMessage({ trapping: method, memoryBytes, heldBefore, zeroAfter: allZero(memory) }), 0);
    }
  };
}
`;

describe('facegate npm package, when the engine stops (a real wasm trap)', () => {
  let dir;
  let site;
  let browser;
  const native = {};

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    dir = makeTempDir('engine-stop');
    installTarball(dir, tarball.path);
    copyFixtures(join(dir, 'fixtures'), PHOTOS);
    writePlainPage(dir, 'facegate, engine stop');
    writeFileSync(join(dir, 'trap-worker.js'), TRAP_WORKER);
    site = await serveDir(dir);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, `--js-flags=--wasm-max-mem-pages=${MAX_MEMORY_PAGES} --expose-gc`],
    });
    native.b = nativeSimilarity('person_b_1.jpg', 'person_b_2.jpg');
    console.error(`package-engine-stop: set-up ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  /**
   * A fresh page whose FaceGate (`window.fg`, one thread) runs on the trap worker, armed with
   * `arm` (every worker when `everyWorker`). The page counts the workers made (`window.workers`)
   * and records the trap worker's messages (`window.trapMessages`) and the FaceGate's
   * 'restarted' and 'change' events (`window.events`). Returns the page; `load` is what the page
   * did right after load resolved when `early` (`{ consent }`) is given: a detect, an enroll and a
   * list made at once, each `{ ok, result }` or `{ ok: false, code, message }`. `options` go
   * to `FaceGate.load`.
   */
  async function openArmed(arm, { everyWorker = false, early = null, options = {} } = {}) {
    const opened = await openPage(browser);
    const { page } = opened;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    const load = await page.evaluate(async ({ arm, everyWorker, early, options }) => {
      window.workers = 0;
      const PageWorker = window.Worker;
      window.Worker = class extends PageWorker {
        constructor(...args) {
          super(...args);
          window.workers += 1;
        }
      };
      window.trapMessages = [];
      window.events = [];
      const channel = new BroadcastChannel('facegate-trap');
      let hellos = 0;
      channel.onmessage = ({ data }) => {
        window.trapMessages.push(data);
        if (data?.hello && (everyWorker || ++hellos === 1)) channel.postMessage({ arm });
      };
      window.fg = await window.FaceGate.load({ ...options, workerUrl: new URL('./trap-worker.js', location.href).href, threads: 1 });
      for (const type of ['restarted', 'change']) window.fg.addEventListener(type, (e) => window.events.push({ type, ...e.detail }));
      if (!early) return {};
      // Made at once, while the first warm-up step holds the worker: they reach its queue behind
      // that step, after the engine stopped, and come back unrun for the new worker (a photo as
      // a Blob goes to the worker as it is, with no size check first).
      const settle = (p) => p.then((result) => ({ ok: true, result }), (e) => ({ ok: false, code: e?.code, message: String(e?.message ?? e) }));
      const blob = await (await fetch('/fixtures/person_b_1.jpg')).blob();
      const calls = [settle(window.fg.detect(blob)), settle(window.fg.enroll(blob, { consent: early.consent, label: 'early' })), settle(window.fg.list())];
      const [detected, enrolled, listed] = await Promise.all(calls);
      return { detected, enrolled, listed };
    }, { arm, everyWorker, early, options });
    return { page, opened, load };
  }

  /**
   * The trap worker's report of the trap in `method`, once it came: the memory's size when full,
   * and whether it held something before and only zeros after the package's worker saw the trap.
   */
  async function trapReport(page, method) {
    await page.waitForFunction((method) => window.trapMessages.some((m) => m.trapping === method), method, { timeout: 60_000 });
    const report = await page.evaluate((method) => window.trapMessages.find((m) => m.trapping === method), method);
    assert.ok(report.memoryBytes <= MAX_MEMORY_BYTES, `the memory grew to ${report.memoryBytes} bytes: the browser's limit did not apply`);
    assert.equal(report.heldBefore, true, 'the engine\'s memory held nothing before the trap');
    assert.equal(report.zeroAfter, true, 'the stopped engine\'s memory was not overwritten with zeros');
    return report;
  }

  /** Waits until the page saw `n` 'restarted' events; returns the events. */
  async function restarts(page, n) {
    await page.waitForFunction((n) => window.events.filter((e) => e.type === 'restarted').length >= n, n, { timeout: 60_000 });
    return page.evaluate(() => window.events);
  }

  it('a trap in a background warm-up step: the calls waiting on it run on a fresh engine, and nothing is lost', async () => {
    const { page, opened, load } = await openArmed({ method: 'warmUpNext', call: 1, holdMs: 400 }, { early: { consent: selfConsent() } });
    try {
      await trapReport(page, 'warmUpNext');
      const events = await restarts(page, 1);
      const [restarted] = events.filter((e) => e.type === 'restarted');
      assert.match(restarted.cause, /RuntimeError/, 'the cause names the trap');
      assert.equal(restarted.referencesErased, 0);
      assert.ok(restarted.restartMs > 0, 'the restart took some time');
      console.error(`package-engine-stop: restarted in ${Math.round(restarted.restartMs)} ms after ${restarted.cause}`);
      assert.deepEqual(events.filter((e) => e.reason === 'restarted'), [], 'no reference was held, so no erasure is announced');
      // The calls made at once did not fail: they ran on the new engine.
      assert.ok(load.detected.ok, `detect made right after load failed: ${load.detected.code}: ${load.detected.message}`);
      assert.equal(load.detected.result.faces.length, 1, 'detect found the one face');
      assert.ok(load.enrolled.ok, `enroll made right after load failed: ${load.enrolled.code}: ${load.enrolled.message}`);
      assert.ok(load.listed.ok, `list made right after load failed: ${load.listed.code}: ${load.listed.message}`);
      // The enrolment sent back ran once, on the new engine. (The list may have reached the
      // worker first: a photo is read before it is sent, a list is sent at once.)
      assert.deepEqual(ok(await pageCall(page, 'list', null), 'list later').map((r) => r.id), [load.enrolled.result.referenceId]);
      // The stopped engine is never called again: what follows works, on the second worker.
      const { referenceId } = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent: selfConsent(), label: 'B' }), 'enroll after the stop');
      const v = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), referenceId), 'verify after the stop');
      assert.equal(ok(await pageCall(page, 'list', null), 'list at the end').length, 2, 'the early reference and this one');
      assert.equal(v.likelySamePerson, true);
      assertNearNative(v.similarity, native.b, 'verify B2 against B1 on the new engine');
      assert.equal(await page.evaluate(() => window.workers), 2, 'one worker, replaced once');
      assert.deepEqual(opened.pageErrors, [], 'no uncaught error in the page');
    } finally {
      await page.close();
    }
  });

  it('a trap during verify with a reference held: verify rejects with engineRestarted, the reference is erased and said to be, and the next calls work', async () => {
    const { page } = await openArmed({ method: 'verify', call: 1 });
    try {
      const { referenceId } = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent: selfConsent(), label: 'B' }), 'enroll');
      const failed = await pageCall(page, 'verify', photo('person_b_2.jpg'), referenceId);
      rejectsWith(failed, 'engineRestarted', 'verify into a trap');
      assert.match(failed.error.message, /did not complete/);
      assert.match(failed.error.message, /reference it held was erased/);
      await trapReport(page, 'verify');
      const events = await restarts(page, 1);
      const restarted = events.find((e) => e.type === 'restarted');
      assert.match(restarted.cause, /RuntimeError/, 'the cause names the trap');
      assert.equal(restarted.referencesErased, 1);
      assert.deepEqual(events.filter((e) => e.type === 'change').map((e) => e.reason), ['enrolled', 'restarted'], 'the erasure is announced as a change');
      assert.deepEqual(ok(await pageCall(page, 'list', null), 'list after the stop'), [], 'the new engine holds nothing');
      rejectsWith(await pageCall(page, 'verify', photo('person_b_2.jpg'), referenceId), 'unknownReference', 'verify against the erased reference');
      const again = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent: selfConsent(), label: 'B' }), 'enroll again');
      const v = ok(await pageCall(page, 'verify', photo('person_b_2.jpg'), again.referenceId), 'verify on the new engine');
      assertNearNative(v.similarity, native.b, 'verify B2 against B1 on the new engine');
      assert.equal(await page.evaluate(() => window.workers), 2, 'one worker, replaced once');
    } finally {
      await page.close();
    }
  });

  it('the teaching view\'s cap holds across a stop: the new engine counts the faces the stopped one explained', async () => {
    const { page } = await openArmed({ method: 'verify', call: 1 }, { options: { teaching: { maxExplanations: 1 } } });
    try {
      const explained = ok(await pageCall(page, 'explain', photo('person_b_1.jpg'), { consent: selfConsent() }), 'explain');
      assert.equal(explained.explanationsLeft, 0);
      const { referenceId } = ok(await pageCall(page, 'enroll', photo('person_b_1.jpg'), { consent: selfConsent(), label: 'B' }), 'enroll');
      rejectsWith(await pageCall(page, 'verify', photo('person_b_2.jpg'), referenceId), 'engineRestarted', 'verify into a trap');
      await restarts(page, 1);
      rejectsWith(await pageCall(page, 'explain', photo('person_b_2.jpg'), { consent: selfConsent() }), 'explanationCapReached', 'a second explain after the stop');
    } finally {
      await page.close();
    }
  });

  it('an engine that stops again and again: after three restarts every call fails with workerFailed', async () => {
    const { page } = await openArmed({ method: 'warmUpNext', call: 1 }, { everyWorker: true });
    try {
      await restarts(page, 3);
      await page.waitForFunction(() => window.trapMessages.filter((m) => m.trapping).length >= 4, null, { timeout: 60_000 });
      const listed = await (async () => {
        for (let i = 0; i < 50; i += 1) {
          const call = await pageCall(page, 'list', null);
          if (!call.ok) return call;
          await new Promise((r) => setTimeout(r, 100));
        }
        return null;
      })();
      assert.ok(listed, 'calls kept succeeding after the fourth stop');
      rejectsWith(listed, 'workerFailed', 'a call after the fourth stop');
      assert.match(listed.error.message, /stopped 4 times/);
      assert.equal(await page.evaluate(() => window.workers), 4, 'the first worker and three replacements, no more');
    } finally {
      await page.close();
    }
  });

  it('a FaceGate dropped without dispose() is still collected and its worker ended: no handler holds it', async () => {
    const opened = await openPage(browser);
    const { page } = opened;
    try {
      const ended = new Promise((resolve) => {
        page.on('worker', (w) => {
          if (w.url().endsWith('/facegate/worker.js')) w.on('close', () => resolve(true));
        });
      });
      await page.goto(`${site.origin}/`);
      await waitForApi(page, opened);
      await page.evaluate(async () => {
        let fg = await window.FaceGate.load({ threads: 1 });
        const photo = await (await fetch('/fixtures/person_b_1.jpg')).blob();
        fg.addEventListener('restarted', () => {});
        await fg.list();
        await fg.detect(photo);
        fg = null;
      });
      // Collect until the FinalizationRegistry ends the worker (or 20 s pass).
      const collecting = page.evaluate(async () => {
        for (let i = 0; i < 200 && !window.stopCollecting; i += 1) {
          window.gc();
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      const result = await Promise.race([ended, new Promise((r) => setTimeout(() => r(false), 20_000))]);
      await page.evaluate(() => { window.stopCollecting = true; });
      await collecting;
      assert.equal(result, true, 'the worker of a dropped FaceGate was never ended: something still holds the FaceGate');
    } finally {
      await page.close();
    }
  });
});
