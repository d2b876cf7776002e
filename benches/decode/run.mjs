// What facegate's checks before decoding and the browser's downscaled decode cost and change
// (issue 16, item 4). Prints two tables; fails on nothing.
//
//   node benches/decode/run.mjs [--package A.tgz] [--before B.tgz] [--sides 1024,1536,2048,3072,4096]
//
// 1. Paths: time and growth of the worker's wasm memory for the hostile files (a 268-megapixel
//    PNG of 33 KB, a JPEG of 20,001 scans) as Blobs, and legal 49-megapixel photos with and
//    without a face as Blob and as bytes, with the package under test and, with --before,
//    another one (e.g. main's) in the same browser, one fresh page each.
// 2. Accuracy: cosine similarity of fixture pairs when the probe photo is large and decoded at
//    full size by facegate's Rust decoder (bytes), or downscaled by the browser to each --sides
//    longest side (createImageBitmap's high-quality resize, then handed over as PNG bytes so that
//    facegate adds no scaling of its own), or given as a Blob (what the package does). Two kinds
//    of large photo: the photo enlarged to 7000 px ("enlarged": its face fills the frame), and
//    the photo at its own resolution in the middle of a 6000 x 4500 grey frame ("framed": a
//    small face in a large photo, the case downscaling can hurt).
//
// Package: FACEGATE_TARBALL / target/npm/facegate-<version>.tgz as the browser tests use.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
  copyFixtures, installTarball, launchBrowser, makeTempDir, openPage, packageTarball, removeDir,
  serveDir, waitForApi, writePlainPage,
} from '../../tests/browser/helpers.mjs';
import { hugePng, manyScanJpeg } from '../../tests/browser/hostile-images.mjs';

const { values: opt } = parseArgs({
  options: {
    package: { type: 'string' },
    before: { type: 'string' },
    sides: { type: 'string', default: '1024,1536,2048,3072,4096' },
    'skip-paths': { type: 'boolean', default: false },
    'skip-accuracy': { type: 'boolean', default: false },
  },
});
const sides = opt.sides.split(',').map(Number);
const PAIRS = [
  // [reference, probe made large, same person]
  ['person_a_1.jpg', 'person_a_2.jpg', true],
  ['person_a_2.jpg', 'person_a_1.jpg', true],
  ['person_b_1.jpg', 'person_b_2.jpg', true],
  ['person_b_2.jpg', 'person_b_1.jpg', true],
  ['obama.jpg', 'obama2.jpg', true],
  ['obama2.jpg', 'obama.jpg', true],
  ['person_a_1.jpg', 'impostor_1.jpg', false],
  ['person_b_1.jpg', 'impostor_2.jpg', false],
  ['obama.jpg', 'biden.jpg', false],
  ['person_a_2.jpg', 'person_b_2.jpg', false],
];
const PHOTOS = [...new Set(PAIRS.flatMap(([a, b]) => [a, b]))];

async function site(tarball) {
  const dir = makeTempDir('bench-decode');
  installTarball(dir, tarball);
  copyFixtures(join(dir, 'fixtures'), PHOTOS);
  mkdirSync(join(dir, 'gen'));
  writeFileSync(join(dir, 'gen/huge.png'), hugePng(16384, 16384));
  writeFileSync(join(dir, 'gen/scans.jpg'), manyScanJpeg({ size: 1024, scans: 20_001 }));
  writePlainPage(dir, 'facegate decode bench');
  return { dir, served: await serveDir(dir) };
}

async function loadedPage(browser, origin) {
  const opened = await openPage(browser);
  await opened.page.goto(`${origin}/`);
  await waitForApi(opened.page, opened);
  await opened.page.evaluate(async () => {
    window.fg = await window.FaceGate.load();
  });
  return opened.page;
}

