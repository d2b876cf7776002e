// facegate side by side with the peers a user would pick instead, in one command:
//
//   node bench/run.mjs            (about 10 minutes the first time, 5 after)
//
// 1. Installs what it needs: bench/'s own npm packages (onnxruntime-web, @vladmandic/face-api,
//    @tensorflow/tfjs-backend-wasm, playwright-core), a Python venv in bench/.venv (onnx,
//    onnxruntime, numpy, pillow) and, if target/npm/facegate is missing, builds the npm package.
// 2. Folds the two ONNX files for onnxruntime (bench/peers.py fold -> bench/.models/).
// 3. Native: facegate (cargo bench --bench pipeline) and onnxruntime in Python, one thread each.
// 4. Browser: serves a bench page on 127.0.0.1 and drives Debian Chromium headless
//    (playwright-core). In ONE browser session, one fresh context per stack: cold start (library
//    import to ready), first result, one warm-up lap, then median and p90 over `--runs` images
//    cycling through tests/fixtures, of detection alone and of detect + align + embed; bytes
//    each stack fetched (raw, and gzip -9 of the same files); CPU used by other processes.
// 5. Writes bench/results/results.{md,json} and bench/results/chart.png.
//
// Rows: facegate as a user gets it (threads; the quick look is off by default), each build on one
// thread, 640 only; onnxruntime-web on 1 and on min(4, cores) threads; face-api.js; paired rows
// (both stacks in one page, the same thread count). The page is cross-origin isolated.
//
// Options: --runs N (default 27) --skip-native --build (rebuild the facegate package first)
//   --package DIR (facegate package, default target/npm/facegate)
//   --extra-package LABEL=DIR (repeatable: another facegate build, e.g. before an optimisation)
//   --ab LABEL=DIR (another facegate build, paired with --package image by image in one page: each
//     one-thread build, and the threaded builds on min(4, cores) threads when both have one)
//   --only facegate,ort,faceapi,paired,threads,simd,quick (rows to run; threads: only the two threaded pairs;
//     simd: the relaxed-simd build paired with simd128, on one thread; quick: the default detector
//     input per image paired with 640 only, on one thread and threaded) --out DIR (default bench/results)
//   --render (write results.md and chart.png again from --out's results.json, measuring nothing)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadProbe } from './load.mjs';
import { chartHtml, markdownReport } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const opts = (name) => argv.flatMap((a, i) => (a === name ? [argv[i + 1]] : []));
const runs = Number(opt('--runs', 27));
const outDir = resolve(opt('--out', join(here, 'results')));
const only = opt('--only', 'facegate,ort,faceapi,paired').split(',');
const log = (...a) => console.log('[bench]', ...a);

// The detector geometry facegate uses (src/letterbox.rs), which the onnxruntime peers mirror.
export const GEOMETRY = { mode: opt('--geometry', 'fit') };

function sh(cmd, args, options = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

// ---- 1. install -------------------------------------------------------------------------
function ensureNodeModules() {
  const lock = join(here, 'package-lock.json');
  const stamp = join(here, 'node_modules/.package-lock.json');
  if (!existsSync(stamp) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(stamp).mtimeMs)) {
    sh('npm', ['install', '--no-audit', '--no-fund', '--prefix', here]);
  }
}

const VENV = join(here, '.venv');
const PY = join(VENV, 'bin/python');
const PY_PACKAGES = ['onnx==1.23.2', 'onnxruntime==1.32.0', 'numpy==2.4.6', 'pillow==13.0.0'];
function ensureVenv() {
  const stamp = join(VENV, '.facegate-bench');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === PY_PACKAGES.join(' ')) return;
  if (!existsSync(PY)) sh('python3', ['-m', 'venv', VENV]);
  sh(PY, ['-m', 'pip', 'install', '--quiet', ...PY_PACKAGES]);
  writeFileSync(stamp, PY_PACKAGES.join(' '));
}

const pkg = resolve(opt('--package', join(repo, 'target/npm/facegate')));
function ensurePackage() {
  if (flag('--build') || !existsSync(join(pkg, 'manifest.js'))) {
    sh('bash', [join(repo, 'scripts/build-package.sh')], { cwd: repo, env: { ...process.env, FACEGATE_PACKAGE_OUT: pkg } });
  }
}


