// A first visit to the facegate page, measured: bytes on the wire with Brotli, gzip and no
// compression, requests per file (does any file download twice?), and the time from navigation
// to "ready" on loopback and through a 10 Mbit/s link.
//
//   node bench/page-load.mjs [--runs N] [--mbit 10] [--latency-ms 20] [--skip-throttled]
//
// Needs www/ built (bash scripts/demo.sh --build-only, which also writes the .br/.gz copies).
// Each visit is a fresh Chromium profile (empty HTTP cache, no service worker), as a first
// visit is. The link is a TCP proxy in this process between Chromium and the server: one shared
// token bucket of N Mbit/s for all connections plus a fixed delay per chunk, so that it limits
// the page, its service worker and its Web Worker alike (DevTools' network emulation applies to
// one target at a time). Prints one table; the medians are over --runs visits (default 3).
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { serve } from '../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, makeTempDir, removeDir } from '../tests/browser/helpers.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const RUNS = opt('--runs', 3);
const MBIT = opt('--mbit', 10);
const LATENCY_MS = opt('--latency-ms', 20);

/** A TCP proxy to `target` limited to `mbit` Mbit/s (shared, downstream) with `latencyMs` added per chunk. */
function throttle(target, mbit, latencyMs) {
  const bytesPerMs = (mbit * 1e6) / 8 / 1000;
  let freeAt = 0; // when the shared link has sent everything queued so far
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      const now = performance.now();
      freeAt = Math.max(freeAt, now) + chunk.length / bytesPerMs;
      upstream.pause();
      setTimeout(() => {
        client.write(chunk);
        upstream.resume();
      }, freeAt - now + latencyMs);
    });
    upstream.on('end', () => setTimeout(() => client.end(), Math.max(0, freeAt - performance.now()) + latencyMs));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    client.on('error', close);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** What the server sent, per request: `{ path, status, bytes }` (bytes: the body as sent). */
function recordServer(server, sent) {
  server.on('request', (req, res) => {
    // (This listener runs before serve()'s handler answers: wrap what it answers with.)
    let bytes = 0;
    let encoding = 'identity';
    const { end, writeHead } = res;
    res.writeHead = function (status, headers, ...rest) {
      encoding = headers?.['Content-Encoding'] ?? encoding;
      return writeHead.call(this, status, headers, ...rest);
    };
    res.end = function (body, ...rest) {
      if (body && req.method !== 'HEAD') bytes += body.length;
      return end.call(this, body, ...rest);
    };
    res.on('finish', () => {
      sent.push({ path: new URL(req.url, 'http://x').pathname, method: req.method, status: res.statusCode, bytes, encoding });
    });
  });
}

/**
 * One first visit to `origin`: the page until it is ready (the shell), then consent (the engine
 * downloads from the first "Continue") until the engine is ready. `sent` is the server's record.
 * Returns `{ pageMs, engineMs, totalMs, shell, engine, ... }` (bytes as the server sent them).
 */
async function visit(origin, sent) {
  const profile = makeTempDir('pageload');
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  sent.length = 0;
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const started = Date.now();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 600_000 });
    const pageMs = Date.now() - started;
    await page.waitForTimeout(1000); // the service worker's install, which fetches the shell
    const shellSent = sent.length;
    for (const id of ['#purpose-self', '#consent-affirm']) await page.check(id);
    const continued = Date.now();
    await page.click('#consent-continue');
    await page.click('#confirm-yes');
    await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'failed', null, { timeout: 600_000 });
    const engineMs = Date.now() - continued;
    if (await page.evaluate(() => document.body.dataset.engine) !== 'ready') throw new Error('the engine failed to load');
    await page.waitForTimeout(500);
    const bodies = new Map();
    for (const r of sent.filter((x) => x.status === 200 && x.method === 'GET')) bodies.set(r.path, (bodies.get(r.path) ?? 0) + 1);
    const bytes = (list) => list.reduce((n, r) => n + r.bytes, 0);
    return {
      pageMs,
      engineMs,
      totalMs: pageMs + engineMs,
      shell: bytes(sent.slice(0, shellSent)),
      engine: bytes(sent.slice(shellSent)),
      requests: sent.length,
      bodies: sent.filter((r) => r.status === 200 && r.method === 'GET').length,
      revalidated: sent.filter((r) => r.status === 304).length,
      twice: [...bodies].filter(([, n]) => n > 1).map(([p, n]) => `${p} x${n}`),
      encodings: [...new Set(sent.filter((r) => r.bytes > 0).map((r) => r.encoding))].join('+'),
    };
  } finally {
    await context.close();
    removeDir(profile);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const codings of [['br', 'gzip'], ['gzip'], []]) {
  const name = codings[0] ?? 'none';
  const site = await serve({ root: join(repo, 'www'), port: 0, quiet: true, codings });
  const sent = [];
  recordServer(site, sent);
  const links = [['loopback', site.address().port]];
  let proxy = null;
  if (!argv.includes('--skip-throttled')) {
    proxy = await throttle(site.address().port, MBIT, LATENCY_MS);
    links.push([`${MBIT} Mbit/s`, proxy.address().port]);
  }
  for (const [link, port] of links) {
    const visits = [];
    for (let i = 0; i < RUNS; i += 1) visits.push(await visit(`http://127.0.0.1:${port}`, sent));
    const m = (k) => median(visits.map((v) => v[k]));
    const row = { compression: name, link, ...visits[0], pageMs: m('pageMs'), engineMs: m('engineMs'), totalMs: m('totalMs'), shell: m('shell'), engine: m('engine'), runs: visits.map((v) => `${v.pageMs}+${v.engineMs}`) };
    rows.push(row);
    console.error(`${name} ${link}: page ${row.pageMs} ms, engine ${row.engineMs} ms (${row.runs.join(', ')}), ${((row.shell + row.engine) / 1e6).toFixed(2)} MB`);
  }
  proxy?.close();
  site.closeAllConnections?.();
  site.close();
}

const mb = (n) => (n / 1e6).toFixed(2);
console.log(`\nFirst visit to the facegate page, as the server sent it (fresh Chromium profile each visit; median of ${RUNS};`);
console.log(`${MBIT} Mbit/s: a shared ${MBIT} Mbit/s link with +${LATENCY_MS} ms per chunk). "page": navigation to the page ready (consent screen);`);
console.log('"engine": the first "Continue" (the download starts) to the engine ready.\n');
console.log('| compression | link | MB sent: page + engine = total | GET bodies / 304 revalidations | a body sent twice | page ready (ms) | engine ready (ms) |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.compression} (${r.encodings}) | ${r.link} | ${mb(r.shell)} + ${mb(r.engine)} = ${mb(r.shell + r.engine)} | ${r.bodies} / ${r.revalidated} | ${r.twice.length ? `${r.twice.length} files: ${r.twice.slice(0, 4).join(', ')}${r.twice.length > 4 ? ', ...' : ''}` : 'none'} | ${r.pageMs} | ${r.engineMs} (${r.runs.join(', ')}) |`);
}
