// A kept detection leaves nothing behind in wasm memory (the packed npm package in headless
// Chromium). `detect(image, { keep: true })` keeps the decoded photo and its faces in the wasm
// core for the next call; the package claims it is wiped (pixels zeroised, boxes and landmarks
// zeroed) when it is used, whatever the outcome, when a third is kept, on eraseAll, and 60 s
// after it was made, by the worker's timer while the page is idle (npm/README.md, src/engine/held.rs).
//
// The test knows the exact bytes: it decodes tests/fixtures/person_b_1.jpg in the page and
// passes the ImageData (its RGBA bytes go to the core as they are), takes needles inside the
// face box (48-byte runs of the RGB the core holds, and of the RGBA it was given) and scans the
// worker's whole wasm linear memory for them (tests/browser/privacy-helpers.mjs):
// - right after detect with keep, every RGB needle is found (the scan can fail) and no RGBA one
//   (the input copy was wiped when the call returned);
// - after each way of wiping, no needle is found anywhere, and the handle gives unknownDetection.
// The 60 s expiry runs in a second page whose worker gets no call at all while the others run.
// docs/privacy/threat-model.md, TM-11. Before the fix in facegate-wasm/src/boundary.rs (the image
// is taken before the options are read), enroll with an invalid consent and verify of a malformed
// reference id left the kept photo in wasm memory, its handle still usable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import {
  copyFixtures, installTarball, launchBrowser, makeTempDir, ok, openPage, packageTarball, pageLoad, removeDir,
  selfConsent, serveDir, timer, waitForApi, writePlainPage,
} from './helpers.mjs';
import { facegateWorker, installWasmScanner, scanWasm } from './privacy-helpers.mjs';

const PHOTO = 'person_b_1.jpg';
const OTHERS = ['person_a_1.jpg', 'person_a_2.jpg'];
/** Bytes in a needle: 16 RGB pixels, or 12 RGBA ones. */
const NEEDLE_BYTES = 48;