async function wasmBytes(page) {
  return page.workers()[0].evaluate(async () => {
    const glue = await import(new URL('./wasm/facegate.js', self.location.href).href);
    return glue.initSync().memory.buffer.byteLength;
  });
}

const mib = (b) => (b / 1048576).toFixed(1);

/** One fresh page per input: time and wasm growth of `fg.detect(input)`. */
async function paths(browser, origin, label) {
  const rows = [];
  const inputs = [['huge.png', 'Blob'], ['scans.jpg', 'Blob'], ['49 MP photo', 'Blob'], ['49 MP photo', 'bytes'], ['49 MP, no face', 'Blob'], ['49 MP, no face', 'bytes']];
  for (const [input, as] of inputs) {
    const page = await loadedPage(browser, origin);
    if (input.startsWith('49 MP')) {
      await page.evaluate(async (face) => {
        const big = new OffscreenCanvas(7000, 7000);
        const ctx = big.getContext('2d');
        if (face) {
          ctx.drawImage(await createImageBitmap(await (await fetch('/fixtures/person_a_2.jpg')).blob()), 0, 0, 7000, 7000);
        } else {
          // A landscape of soft colour bands (a photo without a face).
          for (let y = 0; y < 7000; y += 250) {
            ctx.fillStyle = `hsl(${(y / 7000) * 240}, 40%, ${30 + (y % 1000) / 25}%)`;
            ctx.fillRect(0, y, 7000, 250);
          }
        }
        window.input = await big.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
      }, input === '49 MP photo');
    } else {
      await page.evaluate(async (name) => { window.input = await (await fetch(`/gen/${name}`)).blob(); }, input);
    }
    if (as === 'bytes') await page.evaluate(async () => { window.input = new Uint8Array(await window.input.arrayBuffer()); });
    const before = await wasmBytes(page);
    const r = await page.evaluate(async () => {
      const t0 = performance.now();
      try {
        const d = await Promise.race([window.fg.detect(window.input), new Promise((_, no) => setTimeout(() => no(Object.assign(new Error('no answer in 300 s'), { code: 'timeout' })), 300_000))]);
        return { ms: performance.now() - t0, outcome: `${d.faces.length} face(s), ${d.width}x${d.height}` };
      } catch (e) {
        return { ms: performance.now() - t0, outcome: `${e.code}: ${String(e.message).slice(0, 90)}` };
      }
    });
    const after = await wasmBytes(page);
    rows.push({ label, input: `${input} (${as})`, ms: r.ms, before, after, outcome: r.outcome });
    console.error(`${label} ${input} (${as}): ${r.ms.toFixed(0)} ms, wasm ${mib(before)} -> ${mib(after)} MiB, ${r.outcome}`);
    await page.context().close();
  }
  return rows;
}

