// Browser latency of the npm package in headless Chromium: `node benches/browser/run.mjs`.
//
// Serves target/npm/facegate (build it first: bash scripts/build-package.sh) with the test
// photos, then prints cold start (FaceGate.load to ready) and, after warm-up, the median and p90
// over 24 images (ImageData in, so JPEG decoding is not counted) of `detect` and of `verify`
// (detect + align + embed + compare). Numbers, not pass/fail.
//   --package DIR   another built package   --variant auto|simd128|relaxed-simd   --input-size N   --runs N
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const pkg = resolve(arg('--package', join(repo, 'target/npm/facegate')));
const site = mkdtempSync(join(tmpdir(), 'facegate-bench-'));
cpSync(pkg, join(site, 'pkg'), { recursive: true });
cpSync(join(repo, 'tests/fixtures'), join(site, 'fixtures'), { recursive: true });
cpSync(join(here, 'bench.js'), join(site, 'bench.js'));
cpSync(join(here, 'index.html'), join(site, 'index.html'));

const server = await serve({ root: site, port: 0, quiet: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const load = loadavg()[0];
  await page.goto(`http://127.0.0.1:${server.address().port}/?runs=${arg('--runs', 24)}&inputSize=${arg('--input-size', 640)}&variant=${arg('--variant', 'auto')}`);
  await page.waitForFunction(() => window.result, null, { timeout: 600_000 });
  const r = await page.evaluate(() => window.result);
  if (r.error) throw new Error(r.error);
  const f = (x) => x.toFixed(1).padStart(7);
  console.log(`package ${pkg}, wasm build ${r.build} (detector input ${arg('--input-size', 640)}; 1-min load average before: ${load.toFixed(2)}, after: ${loadavg()[0].toFixed(2)})`);
  console.log(`  cold start (FaceGate.load to ready): ${r.coldStartMs.toFixed(0)} ms`);
  console.log(`  detect                         median ${f(r.detect.median)} ms, p90 ${f(r.detect.p90)} ms (n=${r.detect.n})`);
  console.log(`  verify (detect+align+embed+cmp) median ${f(r.verify.median)} ms, p90 ${f(r.verify.p90)} ms (n=${r.verify.n})`);
} finally {
  await browser.close();
  server.close();
  rmSync(site, { recursive: true, force: true });
}