// ---- 3. native ------------------------------------------------------------------------------
function nativeRuns(work) {
  const photos = readdirSync(join(repo, 'tests/fixtures')).filter((n) => n.endsWith('.jpg')).sort().map((n) => join(repo, 'tests/fixtures', n));
  const fgJson = join(work, 'native-facegate.json');
  const ortJson = join(work, 'native-ort.json');
  const probe = loadProbe([process.pid]);
  sh('cargo', ['bench', '--bench', 'pipeline', '--', '--json', fgJson], { cwd: repo, env: { ...process.env, FACEGATE_BENCH_RUNS: String(runs) } });
  const fgLoad = probe();
  const probe2 = loadProbe([process.pid]);
  sh(PY, [join(here, 'peers.py'), 'native', join(here, '.models'), ...photos, '--json', ortJson, '--runs', String(runs), '--geometry', GEOMETRY.mode]);
  const ortLoad = probe2();
  return { facegate: JSON.parse(readFileSync(fgJson, 'utf8')), ort: JSON.parse(readFileSync(ortJson, 'utf8')), load: { facegate: fgLoad, ort: ortLoad } };
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---- 4. browser -----------------------------------------------------------------------------
function site(work, packages) {
  const root = join(work, 'site');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const link = (target, name) => symlinkSync(target, join(root, name));
  for (const f of ['index.html', 'main.js', 'pipeline.js', 'stacks']) link(join(here, 'page', f), f);
  for (const [label, dir] of packages) link(dir, label);
  link(join(here, 'node_modules/onnxruntime-web/dist'), 'ort');
  link(join(here, 'node_modules/@vladmandic/face-api/dist'), 'faceapi');
  link(join(here, 'node_modules/@vladmandic/face-api/model'), 'faceapi-model');
  link(join(here, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'), 'tfwasm');
  link(join(here, '.models'), 'models');
  link(join(repo, 'tests/fixtures'), 'fixtures');
  return root;
}

const gzipCache = new Map();
function gzipBytes(file) {
  const real = realpathSync(file);
  if (!gzipCache.has(real)) gzipCache.set(real, gzipSync(readFileSync(real), { level: 9 }).length);
  return gzipCache.get(real);
}

async function browserRuns(work, configs) {
  const { chromium } = await import(pathToFileURL(join(here, 'node_modules/playwright-core/index.mjs')).href);
  const { serve, SECURITY_HEADERS } = await import(pathToFileURL(join(repo, 'scripts/serve.mjs')).href);
  const packages = [['pkg', pkg], ...[...opts('--extra-package'), ...opts('--ab')].map((s) => {
    const [label, dir] = s.split('=');
    return [`pkg-${label}`, resolve(dir)];
  })];
  const root = site(work, packages);
  // Cross-origin isolated (COOP same-origin + COEP require-corp), as scripts/serve.mjs and the
  // page's service worker serve facegate: the threaded rows need it; one-thread rows say so.
  const headers = { ...SECURITY_HEADERS, 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };
  const server = await serve({ root, port: 0, quiet: true, headers });
  let fetched = [];
  server.on('request', (req, res) => {
    const url = new URL(req.url, 'http://x').pathname;
    res.on('finish', () => {
      let bytes = 0;
      try {
        bytes = res.statusCode === 200 ? statSync(join(root, decodeURIComponent(url))).size : 0;
      } catch {
        // not a file
      }
      fetched.push({ url, bytes, status: res.statusCode });
    });
  });
  // playwright starts Chromium with a fresh temporary profile (user-data-dir); each stack then
  // gets a fresh context (its own empty HTTP cache) in that one browser session.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const version = browser.version();
  const results = [];
  const photos = readdirSync(join(repo, 'tests/fixtures')).filter((n) => n.endsWith('.jpg')).sort();
  try {
    for (const c of configs) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      const consoleLines = [];
      page.on('console', (m) => consoleLines.push(m.text()));
      fetched = [];
      const probe = loadProbe([process.pid]);
      const query = new URLSearchParams({ ...c.params, runs: String(runs), photos: photos.join(',') });
      log(`${c.label}: ${query.get('stack')} ...`);
      await page.goto(`http://127.0.0.1:${server.address().port}/index.html?${query}`);
      await page.waitForFunction(() => window.result, null, { timeout: 900_000 });
      const r = await page.evaluate(() => window.result);
      const load = probe();
      await page.close();
      await context.close();
      if (r.error) throw new Error(`${c.label}: ${r.error}\n${errors.join('\n')}`);
      const files = fetched.filter((f) => !/^\/(fixtures\/|index\.html|main\.js|favicon)/.test(f.url) && f.status === 200);
      const counted = files.filter((f) => !/^\/(stacks\/|pipeline\.js)/.test(f.url));
      const raw = counted.reduce((n, f) => n + f.bytes, 0);
      const gzip = counted.reduce((n, f) => n + gzipBytes(join(root, decodeURIComponent(f.url))), 0);
      const entry = { ...c, ...r, bytes: { raw, gzip, files: counted.map((f) => [f.url, f.bytes]) }, load, console: consoleLines.slice(0, 200) };
      results.push(entry);
      log(`${c.label}: ready ${r.readyMs.toFixed(0)} ms, e2e median ${r.e2e.median.toFixed(1)} ms, p90 ${r.e2e.p90.toFixed(1)}; ${(raw / 1e6).toFixed(1)} MB raw, ${(gzip / 1e6).toFixed(1)} MB gzip; other load ${load.otherCores.toFixed(2)} cores`);
    }
  } finally {
    await browser.close();
    server.close();
  }
  return { version, results };
}

/** Threads for the threaded rows: what facegate's default picks here, min(4, cores). */
const THREADS = Math.min(4, cpus().length);

function browserConfigs() {
  const configs = [];
  const labels = [['pkg', 'facegate'], ...opts('--extra-package').map((s) => [`pkg-${s.split('=')[0]}`, `facegate ${s.split('=')[0]}`])];
  if (only.includes('facegate')) {
    // What a user gets with no options: threads (the page is isolated), the detector's quick look.
    configs.push({ label: 'facegate default', group: 'facegate', params: { stack: 'facegate', pkg: 'pkg', variant: 'auto' } });
    for (const [p, name] of labels) {
      for (const variant of ['relaxed-simd', 'simd128']) {
        if (p !== 'pkg' && variant !== 'relaxed-simd') continue;
        configs.push({ label: `${name} ${variant}, 1 thread`, group: 'facegate', params: { stack: 'facegate', pkg: p, variant, threads: 1 } });
      }
    }
    configs.push({ label: 'facegate relaxed-simd, 1 thread, 640 only', group: 'facegate', params: { stack: 'facegate', pkg: 'pkg', variant: 'relaxed-simd', threads: 1, quick: 0 } });
    configs.push({ label: `facegate threads ${THREADS}, 640 only`, group: 'facegate', params: { stack: 'facegate', pkg: 'pkg', variant: 'threads', threads: THREADS, quick: 0 } });
  }
  const ab = opt('--ab');
  if (ab) {
    // --ab LABEL=DIR: facegate (--package) against another build, paired image by image.
    for (const variant of ['relaxed-simd', 'simd128']) {
      configs.push({ label: `facegate vs ${ab.split('=')[0]}, ${variant}, 1 thread (paired)`, group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'facegate', pkg: 'pkg', pkgB: `pkg-${ab.split('=')[0]}`, variant, threads: 1 } });
    }
    // And the threaded builds, as the page gets them by default, where both packages have one.
    const threaded = (dir) => existsSync(join(dir, 'wasm/threads/facegate_bg.wasm'));
    if (threaded(pkg) && threaded(resolve(ab.split('=')[1]))) {
      configs.push({ label: `facegate vs ${ab.split('=')[0]}, threads ${THREADS} (paired)`, group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'facegate', pkg: 'pkg', pkgB: `pkg-${ab.split('=')[0]}`, variant: 'threads', threads: THREADS } });
    }
  }
  if (only.includes('paired')) {
    // The ratios the targets are about, measured paired in one page (image by image,
    // alternating order): robust to load that drifts between rows. Both stacks of a pair get
    // the same `threads`.
    const fg = { pkg: 'pkg', inputSize: 640, geometry: GEOMETRY.mode, detector: 'tiny' };
    configs.push({ label: 'facegate vs onnxruntime-web, 1 thread (paired)', group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'ort', variant: 'relaxed-simd', threads: 1, ...fg } });
    configs.push({ label: 'facegate vs onnxruntime-web, 1 thread, both 640 only (paired)', group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'ort', variant: 'relaxed-simd', threads: 1, quick: 0, ...fg } });
    configs.push({ label: 'facegate vs face-api Tiny 416, 1 thread (paired)', group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'faceapi', variant: 'relaxed-simd', threads: 1, ...fg } });
    configs.push({ label: `facegate vs onnxruntime-web, ${THREADS} threads (paired)`, group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'ort', variant: 'auto', threads: THREADS, ...fg } });
    configs.push({ label: 'facegate default vs face-api Tiny 416 (paired)', group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'faceapi', variant: 'auto', ...fg } });
  }
  if (only.includes('paired') || only.includes('threads')) {
    configs.push({ label: `facegate threads ${THREADS} vs 1 thread (paired)`, group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'facegate', pkg: 'pkg', variant: 'threads', threads: THREADS, variantB: 'relaxed-simd', threadsB: 1 } });
  }
  if (only.includes('quick')) {
    // The detector input chosen per image (the quick look at 320, close looks in windows of the 640 input) against
    // 640 only, one build, paired image by image.
    configs.push({ label: 'facegate quick + close looks vs 640 only, 1 thread (paired)', group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'facegate', pkg: 'pkg', variant: 'relaxed-simd', threads: 1, quickB: 0 } });
    configs.push({ label: `facegate quick + close looks vs 640 only, threads ${THREADS} (paired)`, group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'facegate', pkg: 'pkg', variant: 'threads', threads: THREADS, quickB: 0 } });
  }
  if (only.includes('simd')) {
    // The worker's pick of one-thread build where the browser has relaxed SIMD, paired.
    configs.push({ label: 'facegate relaxed-simd vs simd128, 1 thread (paired)', group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'facegate', pkg: 'pkg', variant: 'relaxed-simd', threads: 1, variantB: 'simd128' } });
  }
  if (only.includes('threads')) {
    configs.push({ label: `facegate vs onnxruntime-web, ${THREADS} threads (paired)`, group: 'paired', params: { stack: 'ab', A: 'facegate', B: 'ort', pkg: 'pkg', variant: 'auto', threads: THREADS, inputSize: 640, geometry: GEOMETRY.mode } });
  }
  if (only.includes('ort')) {
    configs.push({ label: 'onnxruntime-web 640, 1 thread', group: 'ort', params: { stack: 'ort', inputSize: 640, geometry: GEOMETRY.mode, threads: 1 } });
    configs.push({ label: `onnxruntime-web 640, ${THREADS} threads`, group: 'ort', params: { stack: 'ort', inputSize: 640, geometry: GEOMETRY.mode, threads: THREADS } });
  }
  if (only.includes('faceapi')) {
    configs.push({ label: 'face-api Tiny 416', group: 'faceapi-tiny', params: { stack: 'faceapi', detector: 'tiny' } });
    configs.push({ label: 'face-api SSD', group: 'faceapi-ssd', params: { stack: 'faceapi', detector: 'ssd' } });
  }
  return configs;
}

