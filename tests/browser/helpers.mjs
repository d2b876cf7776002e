// Shared by facegate's browser tests (node --test tests/browser/): the packed npm package, a
// temp directory, the static server with the page's security headers, headless Chromium, the
// native CLI's reference similarities, and page-side calls into the FaceGate API.
//
// Environment:
//   FACEGATE_TARBALL=/abs/path.tgz  test this tarball instead of target/npm/facegate-<version>.tgz
//   FACEGATE_REBUILD=1              rebuild the tarball (scripts/build-package.sh --pack) first
//   FACEGATE_BROWSER_LOG=1          echo the page's console and every request as they happen
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = join(REPO, 'tests/fixtures');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** How close (absolute cosine) the browser's similarity must be to the native CLI's. */
export const SIMILARITY_TOLERANCE = 0.01;
/** Generous page-side limit for one call (the models load in about 1 s; the first build is slow). */
export const CALL_TIMEOUT_MS = 120_000;

const log = process.env.FACEGATE_BROWSER_LOG ? (...a) => console.error('[browser]', ...a) : () => {};

// ---------------------------------------------------------------------------------------------
// The package tarball

function packageVersion() {
  return JSON.parse(readFileSync(join(REPO, 'npm/package.json'), 'utf8')).version;
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Holds a cross-process lock (a directory) while `f` runs: test files may run in parallel. */
function withLock(name, f) {
  const lock = join(tmpdir(), `${name}.lock`);
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than 30 minutes is left over from a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 30 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    return f();
  } finally {
    rmdirSync(lock);
  }
}

/**
 * Absolute path of the packed npm package. Builds it with `bash scripts/build-package.sh --pack`
 * when it is missing (about 5 minutes the first time) or when FACEGATE_REBUILD=1.
 * Returns `{ path, warnings }`; a warning says when the tarball is older than the sources.
 */
export function packageTarball() {
  if (process.env.FACEGATE_TARBALL) {
    const path = resolve(process.env.FACEGATE_TARBALL);
    assert.ok(existsSync(path), `FACEGATE_TARBALL=${path} does not exist`);
    return { path, warnings: [] };
  }
  const path = join(REPO, `target/npm/facegate-${packageVersion()}.tgz`);
  withLock('facegate-build-package', () => {
    if (!existsSync(path) || process.env.FACEGATE_REBUILD === '1') {
      console.error(`facegate browser tests: building ${path} (scripts/build-package.sh --pack; slow the first time)`);
      execFileSync('bash', ['scripts/build-package.sh', '--pack'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], timeout: 45 * 60_000 });
      assert.ok(existsSync(path), `scripts/build-package.sh --pack did not produce ${path}`);
    }
  });
  const warnings = [];
  const built = statSync(path).mtimeMs;
  for (const dir of ['npm', 'src']) {
    if (newestMtime(join(REPO, dir)) > built) {
      warnings.push(`${path} is older than ${dir}/: set FACEGATE_REBUILD=1 to rebuild it`);
    }
  }
  return { path, warnings };
}

// ---------------------------------------------------------------------------------------------
// Temp directories and installing the package

export function makeTempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `facegate-${prefix}-`));
}

