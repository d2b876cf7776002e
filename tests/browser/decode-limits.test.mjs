// facegate's own checks before the browser decodes or reads any pixel (rows 56 to 59 of
// docs/hostile-inputs.md): the packed npm package in headless Chromium, every input path (File,
// Blob, bytes, ImageBitmap, canvas, OffscreenCanvas, ImageData, <img>, <video>, VideoFrame) with
// an image past the limits and with a JPEG of 20,001 scans. Each is refused with its typed
// error, quickly, and the worker's wasm memory does not grow by a byte. A legal 49-megapixel
// photo is decoded by the browser at 2048 px and its results come back in its own pixels.
// Every file is generated here (tests/browser/hostile-images.mjs, or in the page from the
// fixture photos).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  copyFixtures, installTarball, launchBrowser, makeTempDir, ok, openPage, packageTarball, pageLoad,
  removeDir, serveDir, timer, waitForApi, writePlainPage,
} from './helpers.mjs';
import { hugePng, manyScanJpeg } from './hostile-images.mjs';

const PHOTOS = ['person_a_1.jpg', 'person_a_2.jpg'];
/** A refusal from the header or a size must not take long (the old path took 7 s and 1.25 GiB). */
const REFUSAL_MS = 2000;
const MiB = 1024 * 1024;

