// Shared by the page's privacy tests (page-static-host, page-camera, page-claims): a static
// server that sends no header at all (as most static hosts do) and logs what crosses the wire,
// a second origin that records every hit (to prove nothing reached it), the policy and its CSP
// parser, and Chromium with a fake camera.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

import { chromium } from 'playwright-core';

import { faceVideo } from './fake-camera.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers.mjs';
import { POLICY } from '../../scripts/serve.mjs';
import { parseCsp } from '../../www/js/offline.js';

export { POLICY, parseCsp };

// Only what a browser needs to use the files at all (module scripts need a JS type).
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.jpg': 'image/jpeg', '.png': 'image/png',
};

function listen(server) {
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${server.address().port}`)));
}

function closer(server) {
  return () => new Promise((ok) => {
    server.closeAllConnections?.();
    server.close(() => ok());
  });
}

/**
 * Serves `root` with no header but Content-Type and Content-Length: no CSP, no
 * Permissions-Policy, no cache validators. Every request is logged in `wire` as
 * `{ time (epoch ms), method, path, status, bytes, sent, aborted }` (`sent`: body bytes written
 * before the end or the client's abort; `aborted`: the client went away before the end).
 * `throttle(path)`, when given, returns bytes per second for that path (0 or nothing: full speed);
 * it is read on every request, so a test can change it between requests.
 */
export async function serveBare(root, { throttle } = {}) {
  const base = resolve(root);
  const wire = [];
  const server = createServer(async (req, res) => {
    const entry = { time: Date.now(), method: req.method, path: req.url, status: 0, bytes: 0, sent: 0, aborted: false };
    wire.push(entry);
    const send = (status, body = Buffer.alloc(0), type) => {
      entry.status = status;
      entry.bytes = req.method === 'HEAD' ? 0 : body.length;
      res.writeHead(status, type ? { 'Content-Type': type, 'Content-Length': body.length } : { 'Content-Length': body.length });
      const rate = req.method === 'HEAD' ? 0 : throttle?.(new URL(req.url, 'http://localhost').pathname) ?? 0;
      if (!rate) {
        entry.sent = entry.bytes;
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      // A slow link: a chunk every 50 ms; stops when the client goes away.
      const chunk = Math.max(1, Math.round(rate / 20));
      res.on('close', () => {
        entry.aborted = entry.sent < body.length;
      });
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const piece = body.subarray(entry.sent, entry.sent + chunk);
        entry.sent += piece.length;
        if (entry.sent >= body.length) {
          clearInterval(timer);
          res.end(piece);
        } else {
          res.write(piece);
        }
      }, 50);
    };
    try {
      const url = new URL(req.url, 'http://localhost');
      let path = normalize(join(base, decodeURIComponent(url.pathname)));
      if (path !== base && !path.startsWith(base + sep)) return send(403);
      if ((await stat(path).catch(() => null))?.isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path).catch(() => null);
      if (!body) return send(404);
      return send(200, body, TYPES[extname(path)] ?? 'application/octet-stream');
    } catch {
      return send(500);
    }
  });
  const origin = await listen(server);
  return { origin, wire, close: closer(server) };
}

/**
 * Another origin, as a tracker or a hostile mirror would be: it answers everything (with CORS
 * allowed, so that only the page's policy can stop a request) and records each hit in `hits`.
 * `pages` maps a path to an HTML body it serves (e.g. a page that frames facegate).
 */
export async function serveOtherOrigin(pages = {}) {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push({ time: Date.now(), method: req.method, path: req.url });
    const html = pages[new URL(req.url, 'http://localhost').pathname];
    res.writeHead(200, { 'Content-Type': html ? 'text/html' : 'text/plain', 'Access-Control-Allow-Origin': '*' });
    res.end(html ?? 'reached');
  });
  const origin = await listen(server);
  return { origin, hits, close: closer(server) };
}

/** Headless Chromium whose camera is Chromium's fake device, allowed without a prompt. It shows
 *  a face (a test photo), so that the page's camera guidance enables the snapshot. */
export async function launchWithFakeCamera() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${await faceVideo()}`],
  });
}

/** Asserts-friendly form of a CSP: `[[directive, sources sorted]]`, directives sorted. */
export function cspSet(text) {
  return Object.entries(parseCsp(text)).sort(([a], [b]) => a.localeCompare(b));
}