async function accuracy(browser, origin) {
  const page = await loadedPage(browser, origin);
  return page.evaluate(async ({ pairs, sides }) => {
    const fg = window.fg;
    const consent = { subject: 'self', purpose: 'verifyItIsMe', consentText: 'bench' };
    const fetchBlob = async (name) => (await fetch(`/fixtures/${name}`)).blob();
    const pngBytes = async (source, w, h) => {
      const c = new OffscreenCanvas(w, h);
      c.getContext('2d').drawImage(source, 0, 0, w, h);
      const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
      c.width = 0;
      return bytes;
    };
    const large = async (photo, kind) => {
      const bitmap = await createImageBitmap(await fetchBlob(photo), { imageOrientation: 'from-image' });
      let c;
      if (kind === 'enlarged') {
        const k = 7000 / Math.max(bitmap.width, bitmap.height);
        c = new OffscreenCanvas(Math.round(bitmap.width * k), Math.round(bitmap.height * k));
        c.getContext('2d').drawImage(bitmap, 0, 0, c.width, c.height);
      } else {
        c = new OffscreenCanvas(6000, 4500);
        const ctx = c.getContext('2d');
        ctx.fillStyle = '#808080';
        ctx.fillRect(0, 0, 6000, 4500);
        ctx.drawImage(bitmap, Math.round((6000 - bitmap.width) / 2), Math.round((4500 - bitmap.height) / 2));
      }
      const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
      const size = [c.width, c.height];
      c.width = 0;
      return { blob, size };
    };
    const sim = async (f) => {
      try {
        return (await f()).similarity;
      } catch (e) {
        return e.code;
      }
    };
    const rows = [];
    for (const [ref, probe, same] of pairs) {
      const { referenceId } = await fg.enroll(await fetchBlob(ref), { consent, label: 'r' });
      const original = await sim(async () => fg.verify(new Uint8Array(await (await fetchBlob(probe)).arrayBuffer()), referenceId));
      for (const kind of ['enlarged', 'framed']) {
        const { blob, size } = await large(probe, kind);
        const row = { ref, probe, same, kind, size: size.join('x'), original };
        row.full = await sim(async () => fg.verify(new Uint8Array(await blob.arrayBuffer()), referenceId));
        row.blob = await sim(() => fg.verify(blob, referenceId));
        for (const side of sides) {
          const k = side / Math.max(...size);
          const [w, h] = size.map((n) => Math.max(1, Math.round(n * k)));
          const bitmap = await createImageBitmap(blob, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
          const bytes = await pngBytes(bitmap, w, h);
          bitmap.close();
          row[side] = await sim(() => fg.verify(bytes, referenceId));
        }
        rows.push(row);
      }
      await fg.withdraw(referenceId);
    }
    return rows;
  }, { pairs: PAIRS, sides });
}

const tarball = opt.package ?? packageTarball().path;
const browser = await launchBrowser();
const sitesToClose = [];
try {
  const main = await site(tarball);
  sitesToClose.push(main);
  if (!opt['skip-paths']) {
    let rows = await paths(browser, main.served.origin, 'this package');
    if (opt.before) {
      const old = await site(opt.before);
      sitesToClose.push(old);
      rows = [...await paths(browser, old.served.origin, 'before'), ...rows];
    }
    console.log('\n| package | input | time | worker wasm memory | outcome |\n|---|---|---:|---|---|');
    for (const r of rows) {
      console.log(`| ${r.label} | ${r.input} | ${(r.ms / 1000).toFixed(2)} s | ${mib(r.before)} -> ${mib(r.after)} MiB (+${mib(r.after - r.before)}) | ${r.outcome} |`);
    }
  }
  if (!opt['skip-accuracy']) {
    const rows = await accuracy(browser, main.served.origin);
    const f = (v) => (typeof v === 'number' ? v.toFixed(3) : v);
    console.log(`\n| reference | probe, made large | same | original | full size | Blob | ${sides.map((s) => `${s} px`).join(' | ')} |`);
    console.log(`|---|---|---|---:|---:|---:|${sides.map(() => '---:').join('|')}|`);
    const worst = Object.fromEntries(['blob', ...sides].map((k) => [k, 0]));
    for (const r of rows) {
      console.log(`| ${r.ref} | ${r.probe} ${r.kind} ${r.size} | ${r.same ? 'yes' : 'no'} | ${f(r.original)} | ${f(r.full)} | ${f(r.blob)} | ${sides.map((s) => f(r[s])).join(' | ')} |`);
      for (const k of Object.keys(worst)) {
        if (typeof r[k] === 'number' && typeof r.full === 'number') worst[k] = Math.max(worst[k], Math.abs(r[k] - r.full));
      }
    }
    console.log(`\nlargest |similarity - full size|: ${Object.entries(worst).map(([k, v]) => `${k === 'blob' ? 'Blob' : `${k} px`} ${v.toFixed(3)}`).join(', ')}`);
  }
} finally {
  await browser.close();
  for (const s of sitesToClose) {
    await s.served.close();
    removeDir(s.dir);
  }
}
