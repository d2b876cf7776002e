// Cold start only, repeated and paired: `FaceGate.load()` as a page calls it with no options
// (threads where the page is cross-origin isolated, as it is here), for one or more builds of
// the npm package, in turn (the order alternates each round), each load in a fresh browser
// context (an empty HTTP cache). Prints the median of every phase the worker reports
// (`fg.loadPhases`, ms from its start of loading) and of `loadResolved` (from the page's call),
// per build, with the load average of the machine, and `firstDetect`: ms from the same start
// to the first `fg.detect` on a photo (tests/fixtures/obama.jpg, fetched before the clock
// starts) called right after the load resolves, which includes whatever planning the worker
// still had to do first. bench/run.mjs measures one cold start per row; this is the fair
// before/after for a change to the load path on a shared machine.
//
// The summary lists, for each load, the cores other processes used meanwhile. With `--settle`,
// each load waits until the whole machine is quiet (under 0.25 busy cores over half a second,
// at most 15 s) before it starts, as a first visit finds the browser idle. It did not make loads
// faster (2026-12-02, threaded build: median ready 829 ms settled, then 721 ms back to back
// minutes later, then 531 ms within the hour: the host's own drift), so loads run back to back
// by default.
//
//   node bench/cold-start.mjs [--runs N (default 9)] [--threads N] [--js-flags V8FLAGS] [--settle] [LABEL=DIR ...]
//
// Without LABEL=DIR, the package in target/npm/facegate ("facegate").
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { serve, SECURITY_HEADERS } from '../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, REPO, makeTempDir, removeDir } from '../tests/browser/helpers.mjs';
import { loadProbe, settle } from './load.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const RUNS = Number(opt('--runs') ?? 9);
const THREADS = opt('--threads');
// V8 flags for Chromium, e.g. --liftoff-only: where the engine build's time goes (compiling the
// wasm's optimised tier while it runs, or tract's own work).
const JS_FLAGS = opt('--js-flags');
const SETTLE = argv.includes('--settle');
if (SETTLE) argv.splice(argv.indexOf('--settle'), 1);
const builds = (argv.length ? argv : [`facegate=${join(REPO, 'target/npm/facegate')}`]).map((s) => {
  const [label, dir] = s.split('=');
  if (!label || !dir) throw new Error(`expected LABEL=DIR, not ${s}`);
  return { label, dir: resolve(dir) };
});

// The page's script is a file: the served Content-Security-Policy refuses inline scripts.
const PAGE = '<!doctype html><meta charset="utf-8"><title>cold start</title><script type="module" src="main.js"></script>';
const MAIN = `const params = new URLSearchParams(location.search);
const photo = new Uint8Array(await (await fetch('/photo.jpg')).arrayBuffer());
const t0 = performance.now();
const { FaceGate } = await import('/' + params.get('pkg') + '/index.js');
const threads = params.has('threads') ? Number(params.get('threads')) : undefined;
const fg = await FaceGate.load({ threads }).catch((e) => { window.result = { error: String(e) }; throw e; });
const loadResolved = Math.round(performance.now() - t0);
const found = await fg.detect(photo);
const firstDetect = Math.round(performance.now() - t0);
window.result = { ...fg.loadPhases, loadResolved, firstDetect, faces: found.faces.length, threads: fg.threads, build: fg.wasmBuild };
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const root = makeTempDir('cold-start');
const headers = { ...SECURITY_HEADERS, 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };
let server;
let browser;
try {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'main.js'), MAIN);
  builds.forEach((b, i) => symlinkSync(b.dir, join(root, `pkg${i}`)));
  symlinkSync(join(REPO, 'tests/fixtures/obama.jpg'), join(root, 'photo.jpg'));
  server = await serve({ root, port: 0, quiet: true, headers });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...(JS_FLAGS ? [`--js-flags=${JS_FLAGS}`] : [])] });
  const samples = builds.map(() => []);
  const loads = [];
  for (let run = 0; run < RUNS; run++) {
    const order = builds.map((_, i) => i);
    if (run % 2) order.reverse();
    for (const i of order) {
      const quiet = SETTLE ? await settle() : undefined;
      const probe = loadProbe([process.pid]);
      const context = await browser.newContext();
      const page = await context.newPage();
      const query = new URLSearchParams({ pkg: `pkg${i}`, ...(THREADS ? { threads: THREADS } : {}) });
      await page.goto(`http://127.0.0.1:${server.address().port}/index.html?${query}`);
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.waitForFunction(() => window.result, null, { timeout: 120_000 }).catch((e) => {
        throw new Error(`${builds[i].label}: ${e.message}\n${errors.join('\n')}`);
      });
      const result = await page.evaluate(() => window.result);
      if (result.error) throw new Error(`${builds[i].label}: ${result.error}`);
      if (result.faces !== 1) throw new Error(`${builds[i].label}: the first detection found ${result.faces} faces in obama.jpg, not 1`);
      // The worker's time once every file was in and the wasm instantiated: the engine build,
      // and whatever of the pool's start was not done while the files arrived.
      const files = Math.max(...['detectorFetched', 'recognizerFetched', 'wasmInstantiated'].map((k) => result[k] ?? 0));
      const last = Math.max(...['engineBuilt', 'threadsStarted'].map((k) => result[k] ?? 0));
      const load = probe();
      samples[i].push({ ...result, readyAfterFiles: last - files, busyBefore: quiet?.busyCores, otherCores: load.otherCores });
      await context.close();
    }
    loads.push(loadavg()[0]);
  }
  console.log(`cold start, ${RUNS} loads per build, alternating, ${SETTLE ? 'each once the machine was quiet (--settle)' : 'back to back'}; load average (1 min) ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)} on this machine`);
  builds.forEach((b, i) => {
    const s = samples[i];
    const phases = Object.keys(s[0]).filter((k) => typeof s[0][k] === 'number' && !['threads', 'faces', 'busyBefore', 'otherCores'].includes(k));
    const medians = phases.map((k) => [k, median(s.map((x) => x[k]).filter((v) => typeof v === 'number'))]).sort((x, y) => x[1] - y[1]);
    const listed = medians.filter(([k]) => k !== 'readyAfterFiles');
    console.log(`- ${b.label} (${s[0].build}, ${s[0].threads} threads): ${listed.map(([k, v]) => `${k} ${v}`).join(', ')}; ready after the files ${median(s.map((x) => x.readyAfterFiles))} (each: ${s.map((x) => x.readyAfterFiles).join(' ')}); loadResolved each: ${s.map((x) => x.loadResolved).join(' ')}`);
    const cores = (k) => s.map((x) => (x[k] === undefined ? '-' : x[k].toFixed(2))).join(' ');
    console.log(`  ${SETTLE ? `busy cores before each load: ${cores('busyBefore')}; ` : ''}other processes' cores during each load: ${cores('otherCores')}`);
  });
} finally {
  await browser?.close();
  server?.close();
  removeDir(root);
}