// ---- main -----------------------------------------------------------------------------------
async function main() {
  if (flag('--render')) return render();
  const started = new Date();
  const before = loadavg();
  ensureNodeModules();
  ensureVenv();
  ensurePackage();
  const work = join(here, '.work');
  mkdirSync(work, { recursive: true });
  sh(PY, [join(here, 'peers.py'), 'fold', join(here, '.models')]);
  const native = flag('--skip-native') ? null : nativeRuns(work);
  const browser = await browserRuns(work, browserConfigs());
  const report = {
    started: started.toISOString(),
    command: `node bench/run.mjs ${argv.join(' ')}`.trim(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBefore: before, loadavgAfter: loadavg() },
    runs,
    geometry: GEOMETRY,
    native,
    browser,
    git: (() => {
      try {
        return execFileSync('git', ['-C', repo, 'describe', '--always', '--dirty']).toString().trim();
      } catch {
        return '';
      }
    })(),
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(report, null, 1)}\n`);
  const md = markdownReport(report);
  writeFileSync(join(outDir, 'results.md'), md);
  await renderChart(report, join(outDir, 'chart.png'), work);
  console.log(md);
  log(`wrote ${outDir}/results.md, results.json, chart.png`);
}

/** `--render`: results.md and chart.png again from `--out`'s results.json, nothing measured. */
async function render() {
  ensureNodeModules();
  const report = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
  const work = join(here, '.work');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(outDir, 'results.md'), markdownReport(report));
  await renderChart(report, join(outDir, 'chart.png'), work);
  log(`rendered ${outDir}/results.md and chart.png from results.json`);
}

async function renderChart(report, file, work) {
  const { chromium } = await import(pathToFileURL(join(here, 'node_modules/playwright-core/index.mjs')).href);
  const html = join(work, 'chart.html');
  writeFileSync(html, chartHtml(report));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 100 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(html).href);
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