export function removeDir(dir) {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Runs npm quietly in `cwd` (no audit, no funding notice, no update check). */
export function npm(cwd, args, { timeout = 5 * 60_000 } = {}) {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Writes a minimal package.json in `dir` and `npm install`s the tarball there, as a user would.
 * Returns the installed package's folder.
 */
export function installTarball(dir, tarball, name = 'facegate-consumer') {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
  npm(dir, ['install', tarball, '--ignore-scripts']);
  const installed = join(dir, 'node_modules/facegate');
  assert.ok(existsSync(join(installed, 'index.js')), `npm install ${tarball} left no ${installed}/index.js`);
  return installed;
}

/**
 * Writes a plain test page into `root`: `index.html` loading `main.js`, which imports the
 * package installed under `root/node_modules` and exposes `FaceGate` and `FaceGateError` on
 * `window`. (An inline module script would be blocked by the CSP's script-src 'self'.)
 */
export function writePlainPage(root, title) {
  writeFileSync(join(root, 'index.html'), [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${title}</title>`,
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

/** Copies test photos into `dir` (created if needed). */
export function copyFixtures(dir, names) {
  mkdirSync(dir, { recursive: true });
  for (const name of names) cpSync(join(FIXTURES, name), join(dir, name));
}

// ---------------------------------------------------------------------------------------------
// Serving and the browser

/**
 * Serves `root` on 127.0.0.1 with the page's security headers (or `headers`):
 * `{ server, origin, close }`.
 */
export async function serveDir(root, headers = undefined) {
  const server = await serve({ root, port: 0, quiet: true, ...(headers ? { headers } : {}) });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    server,
    origin,
    close: () => new Promise((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    }),
  };
}

/** Headless Debian Chromium with a fresh temporary profile (playwright's launch makes one). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Headless Chromium with a persistent profile in a fresh temp folder: unlike `launchBrowser`'s
 * incognito-like contexts it has a disk HTTP cache, as a user's browser does (large files such
 * as the wasm and the recognizer are cached). Returns the BrowserContext; `close()` also
 * removes the profile.
 */
export async function launchPersistent() {
  const userDataDir = makeTempDir('profile');
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const close = context.close.bind(context);
  context.close = async () => {
    try {
      await close();
    } finally {
      removeDir(userDataDir);
    }
  };
  return context;
}

/**
 * A page that records every request (page and workers), console line, page error and worker;
 * in a new context of `browser`, or in `browser` itself when it is a BrowserContext.
 * `requests` holds `{ url, resourceType, source }` in order.
 */
export async function openPage(browser) {
  const context = typeof browser.newContext === 'function' ? await browser.newContext() : browser;
  const page = await context.newPage();
  const requests = [];
  const consoleLines = [];
  const pageErrors = [];
  const workers = [];
  const seen = new Set();
  const record = (source) => (request) => {
    // context and page both report page requests: record each request object once.
    if (seen.has(request)) return;
    seen.add(request);
    requests.push({ url: request.url(), resourceType: request.resourceType(), source });
    log('request', request.url());
  };
  context.on('request', record('context'));
  page.on('request', record('page'));
  page.on('console', (m) => {
    consoleLines.push(`${m.type()}: ${m.text()}`);
    log('console', m.type(), m.text());
  });
  page.on('pageerror', (e) => {
    pageErrors.push(e.message);
    log('pageerror', e.message);
  });
  page.on('worker', (w) => {
    workers.push(w.url());
    log('worker', w.url());
  });
  return { context, page, requests, consoleLines, pageErrors, workers };
}

/** Asserts that every request went to `origin`'s host (127.0.0.1) or stayed in the page (blob:, data:). */
export function assertOnlyLocalRequests(requests, where = '') {
  assert.ok(requests.length > 0, `no request was recorded ${where}: the recording is broken`);
  const foreign = requests.filter(({ url }) => {
    const u = new URL(url);
    if (u.protocol === 'blob:' || u.protocol === 'data:') return false;
    return u.hostname !== '127.0.0.1';
  });
  assert.deepEqual(foreign.map((r) => r.url), [], `requests left 127.0.0.1 ${where}`);
}

/** Waits until the page's module script has put the API on `window` (or reported an import error). */
export async function waitForApi(page, opened) {
  try {
    await page.waitForFunction(() => window.FaceGate || window.importError, null, { timeout: 30_000 });
  } catch (e) {
    throw new Error(`the page never exposed FaceGate: ${e.message}\nconsole:\n${opened?.consoleLines.join('\n')}\npage errors:\n${opened?.pageErrors.join('\n')}`);
  }
  const importError = await page.evaluate(() => window.importError ?? null);
  assert.equal(importError, null, 'the page failed to import facegate');
}

// ---------------------------------------------------------------------------------------------
// Page-side calls into the API. Each returns `{ ok: true, result, ms }` or `{ ok: false, error }`
// with error `{ name, code, message, isFaceGateError }`, so that tests assert on both.

/**
 * `FaceGate.load(options)` in the page, keeping the instance as `window.fg`. Returns the
 * progress events too. `options` must be serialisable (URLs as strings).
 */
export function pageLoad(page, options = {}) {
  return page.evaluate(async (options) => {
    const events = [];
    const t0 = performance.now();
    try {
      window.fg = await window.FaceGate.load({ ...options, onProgress: (p) => events.push({ ...p }) });
      return { ok: true, ms: performance.now() - t0, events };
    } catch (e) {
      return {
        ok: false,
        events,
        error: { name: e?.name, code: e?.code, message: String(e?.message ?? e), isFaceGateError: e instanceof window.FaceGateError },
      };
    }
  }, options);
}

/**
 * Calls `window.fg[method](image?, ...args)` in the page. `image` is `{ url, kind }` with kind
 * 'blob' (fetch().blob()), 'bytes' (Uint8Array of the file), 'img' (a decoded <img>),
 * 'canvas', 'imageData' (via a canvas) or 'bitmap' (ImageBitmap); or null for no image.
 */
export function pageCall(page, method, image, ...args) {
  return page.evaluate(async ({ method, image, args }) => {
    async function makeImage({ url, kind }) {
      if (kind === 'blob') return (await fetch(url)).blob();
      if (kind === 'bytes') return new Uint8Array(await (await fetch(url)).arrayBuffer());
      if (kind === 'bitmap') return createImageBitmap(await (await fetch(url)).blob());
      const img = new Image();
      img.src = url;
      await img.decode();
      if (kind === 'img') return img;
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      if (kind === 'canvas') return canvas;
      if (kind === 'imageData') return ctx.getImageData(0, 0, canvas.width, canvas.height);
      throw new Error(`unknown image kind ${kind}`);
    }
    try {
      const input = image ? await makeImage(image) : undefined;
      const t0 = performance.now();
      const result = image ? await window.fg[method](input, ...args) : await window.fg[method](...args);
      return { ok: true, result, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, error: { name: e?.name, code: e?.code, message: String(e?.message ?? e), isFaceGateError: e instanceof window.FaceGateError } };
    }
  }, { method, image, args });
}

/** The result of a `{ ok, result }` page call, or an assertion error with the page's error. */
export function ok(call, what) {
  assert.ok(call.ok, `${what} failed in the page: ${call.error?.code}: ${call.error?.message}`);
  return call.result;
}

/** Asserts that a page call rejected with a FaceGateError of `code`. */
export function rejectsWith(call, code, what) {
  assert.equal(call.ok, false, `${what} should have been refused with code '${code}' but succeeded: ${JSON.stringify(call.result)}`);
  assert.equal(call.error.code, code, `${what}: wrong error code (message: ${call.error.message})`);
  assert.equal(call.error.isFaceGateError, true, `${what}: the rejection is not a FaceGateError (name ${call.error.name})`);
}

/**
 * Checks the progress events of one load: the three files download at once (their events
 * interleave), every one reports, loaded never goes back, and 'prepare' comes last, at 1.
 */
export function assertProgress(events) {
  const downloads = ['wasm', 'detector', 'recognizer'];
  assert.ok(events.length >= downloads.length + 1, `expected at least one progress event per stage, got ${events.length}`);
  let loaded = 0;
  for (const [i, e] of events.entries()) {
    assert.ok([...downloads, 'prepare'].includes(e.stage), `event ${i}: unknown stage ${JSON.stringify(e.stage)}`);
    assert.ok(e.stage !== 'prepare' || i === events.length - 1, `event ${i}: 'prepare' before the last event`);
    assert.ok(Number.isFinite(e.loaded) && Number.isFinite(e.total) && e.total > 0, `event ${i}: loaded/total ${e.loaded}/${e.total}`);
    assert.ok(e.loaded >= loaded, `event ${i}: loaded went back from ${loaded} to ${e.loaded}`);
    assert.ok(e.loaded <= e.total, `event ${i}: loaded ${e.loaded} > total ${e.total}`);
    assert.ok(e.fraction >= 0 && e.fraction <= 1, `event ${i}: fraction ${e.fraction}`);
    assert.ok(Math.abs(e.fraction - e.loaded / e.total) < 1e-9, `event ${i}: fraction ${e.fraction} is not loaded/total`);
    loaded = e.loaded;
  }
  assert.deepEqual([...new Set(events.map((e) => e.stage))].sort(), [...downloads, 'prepare'].sort(), 'every stage reports');
  assert.equal(events.at(-1).fraction, 1, 'the last progress event has fraction 1');
  assert.equal(events.at(-1).stage, 'prepare');
}

/** The consent of the user's own face. */
export function selfConsent() {
  return {
    subject: 'self',
    purpose: 'verifyItIsMe',
    consentText: 'I agree that this photo of my face is used on this device to check later photos are of me.',
  };
}

/** The consent of another person who agreed. */
export function otherConsent(name) {
  return {
    subject: { otherPerson: name },
    purpose: 'compareWithConsentingPerson',
    consentText: `${name} agreed that this photo of their face is used on this device to compare photos with them.`,
  };
}

// ---------------------------------------------------------------------------------------------
// The native reference

const nativeCache = new Map();

/** Path of the native CLI, built with `cargo build --release -p facegate-cli` when missing. */
export function nativeCli() {
  const bin = join(REPO, 'target/release/facegate');
  if (!existsSync(bin)) {
    withLock('facegate-build-cli', () => {
      if (existsSync(bin)) return;
      console.error('facegate browser tests: building the native CLI (cargo build --release -p facegate-cli)');
      execFileSync('cargo', ['build', '--release', '-p', 'facegate-cli'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], timeout: 45 * 60_000 });
    });
  }
  return bin;
}

/**
 * The native CLI's comparison of two fixture photos: `{ similarity, facesA, facesB }` with
 * each face `{ x, y, width, height, score }`, parsed from `facegate compare A B`.
 */
export function nativeCompare(a, b) {
  const key = `${a}\n${b}`;
  if (!nativeCache.has(key)) {
    const out = execFileSync(nativeCli(), ['compare', join(FIXTURES, a), join(FIXTURES, b)], { encoding: 'utf8', timeout: 120_000 });
    const m = /similarity \(cosine\): (-?\d+(?:\.\d+)?)/.exec(out);
    assert.ok(m, `no similarity in the native CLI's output:\n${out}`);
    const faces = { A: [], B: [] };
    let side = null;
    for (const line of out.split('\n')) {
      const head = /^(A|B): /.exec(line);
      if (head) side = head[1];
      const f = /face \d+: box x=(-?\d+) y=(-?\d+) w=(\d+) h=(\d+), detector score ([\d.]+)/.exec(line);
      if (f && side) faces[side].push({ x: +f[1], y: +f[2], width: +f[3], height: +f[4], score: +f[5] });
    }
    nativeCache.set(key, { similarity: Number(m[1]), facesA: faces.A, facesB: faces.B });
  }
  return nativeCache.get(key);
}

/** The native CLI's cosine similarity of the faces in two fixture photos. */
export function nativeSimilarity(a, b) {
  return nativeCompare(a, b).similarity;
}

/** Asserts |browser - native| <= SIMILARITY_TOLERANCE. */
export function assertNearNative(similarity, native, what) {
  assert.equal(typeof similarity, 'number', `${what}: similarity is not a number`);
  assert.ok(
    Math.abs(similarity - native) <= SIMILARITY_TOLERANCE,
    `${what}: browser similarity ${similarity.toFixed(4)} differs from native ${native.toFixed(4)} by more than ${SIMILARITY_TOLERANCE}`,
  );
}

/** Timing of a phase, reported as a test diagnostic. */
export function timer() {
  const t0 = performance.now();
  return () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
}
