// Hostile and unusual inputs on the JavaScript side (rows B1.. of docs/hostile-inputs.md): the
// packed npm package in headless Chromium, called the way a page would call it, with the
// inputs a page could get wrong. Every rejection must be a FaceGateError with a stable code.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import {
  copyFixtures, installTarball, launchBrowser, makeTempDir, ok, openPage, packageTarball, pageLoad,
  removeDir, selfConsent, serveDir, timer, waitForApi, writePlainPage,
} from './helpers.mjs';

const PHOTOS = ['person_a_1.jpg', 'person_a_2.jpg', 'impostor_2.jpg'];

describe('facegate npm package: hostile inputs from JavaScript', () => {
  let dir;
  let site;
  let browser;
  let page;

  /**
   * Runs `fn` (an async function taking `(fg, helpers)`) in the page, where `fg` is the loaded
   * FaceGate and `helpers` = `{ blob(name), bytes(name), imageData(name), consent, attempt(f) }`:
   * `attempt(f)` gives `{ ok, result }` or `{ ok: false, error: { code, name, message,
   * isFaceGateError } }`. (Evaluated through the DevTools protocol, which the page's CSP does
   * not restrict.)
   */
  function inPage(fn) {
    return page.evaluate(`(${fn.toString()})(window.fg, window.hostileHelpers)`);
  }

  function installHelpers() {
    return page.evaluate((consent) => {
      const attempt = async (f) => {
        try {
          return { ok: true, result: await f() };
        } catch (e) {
          return { ok: false, error: { code: e?.code, name: e?.name, message: String(e?.message ?? e), isFaceGateError: e instanceof window.FaceGateError } };
        }
      };
      const blob = async (name) => (await fetch(`/fixtures/${name}`)).blob();
      const bytes = async (name) => new Uint8Array(await (await blob(name)).arrayBuffer());
      const imageData = async (name) => {
        const bitmap = await createImageBitmap(await blob(name));
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        canvas.getContext('2d').drawImage(bitmap, 0, 0);
        return canvas.getContext('2d').getImageData(0, 0, bitmap.width, bitmap.height);
      };
      window.hostileHelpers = { attempt, blob, bytes, imageData, consent };
    }, selfConsent());
  }

  function refused(r, code, what) {
    assert.equal(r.ok, false, `${what}: should be refused with ${code}, got ${JSON.stringify(r.result)?.slice(0, 200)}`);
    assert.equal(r.error.code, code, `${what}: code (message: ${r.error.message})`);
    assert.equal(r.error.isFaceGateError, true, `${what}: not a FaceGateError (${r.error.name})`);
  }

  before(async () => {
    const elapsed = timer();
    const tarball = packageTarball();
    for (const w of tarball.warnings) console.error(`warning: ${w}`);
    dir = makeTempDir('hostile');
    installTarball(dir, tarball.path);
    copyFixtures(join(dir, 'fixtures'), PHOTOS);
    writePlainPage(dir, 'facegate, hostile inputs');
    site = await serveDir(dir);
    browser = await launchBrowser();
    const opened = await openPage(browser);
    page = opened.page;
    await page.goto(`${site.origin}/`);
    await waitForApi(page, opened);
    ok(await pageLoad(page), 'FaceGate.load');
    await installHelpers();
    console.error(`hostile: set-up ${elapsed()}`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    removeDir(dir);
  });

  it('B1 non-images and empty images are refused with a code', async () => {
    const r = await inPage(async (fg, { attempt }) => ({
      nothing: await attempt(() => fg.detect(undefined)),
      nul: await attempt(() => fg.detect(null)),
      number: await attempt(() => fg.detect(42)),
      string: await attempt(() => fg.detect('person_a_1.jpg')),
      plainObject: await attempt(() => fg.detect({ width: 2, height: 2 })),
      emptyBlob: await attempt(() => fg.detect(new Blob([]))),
      emptyBytes: await attempt(() => fg.detect(new Uint8Array(0))),
      zeroCanvas: await attempt(() => { const c = document.createElement('canvas'); c.width = 0; c.height = 0; return fg.detect(c); }),
      textFile: await attempt(() => fg.detect(new File(['not a photo'], 'photo.jpg', { type: 'image/jpeg' }))),
    }));
    for (const k of ['nothing', 'nul', 'number', 'string', 'plainObject']) refused(r[k], 'invalidImage', k);
    // facegate's size check runs before the canvas is read (tests/browser/decode-limits.test.mjs).
    refused(r.zeroCanvas, 'imageHasNoPixels', 'a 0x0 canvas');
    refused(r.emptyBlob, 'emptyImage', 'empty Blob');
    refused(r.emptyBytes, 'emptyImage', 'empty Uint8Array');
    refused(r.textFile, 'unsupportedFormat', 'a text file named photo.jpg');
  });

  it('B2 raw RGBA of the wrong length, or as bytes, is refused', async () => {
    const r = await inPage(async (fg, { attempt }) => ({
      // ImageData itself refuses a buffer of the wrong length: the browser guarantees it.
      imageData: await attempt(() => new ImageData(new Uint8ClampedArray(12), 2, 2)),
      // An object shaped like ImageData, whose data is too short.
      lookalike: await attempt(() => fg.detect({ data: new Uint8ClampedArray(3), width: 2, height: 2 })),
      // Pixels handed over as a Uint8Array are taken as an encoded file.
      rawAsBytes: await attempt(() => fg.detect(new Uint8Array(64 * 64 * 4).fill(200))),
    }));
    assert.equal(r.imageData.ok, false);
    assert.equal(r.imageData.error.name, 'IndexSizeError', r.imageData.error.message);
    refused(r.lookalike, 'invalidImage', 'ImageData look-alike');
    refused(r.rawAsBytes, 'unsupportedFormat', 'raw RGBA as bytes');
  });

  it('B3 a WebP or PNG named .jpg is read by content', async () => {
    const r = await inPage(async (fg, { attempt, blob }) => {
      const bitmap = await createImageBitmap(await blob('person_a_1.jpg'));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      const webp = await canvas.convertToBlob({ type: 'image/webp', quality: 0.9 });
      const png = await canvas.convertToBlob({ type: 'image/png' });
      const asFile = (b) => new File([b], 'photo.jpg', { type: 'image/jpeg' });
      return {
        webpType: webp.type,
        webpFile: await attempt(() => fg.detect(asFile(webp))),
        webpBytes: await attempt(async () => fg.detect(new Uint8Array(await webp.arrayBuffer()))),
        pngFile: await attempt(() => fg.detect(asFile(png))),
      };
    });
    assert.equal(r.webpType, 'image/webp', 'Chromium encodes lossy WebP');
    for (const k of ['webpFile', 'webpBytes', 'pngFile']) {
      assert.equal(ok(r[k], k).faces.length, 1, `${k}: the face is found`);
    }
  });

  it('B4 unsupported formats are named (HEIC, AVIF, TIFF, SVG, PDF)', async () => {
    const r = await inPage(async (fg, { attempt }) => {
      const samples = {
        heic: [[0, 0, 0, 0x18, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1heic')], 'image/heic'],
        avif: [[0, 0, 0, 0x1c, ...new TextEncoder().encode('ftypavif'), 0, 0, 0, 0, ...new TextEncoder().encode('avifmif1miaf')], 'image/avif'],
        tiff: [[0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0, 0], 'image/tiff'],
        svg: [[...new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')], 'image/svg+xml'],
        pdf: [[...new TextEncoder().encode('%PDF-1.7\n')], 'application/pdf'],
      };
      const out = {};
      for (const [name, [bytes, type]] of Object.entries(samples)) {
        out[`${name}Blob`] = await attempt(() => fg.detect(new Blob([new Uint8Array(bytes)], { type })));
        out[`${name}Bytes`] = await attempt(() => fg.detect(new Uint8Array(bytes)));
      }
      return out;
    });
    for (const name of ['heic', 'avif', 'tiff', 'svg', 'pdf']) {
      for (const how of ['Blob', 'Bytes']) {
        refused(r[`${name}${how}`], 'unsupportedFormat', `${name} as ${how}`);
        assert.match(r[`${name}${how}`].error.message, new RegExp(`\\(${name}\\)`), `${name} as ${how}: the format is named`);
      }
    }
  });

  it('B5 declared and real sizes past the limits', async () => {
    const r = await inPage(async (fg, { attempt }) => {
      // A PNG whose header declares 100000 x 100000, with valid CRCs and 8 bytes of data.
      const crc32 = (data) => {
        let c = ~0;
        for (const b of data) {
          c ^= b;
          for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
        }
        return ~c >>> 0;
      };
      const chunk = (type, data) => {
        const body = [...new TextEncoder().encode(type), ...data];
        const crc = crc32(body);
        return [0, 0, 0, data.length, ...body, crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255];
      };
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
        ...chunk('IHDR', [0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 2, 0, 0, 0]),
        ...chunk('IDAT', [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), ...chunk('IEND', [])]);
      // JPEG (baseline SOF0), lossy WebP (VP8), GIF and BMP headers of small real images,
      // patched to declare 60000 x 60000 (JPEG, GIF, BMP) or 16000 x 16000 (VP8's 14 bits).
      const small = new OffscreenCanvas(16, 16);
      small.getContext('2d').fillRect(0, 0, 8, 8);
      const jpeg = new Uint8Array(await (await small.convertToBlob({ type: 'image/jpeg' })).arrayBuffer());
      const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
      jpeg.set([0xea, 0x60, 0xea, 0x60], sof + 5);
      // A lossy WebP header by hand: RIFF, WEBP, a 'VP8 ' chunk, a key-frame tag, the start
      // code, then 14-bit width and height.
      const webp = new Uint8Array([...new TextEncoder().encode('RIFF'), 40, 0, 0, 0, ...new TextEncoder().encode('WEBPVP8 '),
        20, 0, 0, 0, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x3e, 0x80, 0x3e, ...new Array(16).fill(0)]);
      const gif = new Uint8Array([...new TextEncoder().encode('GIF89a'), 0x60, 0xea, 0x60, 0xea, 0, 0, 0, 0x3b]);
      const bmp = new Uint8Array(54 + 16);
      const dv = new DataView(bmp.buffer);
      bmp.set([0x42, 0x4d]);
      dv.setUint32(2, bmp.length, true);
      dv.setUint32(10, 54, true);
      dv.setUint32(14, 40, true);
      dv.setInt32(18, 60000, true);
      dv.setInt32(22, 60000, true);
      dv.setUint16(26, 1, true);
      dv.setUint16(28, 24, true);
      const wide = document.createElement('canvas');
      wide.width = 16385;
      wide.height = 8;
      return {
        pngBytes: await attempt(() => fg.detect(png)),
        jpegBytes: await attempt(() => fg.detect(jpeg)),
        webpBytes: await attempt(() => fg.detect(webp)),
        gifBytes: await attempt(() => fg.detect(gif)),
        bmpBytes: await attempt(() => fg.detect(bmp)),
        wideCanvas: await attempt(() => fg.detect(wide)),
        over50MiB: await attempt(() => fg.detect(new Uint8Array(50 * 1024 * 1024 + 1))),
      };
    });
    refused(r.pngBytes, 'imageTooLarge', 'PNG declaring 100000x100000');
    refused(r.jpegBytes, 'imageTooLarge', 'JPEG declaring 60000x60000');
    refused(r.webpBytes, 'imageTooLarge', 'WebP declaring 16000x16000');
    refused(r.gifBytes, 'imageTooLarge', 'GIF declaring 60000x60000');
    refused(r.bmpBytes, 'imageTooLarge', 'BMP declaring 60000x60000');
    refused(r.wideCanvas, 'imageTooLarge', 'canvas 16385 px wide');
    refused(r.over50MiB, 'encodedTooLarge', '50 MiB + 1 byte');
  });

  it('B6 NaN and infinities in options are refused', async () => {
    const loads = await page.evaluate(async () => {
      const attempt = async (options) => {
        try {
          const fg = await window.FaceGate.load(options);
          await fg.dispose();
          return { ok: true };
        } catch (e) {
          return { ok: false, error: { code: e?.code, name: e?.name, message: String(e?.message ?? e), isFaceGateError: e instanceof window.FaceGateError } };
        }
      };
      return {
        scoreNaN: await attempt({ detector: { scoreThreshold: NaN } }),
        iouInf: await attempt({ detector: { nmsIou: Infinity } }),
        inputInf: await attempt({ detector: { inputSize: Infinity } }),
        maxRefsNaN: await attempt({ gallery: { maxReferences: NaN } }),
      };
    });
    refused(loads.scoreNaN, 'invalidConfig', 'scoreThreshold NaN');
    refused(loads.iouInf, 'invalidConfig', 'nmsIou Infinity');
    refused(loads.inputInf, 'invalidInput', 'inputSize Infinity');
    refused(loads.maxRefsNaN, 'invalidInput', 'maxReferences NaN');

    const r = await inPage(async (fg, { attempt, blob, consent }) => {
      const photo = await blob('person_a_1.jpg');
      const enrolled = await fg.enroll(photo, { consent, label: 'me' });
      const out = {
        expiresNaN: await attempt(() => fg.enroll(photo, { consent: { ...consent, expiresAt: NaN }, label: 'x' })),
        expiresInf: await attempt(() => fg.enroll(photo, { consent: { ...consent, expiresAt: Infinity }, label: 'x' })),
        expiresHuge: await attempt(() => fg.enroll(photo, { consent: { ...consent, expiresAt: 1e300 }, label: 'x' })),
        pointNaN: await attempt(() => fg.verify(photo, enrolled.referenceId, { face: { x: NaN, y: 10 } })),
        pointInf: await attempt(() => fg.verify(photo, enrolled.referenceId, { face: { x: Infinity, y: -Infinity } })),
        indexInf: await attempt(() => fg.verify(photo, enrolled.referenceId, { face: Infinity })),
        indexNegative: await attempt(() => fg.verify(photo, enrolled.referenceId, { face: -1 })),
        indexFraction: await attempt(() => fg.verify(photo, enrolled.referenceId, { face: 0.5 })),
      };
      await fg.withdraw(enrolled.referenceId);
      return out;
    });
    for (const k of ['expiresNaN', 'expiresInf', 'expiresHuge']) refused(r[k], 'consentInvalid', k);
    for (const k of ['pointNaN', 'pointInf']) refused(r[k], 'faceChoiceInvalid', k);
    for (const k of ['indexInf', 'indexNegative', 'indexFraction']) refused(r[k], 'invalidInput', k);
  });

  it('B7 bad reference ids, passphrases and export files', async () => {
    const r = await inPage(async (fg, { attempt, blob, bytes }) => {
      const photo = await blob('person_a_2.jpg');
      return {
        idNumber: await attempt(() => fg.verify(photo, 12345)),
        idMissing: await attempt(() => fg.verify(photo)),
        idMalformed: await attempt(() => fg.verify(photo, '../etc/passwd')),
        idHuge: await attempt(() => fg.verify(photo, 'f'.repeat(1 << 20))),
        passShort: await attempt(() => fg.exportGallery('short')),
        passNumber: await attempt(() => fg.exportGallery(12345678)),
        importPhoto: await attempt(async () => fg.importGallery(await bytes('person_a_1.jpg'), 'a long passphrase')),
        importString: await attempt(() => fg.importGallery('FACEGATE', 'a long passphrase')),
        importEmpty: await attempt(() => fg.importGallery(new Uint8Array(0), 'a long passphrase')),
      };
    });
    refused(r.idNumber, 'invalidInput', 'verify with a number id');
    refused(r.idMissing, 'invalidInput', 'verify without an id');
    refused(r.idMalformed, 'unknownReference', 'malformed id');
    refused(r.idHuge, 'unknownReference', '1 MiB id');
    assert.ok(r.idHuge.error.message.length < 200, 'the error does not echo the huge id');
    refused(r.passShort, 'passphraseRejected', 'short passphrase');
    refused(r.passNumber, 'invalidInput', 'passphrase as a number');
    refused(r.importPhoto, 'exportNotRecognized', 'a JPEG as an export');
    refused(r.importString, 'invalidInput', 'an export as a string');
    refused(r.importEmpty, 'exportNotRecognized', 'an empty export');
  });

  // withdraw() checks its id's type (wasm-bindgen's string glue traps on a non-string, which
  // once surfaced as code 'internal', "memory access out of bounds").
  it('B7b withdraw with a non-string id is refused as invalidInput', async () => {
    const r = await inPage(async (fg, { attempt }) => ({
      number: await attempt(() => fg.withdraw(7)),
      missing: await attempt(() => fg.withdraw()),
      object: await attempt(() => fg.withdraw({ referenceId: '0123456789abcdef' })),
      // The instance still answers afterwards.
      list: await attempt(() => fg.list()),
    }));
    assert.equal(r.list.ok, true, 'the instance still works after the refusals');
    for (const k of ['number', 'missing', 'object']) refused(r[k], 'invalidInput', `withdraw(${k})`);
  });

  it('B8 calls after eraseAll'
, async () => {
    const r = await inPage(async (fg, { attempt, blob, consent }) => {
      const photo = await blob('person_a_1.jpg');
      const probe = await blob('person_a_2.jpg');
      const { referenceId } = await fg.enroll(photo, { consent, label: 'me' });
      const erased = await fg.eraseAll();
      return {
        erased,
        verify: await attempt(() => fg.verify(probe, referenceId)),
        identify: await attempt(() => fg.identify(probe)),
        withdraw: await attempt(() => fg.withdraw(referenceId)),
        list: await fg.list(),
        eraseAgain: await attempt(() => fg.eraseAll({ auditLog: true })),
        log: await fg.auditLog(),
        exportEmpty: await attempt(async () => (await fg.exportGallery('a long passphrase')).length),
        enrollAgain: await attempt(() => fg.enroll(photo, { consent, label: 'again' })),
      };
    });
    assert.equal(r.erased.erased, 1);
    refused(r.verify, 'unknownReference', 'verify after eraseAll');
    refused(r.identify, 'galleryEmpty', 'identify after eraseAll');
    refused(r.withdraw, 'unknownReference', 'withdraw after eraseAll');
    assert.deepEqual(r.list, []);
    assert.equal(ok(r.eraseAgain, 'eraseAll twice').erased, 0);
    assert.deepEqual(r.log, [], 'the audit log erased too');
    assert.ok(ok(r.exportEmpty, 'export of the empty gallery') > 98);
    assert.equal(typeof ok(r.enrollAgain, 'enrol again').referenceId, 'string');
    await inPage(async (fg) => fg.eraseAll({ auditLog: true }));
  });

  it('B9 concurrent calls all complete, in order, with the results of sequential calls', async () => {
    const r = await inPage(async (fg, { blob, imageData, consent }) => {
      const photo = await blob('person_a_1.jpg');
      const probe = await imageData('person_a_2.jpg');
      const other = await blob('impostor_2.jpg');
      const { referenceId } = await fg.enroll(photo, { consent, label: 'me' });
      const sequential = (await fg.verify(probe, referenceId)).similarity;
      const calls = [];
      const order = [];
      for (let i = 0; i < 6; i += 1) {
        calls.push(fg.verify(probe, referenceId).then((m) => { order.push(i); return m.similarity; }));
        calls.push(fg.detect(other).then((d) => d.faces.length));
        calls.push(fg.list().then((l) => l.length));
      }
      calls.push(fg.enroll(other, { consent: { subject: { otherPerson: 'Bo' }, purpose: 'compareWithConsentingPerson', consentText: 'Bo agreed.' }, label: 'Bo' }).then((e) => typeof e.referenceId));
      calls.push(fg.identify(probe).then((i) => i.best?.referenceId === referenceId));
      const results = await Promise.all(calls);
      await fg.eraseAll({ auditLog: true });
      return { sequential, results, order };
    });
    const { sequential, results, order } = r;
    for (let i = 0; i < 6; i += 1) {
      assert.equal(results[3 * i], sequential, `concurrent verify ${i}: same similarity as alone`);
      assert.equal(results[3 * i + 1], 1, `concurrent detect ${i}`);
      assert.equal(results[3 * i + 2], 1, `concurrent list ${i}`);
    }
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5], 'answered in the order asked');
    assert.equal(results.at(-2), 'string', 'enrol among them');
    assert.equal(results.at(-1), true, 'identify sees the right reference');
  });

  it('B10 calls after dispose, and dispose with calls in flight', async () => {
    const r = await page.evaluate(async () => {
      const { attempt } = window.hostileHelpers;
      const photo = await (await fetch('/fixtures/person_a_1.jpg')).blob();
      const fg = await window.FaceGate.load();
      // Calls in flight when dispose() is called: each either completes or is refused as disposed.
      const inFlight = [fg.detect(photo), fg.detect(photo), fg.detect(photo), fg.list()].map((p) => attempt(() => p));
      await fg.dispose();
      const during = await Promise.all(inFlight);
      const after = {};
      for (const [name, call] of Object.entries({
        detect: () => fg.detect(photo),
        enroll: () => fg.enroll(photo, { consent: { subject: 'self', purpose: 'verifyItIsMe', consentText: 'ok' }, label: 'x' }),
        verify: () => fg.verify(photo, '0123456789abcdef'),
        identify: () => fg.identify(photo),
        withdraw: () => fg.withdraw('0123456789abcdef'),
        eraseAll: () => fg.eraseAll(),
        list: () => fg.list(),
        auditLog: () => fg.auditLog(),
        exportGallery: () => fg.exportGallery('a long passphrase'),
        importGallery: () => fg.importGallery(new Uint8Array(10), 'a long passphrase'),
      })) {
        after[name] = await attempt(call);
      }
      const again = await attempt(() => fg.dispose());
      return { during, after, again };
    });
    for (const [i, d] of r.during.entries()) {
      if (!d.ok) assert.equal(d.error.code, 'disposed', `call ${i} in flight: ${d.error.message}`);
    }
    assert.ok(r.during.some((d) => !d.ok), 'at least the last calls in flight are refused');
    for (const [name, a] of Object.entries(r.after)) refused(a, 'disposed', `${name} after dispose`);
    assert.equal(r.again.ok, true, 'dispose twice is fine');
    // Workers of disposed instances (this one, with its thread pool, and those of the refused
    // loads of B6) are gone; the main instance's remain: its worker and, in the threaded build,
    // the pool's nested workers (one per thread).
    const threads = await page.evaluate(() => window.fg.threads);
    const kept = 1 + (threads > 1 ? threads : 0);
    const deadline = Date.now() + 10_000;
    while (page.workers().length > kept && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
    const urls = page.workers().map((w) => w.url());
    assert.equal(urls.length, kept, `workers alive (main instance on ${threads} thread(s)): ${urls.join(', ')}`);
    assert.equal(urls.filter((u) => u.endsWith('/worker.js')).length, 1, `one facegate worker: ${urls.join(', ')}`);
  });
});
