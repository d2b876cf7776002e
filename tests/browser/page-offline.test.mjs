// Verified zero egress and offline use of the real page: every request from page load to the
// end of the full flow is recorded; after the page's own static files there are none, and none
// ever leaves 127.0.0.1 (the engine's download comes at consent, within the flow). Then the browser
// goes offline, the page reloads from its service worker and the full flow passes again. Also
// measures the figures: time from navigation to ready, from consent to engine ready, and the bytes
// a first visit transfers (raw and gzip), written to out/page-figures.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

import { REPO, assertOnlyLocalRequests } from './helpers.mjs';
import { WWW, fullFlow, openApp, pageEnvironment, waitReady } from './page-helpers.mjs';

const env = pageEnvironment();

/** Size of the file behind a page URL, raw and gzipped (as a static host would compress it). */
function fileSizes(url) {
  let path = new URL(url).pathname;
  if (path.endsWith('/')) path += 'index.html';
  const bytes = readFileSync(join(WWW, decodeURIComponent(path)));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The engine's files (downloaded after the first Continue of the consent screen). */
const engineFile = (url) => /\/pkg\/|\/js\/facegate-worker\.js$/.test(new URL(url).pathname);

test('TM-5 zero egress through the full flow, then the same flow offline', async () => {
  const opened = await openApp(env.browser, env.site.origin);
  const { page, context, requests } = opened;
  const failed = [];
  context.on('requestfailed', (r) => failed.push(r.url()));
  try {
    // First visit: the page's own static files; the engine comes after consent, in the flow.
    const loadRequests = requests.length;
    assertOnlyLocalRequests(requests, 'while loading');
    assert.deepEqual(requests.filter((r) => /\.(wasm|onnx)$/.test(r.url)).map((r) => r.url), [], 'nothing heavy before consent');

    await fullFlow(page);
    const flow = requests.slice(loadRequests).map((r) => r.url);
    assert.deepEqual(flow.filter((u) => !engineFile(u)), [], 'no request after the page loaded, through the whole flow, but the engine download at consent');
    const [readyMs, serviceWorkerMs, engineStart, engineReady] = await page.evaluate(() => ['facegate-page-ready', 'facegate-offline-copy', 'facegate-engine-start', 'facegate-ready']
      .map((m) => performance.getEntriesByName(m)[0].startTime));
    const files = [...new Set(requests.map((r) => r.url))].filter((u) => u.startsWith(env.site.origin));
    const sizes = files.map((u) => fileSizes(u));
    const sum = (list, k) => list.reduce((n, s) => n + s[k], 0);
    const figures = {
      readyMs: Math.round(readyMs),
      // of which waiting for the service worker to take control (first visit only)
      serviceWorkerMs: Math.round(serviceWorkerMs),
      consentToReadyMs: Math.round(engineReady - engineStart),
      // Playwright reports a request the service worker forwards twice (page and worker).
      requests: requests.length,
      distinctFiles: files.length,
      rawBytes: sum(sizes, 'raw'),
      gzipBytes: sum(sizes, 'gzip'),
      wasmBuild: files.some((u) => u.includes('facegate_relaxed_bg.wasm')) ? 'relaxed-simd' : 'simd128',
    };
    mkdirSync(join(REPO, 'out'), { recursive: true });
    writeFileSync(join(REPO, 'out/page-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`page figures: ${JSON.stringify(figures)}`);
    assert.ok(!files.some((u) => u.includes('facegate_relaxed_bg.wasm') && files.some((v) => v.endsWith('/facegate_bg.wasm'))), 'only one wasm build is downloaded');
    assert.equal(await page.textContent('#net-count'), '0', 'the on-page counter says 0');
    assert.equal(await page.getAttribute('#net-count', 'data-blocked'), '0', 'no request was even attempted (CSP)');
    assert.match(await page.textContent('#engine-state'), /works offline/);

    // Offline: reload from the service worker's copy, and do it all again.
    await context.setOffline(true);
    const beforeOffline = requests.length;
    await page.reload();
    await waitReady(opened);
    await fullFlow(page);
    const offlineRequests = requests.slice(beforeOffline);
    assertOnlyLocalRequests(offlineRequests, 'offline');
    assert.deepEqual(failed.filter((u) => !u.startsWith(env.site.origin)), [], 'nothing tried to leave');
    assert.equal(await page.textContent('#net-count'), '0');
  } finally {
    await context.setOffline(false).catch(() => {});
    await context.close();
  }
});
