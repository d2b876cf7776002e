// The browser soak: enroll / verify / withdraw cycles through the npm package's public API in
// headless Chromium, measuring memory as it goes. Used by benches/soak/run.mjs (1000 cycles,
// the figure and numbers in docs/hostile-inputs.md) and tests/browser/soak.test.mjs (a short run
// in CI).
//
// What is measured, every `every` cycles (after a forced garbage collection in page and worker):
//   wasmBytes      the wasm linear memory (WebAssembly.Memory.buffer.byteLength) of the worker's
//                  module instance, read in the worker through the wasm-bindgen glue's initSync(),
//                  which returns the already-initialised instance's exports (nothing is added to
//                  the package, and no template is read: only the memory's size)
//   workerHeap     the worker's JS heap in use (CDP Runtime.getHeapUsage on the worker target)
//   pageHeap       the page's JS heap in use (CDP Runtime.getHeapUsage on the page)
//   externrefs     JS values the wasm module holds handles to (live slots of wasm-bindgen's
//                  externref table) and the table's length
//   workers        facegate workers alive in the page (not counting a thread pool's)
//   references     what fg.list() holds (0 after each withdraw)
//   auditEvents    fg.auditLog().length (grows by design: 4 events a cycle)
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  CHROMIUM, CHROMIUM_ARGS, copyFixtures, installTarball, makeTempDir, removeDir, selfConsent, serveDir, writePlainPage,
} from '../../tests/browser/helpers.mjs';
import { addReference, checkPhoto, giveConsent, myData, openApp, serveWww } from '../../tests/browser/page-helpers.mjs';

export const ENROLL_PHOTO = 'person_a_1.jpg';
export const PROBE_PHOTO = 'person_a_2.jpg';

/**
 * Sets up a served page with the installed package in a fresh Chromium profile.
 * Returns `{ page, context, cdp, close }`.
 */
export async function openSoakPage(tarball) {
  const dir = makeTempDir('soak');
  installTarball(dir, tarball);
  copyFixtures(join(dir, 'fixtures'), [ENROLL_PHOTO, PROBE_PHOTO]);
  writePlainPage(dir, 'facegate soak');
  const site = await serveDir(dir);
  const profile = makeTempDir('soak-profile');
  // --expose-gc: the page and the worker get gc(), so that heaps are measured after collection.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.origin}/`);
  await page.waitForFunction(() => window.FaceGate || window.importError, null, { timeout: 30_000 });
  const cdp = await context.newCDPSession(page);
  const close = async () => {
    await context.close().catch(() => {});
    await site.close();
    removeDir(profile);
    removeDir(dir);
  };
  return { page, context, cdp, errors, close, origin: site.origin };
}

/** A CDP channel to the page's dedicated worker (non-flattened auto-attach). */
async function workerChannel(cdp) {
  const sessions = [];
  const pending = new Map();
  let next = 1;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') sessions.push(e.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    const resolve = pending.get(m.id);
    if (resolve) {
      pending.delete(m.id);
      resolve(m);
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const deadline = Date.now() + 10_000;
  while (!sessions.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (!sessions.length) throw new Error('no worker target to attach to');
  const call = (method, params = {}) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
    cdp.send('Target.sendMessageToTarget', { sessionId: sessions[0], message: JSON.stringify({ id, method, params }) }).catch(reject);
  });
  return { call, count: () => sessions.length };
}

/** What the gallery holds, through the API (`window.fg` of the test page). */
function apiHeld(page) {
  return page.evaluate(async () => ({ references: (await window.fg.list()).length, auditEvents: (await window.fg.auditLog()).length }));
}