describe('facegate npm package: a kept detection leaves no pixel in wasm memory', () => {
  let dir;
  let site;
  let browser;
  let main; // { page, worker, glue }: the cases that make calls
  let idle; // the expiry case: no call between detect and the scan
  let needles; // [{ kind: 'rgb' | 'rgba', at: [x, y], bytes }]
  let idleKept; // { detection, keptUntil } in the idle page
  let referenceId;

  /** Runs `fn(fg, arg)` in `page`; `{ ok, result }` or `{ ok: false, error: { code, message } }`. */
  function call(page, fn, arg) {
    return page.evaluate(`(async () => {
      try {
        return { ok: true, result: await (${fn.toString()})(window.fg, ${JSON.stringify(arg ?? null)}) };
      } catch (e) {
        return { ok: false, error: { code: e?.code, message: String(e?.message ?? e) } };
      }
    })()`);
  }

  async function openLoaded(teaching) {
    const opened = await openPage(browser);
    const { page } = opened;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    ok(await pageLoad(page, { teaching }), 'FaceGate.load');
    // The photo as ImageData: its RGBA bytes reach the core unchanged (image.js: an ImageData
    // that needs no downscaling is copied as it is).
    await page.evaluate(async (name) => {
      const bitmap = await createImageBitmap(await (await fetch(`/fixtures/${name}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(bitmap, 0, 0);
      window.photo = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    }, PHOTO);
    return attach(page);
  }

  /** The page's facegate worker with the scanner installed (again after a restart). */
  async function attach(page) {
    const threaded = await page.evaluate(() => window.fg.threads > 1);
    const glue = threaded ? './wasm/threads/facegate.js' : './wasm/facegate.js';
    const worker = await facegateWorker(page);
    await installWasmScanner(worker, glue);
    return { page, worker, glue };
  }

  /** Scans the worker's memory: `{ bytes, ms, hits, rgb, rgba, found }` (hits by kind, needles found). */
  async function scan(side, what) {
    const r = await scanWasm(side.worker, needles.map((n) => n.bytes));
    return summarise(r, what);
  }

  function summarise(r, what) {
    const rgb = r.hits.filter((h) => needles[h.needle].kind === 'rgb');
    const rgba = r.hits.filter((h) => needles[h.needle].kind === 'rgba');
    const found = new Set(r.hits.map((h) => h.needle));
    const where = r.hits.slice(0, 12).map((h) => `${needles[h.needle].kind}#${h.needle}@0x${h.offset.toString(16)}`).join(' ');
    console.error(`  ${what}: ${rgb.length} RGB and ${rgba.length} RGBA hits in ${(r.bytes / 2 ** 20).toFixed(1)} MiB (${r.ms} ms)${where ? `: ${where}` : ''}`);
    return { ...r, rgb, rgba, found };
  }

  function assertControl(s, what) {
    const rgbNeedles = needles.map((n, i) => [n, i]).filter(([n]) => n.kind === 'rgb');
    const missing = rgbNeedles.filter(([, i]) => !s.found.has(i)).map(([n]) => n.at.join(','));
    assert.deepEqual(missing, [], `${what}: the kept image's RGB rows must be found (the scan works), missing at ${missing.join(' ')}`);
    assert.equal(s.rgba.length, 0, `${what}: the RGBA input copy was wiped when detect returned, yet found at ${s.rgba.map((h) => h.offset).join(', ')}`);
  }

  function assertClean(s, what) {
    assert.equal(s.hits.length, 0, `${what}: ${s.hits.length} needle(s) of the photo left in wasm memory at ${s.hits.map((h) => `${needles[h.needle].kind}@${h.offset}`).join(', ')}`);
  }

  /** detect(photo, { keep: true }) in `side`'s page: `{ detection, keptUntil, faces }`. */
  async function keep(side) {
    return ok(await call(side.page, (fg) => fg.detect(window.photo, { keep: true })), 'detect with keep');
  }

  /** Keeps the photo and checks the control scan; returns the handle. */
  async function keptAndFound(side, what) {
    const d = await keep(side);
    assertControl(await scan(side, `${what}: after detect with keep`), what);
    return d.detection;
  }

  async function assertUnknown(side, detection, what) {
    const r = await call(side.page, (fg, detection) => fg.identify({ detection }), detection);
    assert.equal(r.ok, false, `${what}: the handle still works: ${JSON.stringify(r.result)?.slice(0, 200)}`);
    assert.equal(r.error.code, 'unknownDetection', `${what}: ${r.error.message}`);
  }

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    for (const w of tarball.warnings) console.error(`warning: ${w}`);
    dir = makeTempDir('residue');
    installTarball(dir, tarball.path);
    copyFixtures(join(dir, 'fixtures'), [PHOTO, ...OTHERS]);
    writePlainPage(dir, 'facegate, residue');
    site = await serveDir(dir);
    browser = await launchBrowser();

    // The idle page first, so that its 60 s run while the other cases do.
    idle = await openLoaded(false);
    const d = ok(await call(idle.page, (fg) => fg.detect(window.photo, { keep: true })), 'idle: detect with keep');
    assert.equal(d.faces.length, 1, 'one face in the photo');
    idleKept = { detection: d.detection, keptUntil: d.keptUntil };
    // Needles inside the face box, from the very bytes given: rows at 30..70 % of its height.
    needles = await idle.page.evaluate(({ bbox, n }) => {
      const { data, width } = window.photo;
      const out = [];
      for (const fy of [0.3, 0.4, 0.5, 0.6, 0.7]) {
        for (const fx of [0.25, 0.5]) {
          const x = Math.round(bbox.x + fx * bbox.width);
          const y = Math.round(bbox.y + fy * bbox.height);
          const at = (y * width + x) * 4;
          const rgba = Array.from(data.subarray(at, at + n));
          const rgb = [];
          for (let i = at; rgb.length < n; i += 4) rgb.push(data[i], data[i + 1], data[i + 2]);
          out.push({ kind: 'rgb', at: [x, y], bytes: rgb }, { kind: 'rgba', at: [x, y], bytes: rgba });
        }
      }
      return out;
    }, { bbox: d.faces[0].bbox, n: NEEDLE_BYTES });
    for (const n of needles) {
      assert.ok(new Set(n.bytes).size >= 8, `needle ${n.kind} at ${n.at} is too plain to be found by chance only: ${n.bytes}`);
    }
    assertControl(await scan(idle, 'idle page: after detect with keep'), 'idle page');

    main = await openLoaded(true);
    const ref = ok(await call(main.page, async (fg, consent) => fg.enroll(await (await fetch('/fixtures/person_a_1.jpg')).blob(), { consent, label: 'a' }), selfConsent()), 'enroll person_a_1');
    referenceId = ref.referenceId;
    console.error(`package-residue: set-up ${elapsed()}, kept until ${new Date(idleKept.keptUntil).toISOString()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  it('TM-11 a detection that is not kept leaves nothing once detect returns', async () => {
    ok(await call(main.page, (fg) => fg.detect(window.photo)), 'detect');
    assertClean(await scan(main, 'detect without keep'), 'detect without keep');
  });

  it('TM-11 used by verify, identify, explain or enroll: wiped, whatever the outcome (a call refused for its options too)', async () => {
    const uses = {
      verify: [(fg, { detection, referenceId }) => fg.verify({ detection }, referenceId), true],
      identify: [(fg, { detection }) => fg.identify({ detection }), true],
      explain: [(fg, { detection, consent }) => fg.explain({ detection }, { consent }), true],
      'enroll without consent (refused: consentRequired)': [(fg, { detection }) => fg.enroll({ detection }, { label: 'b' }), false],
      'verify of an unknown reference (refused: unknownReference)': [(fg, { detection }) => fg.verify({ detection }, 'ffffffffffffffff'), false],
      'enroll with an invalid consent (refused: consentInvalid)': [(fg, { detection }) => fg.enroll({ detection }, { label: 'b', consent: { subject: 'self', purpose: 'nope', consentText: 'x' } }), false],
      'verify of a malformed reference id (refused)': [(fg, { detection }) => fg.verify({ detection }, 'not-an-id'), false],
    };
    const consent = { subject: 'self', purpose: { other: 'learn how face matching works' }, consentText: 'I agree that facegate shows this face\'s template here.' };
    const failures = [];
    for (const [what, [use, succeeds]] of Object.entries(uses)) {
      const detection = await keptAndFound(main, what);
      const r = await call(main.page, use, { detection, referenceId, consent });
      assert.equal(r.ok, succeeds, `${what}: ${JSON.stringify(r.ok ? r.result : r.error)?.slice(0, 300)}`);
      const s = await scan(main, `${what} (${r.ok ? 'ok' : r.error.code})`);
      const again = await call(main.page, (fg, detection) => fg.identify({ detection }), detection);
      if (s.hits.length || again.error?.code !== 'unknownDetection') {
        failures.push(`${what}: ${s.hits.length} needle hit(s) left, handle then gives ${again.ok ? 'a result' : again.error.code}`);
      }
      // A handle that still worked was used up by that identify: the next case starts clean.
    }
    assert.deepEqual(failures, [], 'a used detection is wiped whatever the outcome');
  });

  it('TM-11 a third kept detection replaces the oldest, which is wiped', async () => {
    const oldest = await keptAndFound(main, 'replaced');
    for (const name of OTHERS) {
      ok(await call(main.page, async (fg, name) => fg.detect(await (await fetch(`/fixtures/${name}`)).blob(), { keep: true }), name), `detect ${name} with keep`);
    }
    assertClean(await scan(main, 'after two newer detections were kept'), 'replaced');
    await assertUnknown(main, oldest, 'replaced');
  });

  it('TM-11 eraseAll wipes it in the core before the worker is ended', async () => {
    const detection = await keptAndFound(main, 'eraseAll');
    await main.worker.evaluate((needles) => self.hookEraseAll(needles), needles.map((n) => n.bytes));
    const erased = ok(await call(main.page, (fg) => fg.eraseAll()), 'eraseAll');
    assert.ok(erased.residueScan, 'the scan ran in the old worker right after the core erased');
    assertClean(summarise(erased.residueScan, 'eraseAll: the old worker, right after the core erased'), 'eraseAll');
    main = await attach(main.page);
    assertClean(await scan(main, 'eraseAll: the new worker'), 'eraseAll, new worker');
    await assertUnknown(main, detection, 'eraseAll');
  });

  it('TM-11 after 60 s with no call, the worker timer wipes it', { timeout: 3 * 60_000 }, async () => {
    const wait = idleKept.keptUntil + 1500 - Date.now();
    console.error(`  waiting ${(Math.max(0, wait) / 1000).toFixed(1)} s for the kept detection to expire`);
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    assertClean(await scan(idle, 'idle page: 60 s after detect with keep, no call made'), 'expiry');
    await assertUnknown(idle, idleKept.detection, 'expiry');
  });
});