/** Waits until `predicate` (run in the page) is truthy, across the page's own reloads: while
 *  the new document is being parsed `document.body` is still null, so a predicate that reads it
 *  throws; that counts as not yet (until the deadline), like a destroyed context. */
export async function waitInPage(page, predicate, arg, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await page.waitForFunction(predicate, arg, { timeout: Math.max(1, deadline - Date.now()) });
    } catch (e) {
      const reloading = /context was destroyed|navigat|properties of null/i.test(e.message);
      if (Date.now() >= deadline || !reloading) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Epoch times (ms) of the page's performance marks, by name (missing marks are absent). */
export function markTimes(page, names) {
  return page.evaluate((names) => Object.fromEntries(names
    .map((n) => [n, performance.getEntriesByName(n)[0]])
    .filter(([, e]) => e)
    .map(([n, e]) => [n, performance.timeOrigin + e.startTime])), names);
}

/** The request counter as the page shows it: `{ shown, requests, blocked, sources }`. */
export function meter(page) {
  return page.evaluate(() => {
    const out = document.getElementById('net-count');
    return { shown: out.textContent, requests: Number(out.dataset.requests), blocked: Number(out.dataset.blocked), sources: JSON.parse(out.dataset.sources ?? '{}') };
  });
}

/**
 * The facegate worker of `page` (the one whose URL ends in /worker.js; after an eraseAll the
 * old one may still be listed for a moment, so this waits until exactly one is).
 */
export async function facegateWorker(page, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const workers = page.workers().filter((w) => w.url().endsWith('/worker.js'));
    if (workers.length === 1) return workers[0];
    if (Date.now() > deadline) throw new Error(`expected one facegate worker, found: ${page.workers().map((w) => w.url()).join(', ')}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/**
 * Installs `self.wasmScan` in `worker`: `wasmScan(needles)` reads the worker's whole wasm linear
 * memory (through the glue the worker itself imported, `glueFile` relative to the worker:
 * './wasm/facegate.js', or './wasm/threads/facegate.js' for the threaded build) and returns
 * `{ bytes, ms, hits: [{ needle, offset }] }`: every byte offset where needle `i` (an array of
 * bytes, 4 or more) occurs. One pass over the memory, whatever the number of needles.
 * Also `self.hookEraseAll(needles)`: from then on, the core's own eraseAll scans right after it
 * ran (before the worker is terminated) and adds the scan to its result as `residueScan`.
 */
export function installWasmScanner(worker, glueFile) {
  return worker.evaluate(async (glueFile) => {
    const glue = await import(new URL(glueFile, self.location.href).href);
    const scan = (needles) => {
      const t0 = performance.now();
      const mem = new Uint8Array(glue.initSync().memory.buffer);
      // Needles by their first 4 bytes (little-endian u32), and a 64K filter on its low 16 bits.
      const byKey = new Map();
      const filter = new Uint8Array(65536);
      needles.forEach((n, i) => {
        const key = (n[0] | (n[1] << 8) | (n[2] << 16) | (n[3] << 24)) >>> 0;
        if (!byKey.has(key)) byKey.set(key, []);
        byKey.get(key).push(i);
        filter[key & 0xffff] = 1;
      });
      const hits = [];
      const end = mem.length;
      let v = (mem[0] | (mem[1] << 8) | (mem[2] << 16)) << 8;
      for (let i = 0; i + 3 < end; i++) {
        v = ((v >>> 8) | (mem[i + 3] << 24)) >>> 0;
        if (!filter[v & 0xffff]) continue;
        const candidates = byKey.get(v);
        if (!candidates) continue;
        for (const c of candidates) {
          const n = needles[c];
          if (i + n.length > end) continue;
          let j = 4;
          while (j < n.length && mem[i + j] === n[j]) j++;
          if (j === n.length) hits.push({ needle: c, offset: i });
        }
      }
      return { bytes: mem.length, ms: Math.round(performance.now() - t0), hits };
    };
    self.wasmScan = scan;
    self.hookEraseAll = (needles) => {
      const erase = glue.FaceGateCore.prototype.eraseAll;
      glue.FaceGateCore.prototype.eraseAll = function eraseAllThenScan(...args) {
        const result = erase.apply(this, args);
        return Object.assign(result, { residueScan: scan(needles) });
      };
    };
  }, glueFile);
}

/** Runs `self.wasmScan(needles)` (installWasmScanner) in `worker`. */
export function scanWasm(worker, needles) {
  return worker.evaluate((needles) => self.wasmScan(needles), needles);
}