/** One memory sample (see the top of this file). */
async function sample(page, cdp, worker, cycle, ms, heldNow = apiHeld) {
  // The API calls first: their first use with data creates a few long-lived JS values once,
  // which must not be counted as growth between two samples.
  const held = await heldNow(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await worker.call('HeapProfiler.collectGarbage');
  const pageHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const workerHeap = (await worker.call('Runtime.getHeapUsage')).usedSize;
  // facegate's worker (the threaded build's pool runs in nested workers sharing its memory).
  const facegateWorkers = page.workers().filter((w) => w.url().endsWith('/worker.js'));
  const threaded = page.workers().some((w) => w.url().includes('/wasm/threads/'));
  const wasm = await facegateWorkers[0].evaluate(async (glueFile) => {
    const glue = await import(new URL(glueFile, self.location.href).href);
    const exports = glue.initSync(); // the instance the worker already initialised
    const table = exports.__wbindgen_externrefs;
    let live = 0;
    for (let i = 0; i < table.length; i += 1) if (table.get(i) !== undefined && table.get(i) !== null) live += 1;
    return { bytes: exports.memory.buffer.byteLength, tableLength: table.length, live };
  }, threaded ? './wasm/threads/facegate.js' : './wasm/facegate.js');
  return {
    cycle,
    wasmBytes: wasm.bytes,
    workerHeap,
    pageHeap,
    externrefs: wasm.live,
    externrefTable: wasm.tableLength,
    workers: facegateWorkers.length,
    references: held.references,
    auditEvents: held.auditEvents,
    msPerCycle: ms,
  };
}

/**
 * Loads the package in the page and runs `cycles` enroll / verify / withdraw cycles, sampling
 * memory before the first and every `every` cycles. Enrolment takes the photo as a Blob (a file
 * upload); verification takes the probe as ImageData (a camera frame). Every verification must
 * say "likely the same person". `onSample(s)` is called with each sample.
 * Returns `{ samples, loadMs, build, browser }`.
 */
export async function soak({ page, cdp }, { cycles, every, onSample = () => {} }) {
  const loaded = await page.evaluate(async ({ enroll, probe }) => {
    const t0 = performance.now();
    window.fg = await window.FaceGate.load();
    const loadMs = performance.now() - t0;
    window.soakEnroll = await (await fetch(`/fixtures/${enroll}`)).blob();
    const bitmap = await createImageBitmap(await (await fetch(`/fixtures/${probe}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    window.soakProbe = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    bitmap.close();
    return { loadMs, build: window.fg.wasmBuild, browser: /Chrom(e|ium)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? navigator.userAgent };
  }, { enroll: ENROLL_PHOTO, probe: PROBE_PHOTO });
  const worker = await workerChannel(cdp);
  const samples = [];
  const take = async (cycle, ms) => {
    const s = await sample(page, cdp, worker, cycle, ms);
    samples.push(s);
    onSample(s);
  };
  await take(0, 0);
  const consent = selfConsent();
  for (let done = 0; done < cycles;) {
    const batch = Math.min(every, cycles - done);
    const result = await page.evaluate(async ({ batch, consent, start }) => {
      const t0 = performance.now();
      for (let i = 0; i < batch; i += 1) {
        const { referenceId } = await window.fg.enroll(window.soakEnroll, { consent, label: `soak ${start + i}` });
        const m = await window.fg.verify(window.soakProbe, referenceId);
        if (!m.likelySamePerson) return { error: `cycle ${start + i}: not matched (similarity ${m.similarity})` };
        await window.fg.withdraw(referenceId);
      }
      return { ms: (performance.now() - t0) / batch };
    }, { batch, consent, start: done });
    if (result.error) throw new Error(result.error);
    done += batch;
    await take(done, result.ms);
  }
  return { samples, loadMs: loaded.loadMs, build: loaded.build, browser: loaded.browser };
}

/**
 * Checks a soak: after the sample at `warmup` cycles, wasm linear memory and both JS heaps may
 * not grow by more than the tolerances, and no handle may leak (one worker, the same number of
 * live externref slots, no reference held). Returns a list of failures (empty when it passed).
 */
export function plateauProblems(samples, { warmup, wasmTolerance = 0, heapTolerance = 1 << 20 }) {
  const problems = [];
  const base = samples.find((s) => s.cycle >= warmup);
  if (!base) return [`no sample at or after the warm-up (${warmup} cycles)`];
  const after = samples.filter((s) => s.cycle >= base.cycle);
  const peak = (k) => Math.max(...after.map((s) => s[k]));
  const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;
  if (peak('wasmBytes') - base.wasmBytes > wasmTolerance) {
    problems.push(`wasm memory grew after warm-up: ${mib(base.wasmBytes)} at cycle ${base.cycle}, peak ${mib(peak('wasmBytes'))}`);
  }
  for (const k of ['workerHeap', 'pageHeap']) {
    const last = after.at(-1)[k];
    if (last - base[k] > heapTolerance) problems.push(`${k} grew after warm-up: ${mib(base[k])} -> ${mib(last)}`);
  }
  for (const s of after) {
    if (s.workers !== 1) problems.push(`cycle ${s.cycle}: ${s.workers} workers alive`);
    if (s.references !== 0) problems.push(`cycle ${s.cycle}: ${s.references} references held after withdraw`);
    if (s.externrefs !== base.externrefs) problems.push(`cycle ${s.cycle}: ${s.externrefs} live externref handles (${base.externrefs} after warm-up)`);
  }
  return problems;
}

/** The samples as an aligned text table. */
export function table(samples) {
  const mib = (b) => (b / 1048576).toFixed(2);
  const rows = [['cycle', 'wasm MiB', 'worker heap MiB', 'page heap MiB', 'externrefs', 'workers', 'refs', 'audit events', 'ms/cycle']];
  for (const s of samples) {
    rows.push([s.cycle, mib(s.wasmBytes), mib(s.workerHeap), mib(s.pageHeap), `${s.externrefs}/${s.externrefTable}`, s.workers, s.references, s.auditEvents, s.msPerCycle ? s.msPerCycle.toFixed(0) : '-']
      .map(String));
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
}

// ---------------------------------------------------------------------------------------------
// The page (www/) under the same soak, driven as a visitor does: a reference added from a file,
// a photo checked against it, the reference withdrawn in "My data".

/** Builds www/pkg if needed (scripts/demo.sh --build-only), serves www/, opens the page. */
export async function openWwwSoakPage() {
  const site = await serveWww();
  const profile = makeTempDir('soak-page-profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
  });
  const opened = await openApp(context, site.origin);
  const { page } = opened;
  const cdp = await context.newCDPSession(page);
  const close = async () => {
    await context.close().catch(() => {});
    await site.close();
    removeDir(profile);
  };
  return { page, context, cdp, errors: opened.pageErrors, close, origin: site.origin };
}

/** What the page shows it holds: rows of "My data" and entries of its audit log. */
function pageHeld(page) {
  return page.evaluate(() => ({
    references: document.querySelectorAll('#data-table tbody tr').length,
    auditEvents: document.querySelectorAll('#audit-log li').length,
  }));
}

/** As `soak`, through the page's UI. Returns `{ samples, browser }`. */
export async function soakThePage({ page, cdp }, { cycles, every, onSample = () => {} }) {
  await giveConsent(page, ['self']);
  const worker = await workerChannel(cdp);
  const samples = [];
  const take = async (cycle, ms) => {
    const s = await sample(page, cdp, worker, cycle, ms, pageHeld);
    samples.push(s);
    onSample(s);
  };
  await take(0, 0);
  for (let done = 0; done < cycles;) {
    const batch = Math.min(every, cycles - done);
    const t0 = Date.now();
    for (let i = 0; i < batch; i += 1) {
      const label = `soak ${done + i}`;
      await addReference(page, 'person_a_1.jpg', label);
      const result = await checkPhoto(page, 'person_a_2.jpg', label);
      if (result.outcome !== 'same') throw new Error(`cycle ${done + i}: ${result.text ?? result.error}`);
      const id = (await myData(page)).find((r) => r.label === label)?.id;
      await page.click(`#data-table tr[data-reference-id="${id}"] .withdraw`);
      await page.waitForFunction((ref) => !document.querySelector(`#data-table tr[data-reference-id="${ref}"]`), id);
    }
    done += batch;
    await take(done, (Date.now() - t0) / batch);
  }
  const browser = await page.evaluate(() => /Chrom(e|ium)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? navigator.userAgent);
  return { samples, browser, build: 'page' };
}