describe('facegate npm package: checks before the browser decodes', () => {
  let dir;
  let site;
  let browser;
  let page;

  /** Runs `fn(fg, helpers)` in the page (see installHelpers). */
  function inPage(fn, arg) {
    return page.evaluate(`(${fn.toString()})(window.fg, window.limitHelpers, ${JSON.stringify(arg ?? null)})`);
  }

  /** The worker's wasm linear memory in bytes (read through the glue: the size only). */
  async function wasmBytes() {
    // The facegate worker (in the threaded build, its pool's nested workers share its memory).
    const workers = page.workers().filter((w) => w.url().endsWith('/worker.js'));
    assert.equal(workers.length, 1, `one facegate worker: ${page.workers().map((w) => w.url()).join(', ')}`);
    const threaded = await page.evaluate(() => window.fg.threads > 1);
    return workers[0].evaluate(async (glueFile) => {
      const glue = await import(new URL(glueFile, self.location.href).href);
      return glue.initSync().memory.buffer.byteLength;
    }, threaded ? './wasm/threads/facegate.js' : './wasm/facegate.js');
  }

  function installHelpers() {
    return page.evaluate(() => {
      // `{ ok, ms, result }` or `{ ok: false, ms, error: { code, message, isFaceGateError } }`.
      const attempt = async (f) => {
        const t0 = performance.now();
        try {
          const result = await f();
          return { ok: true, ms: performance.now() - t0, result };
        } catch (e) {
          return { ok: false, ms: performance.now() - t0, error: { code: e?.code, name: e?.name, message: String(e?.message ?? e), isFaceGateError: e instanceof window.FaceGateError } };
        }
      };
      const blob = async (path) => (await fetch(path)).blob();
      const bytes = async (path) => new Uint8Array(await (await blob(path)).arrayBuffer());
      const img = async (url) => {
        const el = new Image();
        el.src = url;
        await new Promise((resolve) => { el.onload = resolve; el.onerror = resolve; });
        return el;
      };
      window.limitHelpers = { attempt, blob, bytes, img };
    });
  }

  function refused(r, code, what) {
    assert.equal(r.ok, false, `${what}: should be refused with ${code}, got ${JSON.stringify(r.result)?.slice(0, 200)}`);
    assert.equal(r.error.code, code, `${what}: code (message: ${r.error.message})`);
    assert.equal(r.error.isFaceGateError, true, `${what}: not a FaceGateError (${r.error.name})`);
    assert.ok(r.ms < REFUSAL_MS, `${what}: refused in ${r.ms.toFixed(0)} ms, more than ${REFUSAL_MS} ms`);
  }

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    for (const w of tarball.warnings) console.error(`warning: ${w}`);
    dir = makeTempDir('decode-limits');
    installTarball(dir, tarball.path);
    copyFixtures(join(dir, 'fixtures'), PHOTOS);
    mkdirSync(join(dir, 'gen'));
    writeFileSync(join(dir, 'gen/huge.png'), hugePng(16384, 16384)); // 268 MP in 33 KB
    writeFileSync(join(dir, 'gen/over.png'), hugePng(8000, 6251)); // 50.008 MP: one pixel row too many
    writeFileSync(join(dir, 'gen/scans.jpg'), manyScanJpeg({ size: 1024, scans: 20_001 }));
    writePlainPage(dir, 'facegate, checks before decoding');
    site = await serveDir(dir);
    browser = await launchBrowser();
    const opened = await openPage(browser);
    page = opened.page;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    ok(await pageLoad(page, { teaching: true }), 'FaceGate.load'); // teaching: explain's crop transform is checked too
    await installHelpers();
    console.error(`decode-limits: set-up ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  it('56 files past the limits or of 20,001 scans, as File, Blob, bytes or ArrayBuffer, are refused from their bytes', async () => {
    const before = await wasmBytes();
    const r = await inPage(async (fg, { attempt, blob, bytes }) => {
      const out = {};
      for (const name of ['huge.png', 'over.png', 'scans.jpg']) {
        const b = await blob(`/gen/${name}`);
        const type = name.endsWith('png') ? 'image/png' : 'image/jpeg';
        out[`${name} File`] = await attempt(() => fg.detect(new File([b], name, { type })));
        out[`${name} Blob`] = await attempt(() => fg.detect(b));
        out[`${name} bytes`] = await attempt(async () => fg.detect(await bytes(`/gen/${name}`)));
        out[`${name} ArrayBuffer`] = await attempt(async () => fg.detect((await bytes(`/gen/${name}`)).buffer));
      }
      // A photo cut short (its last 3 bytes, with the end-of-image marker, missing): Chromium
      // would decode it with the missing part grey; facegate refuses it, as natively.
      const photo = await bytes('/fixtures/person_a_2.jpg');
      out['truncated.jpg Blob'] = await attempt(() => fg.detect(new Blob([photo.subarray(0, photo.length - 3)])));
      return out;
    });
    const codes = { huge: 'imageTooLarge', over: 'imageTooLarge', scans: 'imageTooComplex', truncated: 'imageDecode' };
    for (const [what, call] of Object.entries(r)) {
      refused(call, codes[what.split('.')[0]], what);
      console.error(`  ${what}: ${call.error.code} in ${call.ms.toFixed(1)} ms`);
    }
    assert.match(r['scans.jpg Blob'].error.message, /20001 scans, more than the 100/);
    assert.match(r['huge.png Blob'].error.message, /16384x16384/);
    assert.equal(await wasmBytes(), before, 'the worker\'s wasm memory did not grow');
  });

  it('57 pixel sources past the limits are refused before a pixel is read or copied', async () => {
    const before = await wasmBytes();
    const r = await inPage(async (fg, { attempt, img }) => {
      const wide = (el) => Object.assign(el, { width: 16385, height: 8 }); // one pixel too wide
      const over = (el) => Object.assign(el, { width: 8000, height: 6251 }); // 50.008 MP
      const drawn = wide(document.createElement('canvas'));
      drawn.getContext('2d').fillRect(0, 0, 16385, 8);
      const out = {};
      out.canvasWide = await attempt(() => fg.detect(drawn));
      out.canvasOverPixels = await attempt(() => fg.detect(over(document.createElement('canvas'))));
      out.offscreenCanvas = await attempt(() => fg.detect(new OffscreenCanvas(16385, 8)));
      out.imageData = await attempt(() => fg.detect(new ImageData(16385, 8)));
      const bitmap = await createImageBitmap(drawn);
      out.imageBitmap = await attempt(() => fg.detect(bitmap));
      out.bitmapStillUsable = bitmap.width === 16385;
      const frame = new VideoFrame(drawn, { timestamp: 0 });
      out.videoFrame = await attempt(() => fg.detect(frame));
      frame.close();
      // A <video> showing a stream of the wide canvas (a MediaStream needs no URL, so the
      // page's CSP allows it).
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = drawn.captureStream();
      drawn.getContext('2d').fillRect(0, 0, 100, 8); // a stream has a frame once the canvas is drawn
      await Promise.race([video.play().catch(() => {}), new Promise((ok) => setTimeout(ok, 5000))]);
      const deadline = performance.now() + 5000;
      while (video.readyState < 2 && performance.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
      out.videoSize = [video.videoWidth, video.videoHeight];
      out.video = await attempt(() => fg.detect(video));
      video.srcObject.getTracks().forEach((t) => t.stop());
      // An <img> of the 268-megapixel PNG: its size is known from its header, and facegate
      // refuses it before asking the browser for its pixels.
      out.imgHuge = await attempt(async () => fg.detect(await img('/gen/huge.png')));
      out.zeroCanvas = await attempt(() => fg.detect(Object.assign(document.createElement('canvas'), { width: 0, height: 0 })));
      return out;
    });
    for (const k of ['canvasWide', 'canvasOverPixels', 'offscreenCanvas', 'imageData', 'imageBitmap', 'videoFrame', 'imgHuge']) {
      refused(r[k], 'imageTooLarge', k);
      console.error(`  ${k}: ${r[k].error.code} in ${r[k].ms.toFixed(1)} ms`);
    }
    assert.equal(r.bitmapStillUsable, true, 'the caller\'s ImageBitmap is left as it was');
    if (r.videoSize[0] === 16385) {
      refused(r.video, 'imageTooLarge', '<video> of a 16385 px wide stream');
    } else {
      // Chromium may scale a captured stream; then the frame is legal and simply has no face.
      console.error(`  <video>: the captured stream is ${r.videoSize.join('x')}: ${r.video.ok ? 'accepted' : r.video.error.code}`);
      assert.ok(r.video.ok || r.video.error.code === 'imageTooLarge', JSON.stringify(r.video));
    }
    refused(r.zeroCanvas, 'imageHasNoPixels', 'a 0x0 canvas');
    assert.equal(await wasmBytes(), before, 'the worker\'s wasm memory did not grow');
  });

  it('58 the JPEG of 20,001 scans as an <img>: the browser refuses to decode it, facegate says so', async () => {
    // facegate never sees an <img>'s bytes (re-reading them would be a request, and the page's
    // CSP forbids it for blob: URLs); Chromium 156 itself stops at 100 scans.
    const before = await wasmBytes();
    const r = await inPage(async (fg, { attempt, img }) => attempt(async () => fg.detect(await img('/gen/scans.jpg'))));
    assert.equal(r.ok, false, JSON.stringify(r.result));
    assert.ok(['invalidImage', 'imageTooComplex'].includes(r.error.code), `${r.error.code}: ${r.error.message}`);
    console.error(`  <img> of 20,001 scans: ${r.error.code} in ${r.ms.toFixed(1)} ms`);
    assert.equal(await wasmBytes(), before, 'the worker\'s wasm memory did not grow');
  });

  it('59 a legal 49-megapixel photo is decoded at 2048 px; results are in its own pixels', { timeout: 5 * 60_000 }, async () => {
    // person_a_2 enlarged to 7000 x 7000 (a JPEG of about 5 MB), and the same photo turned a
    // quarter and stored sideways (6000 x 4000) with EXIF orientation 6, as cameras write it.
    await inPage(async () => {
      const photo = await createImageBitmap(await (await fetch('/fixtures/person_a_2.jpg')).blob());
      const big = new OffscreenCanvas(7000, 7000);
      big.getContext('2d').drawImage(photo, 0, 0, 7000, 7000);
      window.big = await big.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
      big.width = 0;
      // Stored sideways: the photo turned a quarter anticlockwise, so that orientation 6 (turn
      // it clockwise to display) shows it upright, 4000 x 6000.
      const side = new OffscreenCanvas(6000, 4000);
      const ctx = side.getContext('2d');
      ctx.translate(0, 4000);
      ctx.rotate(-Math.PI / 2);
      ctx.drawImage(photo, 0, 0, 4000, 6000);
      const jpeg = new Uint8Array(await (await side.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
      side.width = 0;
      const tiff = [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
      const payload = [...new TextEncoder().encode('Exif'), 0, 0, ...tiff];
      const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload];
      window.sideways = new Blob([new Uint8Array([0xff, 0xd8, ...app1]), jpeg.subarray(2)], { type: 'image/jpeg' });
    });
    const before = await wasmBytes();
    const r = await inPage(async (fg, { attempt }) => {
      const out = {};
      out.blob = await attempt(() => fg.detect(window.big));
      out.sideways = await attempt(() => fg.detect(window.sideways));
      const bitmap = await createImageBitmap(window.big);
      out.bitmap = await attempt(() => fg.detect(bitmap));
      bitmap.close();
      // A face chosen by a point in the photo's own pixels.
      const { referenceId } = await fg.enroll(await (await fetch('/fixtures/person_a_1.jpg')).blob(), { consent: { subject: 'self', purpose: 'verifyItIsMe', consentText: 'test' }, label: 'a' });
      const f = out.blob.result.faces[0].bbox;
      out.verifyPoint = await attempt(() => fg.verify(window.big, referenceId, { face: { x: f.x + f.width / 2, y: f.y + f.height / 2 } }));
      out.verifyOutside = await attempt(() => fg.verify(window.big, referenceId, { face: { x: 6990, y: 6990 } }));
      out.verifySmall = await attempt(async () => fg.verify(await (await fetch('/fixtures/person_a_2.jpg')).blob(), referenceId));
      out.explain = await attempt(() => fg.explain(window.big, { consent: { subject: 'self', purpose: 'verifyItIsMe', consentText: 'test' } }));
      out.referenceId = referenceId;
      return out;
    });
    const grown = (await wasmBytes()) - before;
    const blob = ok(r.blob, '49 MP Blob');
    console.error(`  49 MP Blob: ${r.blob.ms.toFixed(0)} ms, ImageBitmap: ${r.bitmap.ms.toFixed(0)} ms, sideways: ${r.sideways.ms.toFixed(0)} ms; wasm memory +${(grown / MiB).toFixed(1)} MiB`);
    assert.deepEqual([blob.width, blob.height], [7000, 7000], 'the photo\'s own size');
    assert.equal(blob.faces.length, 1);
    const bitmap = ok(r.bitmap, '49 MP ImageBitmap');
    assert.deepEqual([bitmap.width, bitmap.height], [7000, 7000]);
    const sideways = ok(r.sideways, 'sideways 24 MP Blob with EXIF orientation 6');
    assert.deepEqual([sideways.width, sideways.height], [4000, 6000], 'EXIF orientation applied');
    assert.equal(sideways.faces.length, 1);
    assert.ok(grown < 48 * MiB, `the worker's wasm memory grew by ${(grown / MiB).toFixed(1)} MiB (a full-size decode: 140 MiB and more)`);
    const verifyPoint = ok(r.verifyPoint, 'verify with a point in the photo\'s pixels');
    assert.equal(r.verifyOutside.error?.code, 'faceChoiceInvalid', 'a point outside the face');
    const explain = ok(r.explain, 'explain');
    assert.deepEqual([explain.width, explain.height], [7000, 7000]);
    // The crop transform takes the photo's own pixels: the landmarks land on the template.
    const t = explain.transform;
    const eye = explain.faces[explain.chosen].landmarks.rightEye;
    const crop = { x: t.a * eye.x - t.b * eye.y + t.tx, y: t.b * eye.x + t.a * eye.y + t.ty };
    assert.ok(Math.hypot(crop.x - 38.29, crop.y - 51.70) < 3, `right eye lands at ${JSON.stringify(crop)} in the crop`);

    // Reference: the same files decoded at full size by facegate's Rust decoder (bytes). Last:
    // this path needs hundreds of MiB of wasm memory for a 49 MP photo.
    const beforeFull = await wasmBytes();
    const full = await inPage(async (fg, { attempt }, referenceId) => ({
      big: await attempt(async () => fg.detect(new Uint8Array(await window.big.arrayBuffer()))),
      sideways: await attempt(async () => fg.detect(new Uint8Array(await window.sideways.arrayBuffer()))),
      verify: await attempt(async () => fg.verify(new Uint8Array(await window.big.arrayBuffer()), referenceId)),
    }), r.referenceId);
    console.error(`  49 MP bytes (decoded at full size in Rust): ${full.big.ms.toFixed(0)} ms; wasm memory +${(((await wasmBytes()) - beforeFull) / MiB).toFixed(1)} MiB`);
    const near = (a, b, what) => {
      for (const k of ['x', 'y', 'width', 'height']) {
        assert.ok(Math.abs(a[k] - b[k]) < 0.01 * 7000, `${what}: ${k} ${a[k].toFixed(0)} vs full-size ${b[k].toFixed(0)}`);
      }
    };
    near(blob.faces[0].bbox, ok(full.big, 'bytes').faces[0].bbox, '49 MP Blob');
    near(bitmap.faces[0].bbox, full.big.result.faces[0].bbox, '49 MP ImageBitmap');
    const fullSide = ok(full.sideways, 'sideways bytes');
    assert.deepEqual([fullSide.width, fullSide.height], [4000, 6000]);
    near(sideways.faces[0].bbox, fullSide.faces[0].bbox, 'sideways');
    const similarities = { downscaled: verifyPoint.similarity, fullSize: ok(full.verify, 'verify bytes').similarity, original: ok(r.verifySmall, 'verify the 722 px photo').similarity };
    console.error(`  similarity to person_a_1: ${JSON.stringify(similarities)}`);
    assert.ok(Math.abs(similarities.downscaled - similarities.fullSize) < 0.03, 'the downscaled decode matches as the full-size one');
    await inPage(async (fg) => fg.eraseAll({ auditLog: true }));
  });
});
