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

/** One first visit to `origin`: `{ readyMs, wire, raw, requests, twice }`. */
async function visit(origin) {
  const profile = makeTempDir('pageload');
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const seen = [];
    context.on('requestfinished', async (request) => {
      const response = await request.response();
      const sizes = await request.sizes().catch(() => null);
      seen.push({
        url: request.url().replace(origin, ''),
        status: response?.status() ?? 0,
        fromServiceWorker: response?.fromServiceWorker() ?? false,
        encoding: (await response?.allHeaders().catch(() => ({})))?.['content-encoding'] ?? '',
        wire: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0,
      });
    });
    const started = Date.now();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 600_000 });
    const readyMs = Date.now() - started;
    if (await page.evaluate(() => document.body.dataset.ready) !== 'true') throw new Error('the engine failed to load');
    await page.waitForTimeout(500);
    // What crossed the wire: responses the network answered (not those the service worker or
    // the HTTP cache gave from memory).
    const network = seen.filter((r) => !r.fromServiceWorker);
    const wire = network.reduce((n, r) => n + r.wire, 0);
    const counts = new Map();
    for (const r of network.filter((x) => x.status === 200)) counts.set(r.url, (counts.get(r.url) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([u, n]) => `${u} x${n}`);
    return { readyMs, wire, requests: network.length, bodies: network.filter((r) => r.status === 200).length, revalidated: network.filter((r) => r.status === 304).length, twice, encodings: [...new Set(network.map((r) => r.encoding || 'identity'))].join('+') };
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
  const links = [['loopback', site.address().port]];
  let proxy = null;
  if (!argv.includes('--skip-throttled')) {
    proxy = await throttle(site.address().port, MBIT, LATENCY_MS);
    links.push([`${MBIT} Mbit/s`, proxy.address().port]);
  }
  for (const [link, port] of links) {
    const visits = [];
    for (let i = 0; i < RUNS; i += 1) visits.push(await visit(`http://127.0.0.1:${port}`));
    rows.push({ compression: name, link, ...visits[0], readyMs: median(visits.map((v) => v.readyMs)), wire: median(visits.map((v) => v.wire)), runs: visits.map((v) => v.readyMs) });
    console.error(`${name} ${link}: ready ${rows.at(-1).readyMs} ms (${rows.at(-1).runs.join(', ')}), ${(rows.at(-1).wire / 1e6).toFixed(2)} MB`);
  }
  proxy?.close();
  site.closeAllConnections?.();
  site.close();
}

console.log(`\nFirst visit to the facegate page (fresh profile each visit; median of ${RUNS}; ${MBIT} Mbit/s link: +${LATENCY_MS} ms per chunk)\n`);
console.log('| compression | link | MB on the wire | requests (200 / 304) | a file fetched twice | time to ready (ms) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.compression} (${r.encodings}) | ${r.link} | ${(r.wire / 1e6).toFixed(2)} | ${r.requests} (${r.bodies} / ${r.revalidated}) | ${r.twice.join(', ') || 'none'} | ${r.readyMs} (${r.runs.join(', ')}) |`);
}
