// The page on a static host that sends NO header (no CSP, no Permissions-Policy, no cache
// validators), as most static hosts do. The service worker must carry the policy: the page
// reloads once into it, the document, the facegate worker and every file carry the policy's
// headers, a request to another origin from the page or from inside the worker is blocked and
// counted, framed the page refuses to run, nothing heavy is downloaded before consent, and the
// full flow makes no request after ready. Figures go to out/privacy-figures.json.
// Claims: docs/privacy/threat-model.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO, launchBrowser, openPage } from './helpers.mjs';
import { WWW, ensurePageBuilt, fullFlow } from './page-helpers.mjs';
import { POLICY, cspSet, markTimes, meter, serveBare, serveOtherOrigin, waitInPage } from './privacy-helpers.mjs';

const env = { bare: null, other: null, browser: null };
const figures = {};

before(async () => {
  ensurePageBuilt();
  env.bare = await serveBare(WWW);
  const framer = `<!doctype html><title>framer</title><iframe src="${env.bare.origin}/" width="800" height="600"></iframe>`;
  env.other = await serveOtherOrigin({ '/frame.html': framer });
  env.browser = await launchBrowser();
});

after(async () => {
  mkdirSync(join(REPO, 'out'), { recursive: true });
  const path = join(REPO, 'out/privacy-figures.json');
  let previous = {};
  try {
    previous = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // first run
  }
  writeFileSync(path, `${JSON.stringify({ ...previous, ...figures }, null, 2)}\n`);
  console.log(`privacy figures: ${JSON.stringify(figures)}`);
  await env.browser?.close();
  await env.bare?.close();
  await env.other?.close();
});

/** The service worker's allowlists, read from www/sw.js. */
function swLists() {
  const sw = readFileSync(join(WWW, 'sw.js'), 'utf8');
  const list = (name) => JSON.parse(sw.match(new RegExp(`const ${name} = (\\[[\\s\\S]*?\\]);`))[1].replace(/'/g, '"').replace(/,\s*\]/, ']'));
  const folder = new RegExp(sw.match(/const ENGINE_FOLDER = \/(.+)\/;/)[1]);
  return { shell: list('SHELL'), engine: list('ENGINE'), folder };
}

/** Opens the page on the bare host in a fresh context and waits until it is ready (after its one reload). */
async function openBare(contextOptions) {
  const context = await env.browser.newContext(contextOptions);
  const opened = await openPage(context);
  const responses = [];
  context.on('response', (r) => responses.push(r));
  const wireStart = env.bare.wire.length;
  await opened.page.goto(`${env.bare.origin}/`);
  await waitInPage(opened.page, () => document.body?.dataset.ready === 'true');
  return { ...opened, responses, wireStart };
}

const POLICY_HEADERS = Object.entries(POLICY.headers).map(([k, v]) => [k.toLowerCase(), v]);

/** Asserts that `headers` carry every header of the policy, the CSP compared as parsed directive sets. */
function assertPolicyHeaders(headers, what) {
  assert.deepEqual(cspSet(headers['content-security-policy']), cspSet(POLICY.headers['Content-Security-Policy']), `${what}: CSP`);
  for (const [name, value] of POLICY_HEADERS) {
    if (name !== 'content-security-policy') assert.equal(headers[name], value, `${what}: ${name}`);
  }
}

test('TM-1 TM-2 TM-5 on a host that sends no header: one reload into the policy, the document and the worker under it, zero requests after ready through the full flow', async () => {
  const { page, context, responses, pageErrors } = await openBare();
  try {
    const state = await page.evaluate(() => ({
      isolated: crossOriginIsolated,
      controlled: Boolean(navigator.serviceWorker.controller),
      // (history.state's loop guard does not survive this reload: COOP swaps the browsing context group.)
      reloaded: performance.getEntriesByType('navigation')[0].type === 'reload',
      microphone: document.featurePolicy?.allowsFeature('microphone'),
      geolocation: document.featurePolicy?.allowsFeature('geolocation'),
      camera: document.featurePolicy?.allowsFeature('camera'),
      policy: JSON.parse(document.body.dataset.policy),
    }));
    assert.deepEqual(state, {
      isolated: true, controlled: true, reloaded: true, microphone: false, geolocation: false, camera: true,
      policy: { document: true, worker: true, offline: true, reason: 'covered' },
    }, 'after one reload the document came from the service worker, with the policy');
    // The page's own document responses (not the service worker's fetches on its behalf).
    const documents = responses.filter((r) => r.request().resourceType() === 'document' && r.url() === `${env.bare.origin}/` && !r.request().serviceWorker?.());
    assert.ok(documents.length >= 2, `the page loaded ${documents.length} time(s), not twice`);
    assert.equal(documents.at(-1).fromServiceWorker(), true, 'after the reload, the page came from the service worker');
    assertPolicyHeaders(await documents.at(-1).allHeaders(), 'the page after the reload');
    assert.equal((await documents[0].allHeaders())['content-security-policy'], undefined, 'the host itself sends no CSP');

    // The full flow: consent (the engine downloads at the first Continue), enrol, verify, identify.
    await fullFlow(page);
    const marks = await markTimes(page, ['facegate-page-ready', 'facegate-engine-start', 'facegate-ready']);
    assert.ok(marks['facegate-ready'] > marks['facegate-engine-start'], `marks: ${JSON.stringify(marks)}`);
    const engineFile = (path) => path.startsWith('/pkg/') || path === '/js/facegate-worker.js';
    const afterReady = env.bare.wire.filter((w) => w.time >= marks['facegate-page-ready']);
    const engine = afterReady.filter((w) => w.time <= marks['facegate-ready'] + 50 && engineFile(w.path));
    const other = afterReady.filter((w) => !engine.includes(w));
    // Chromium re-checks sw.js (and its import) after a load: counted and explained, never data.
    const updateChecks = other.filter((w) => w.method === 'GET' && (w.path === '/sw.js' || w.path === '/policy.js'));
    figures.wireAfterReadyThroughFullFlow = other.length;
    figures.wireAfterReadyPaths = other.map((w) => `${w.method} ${w.path} +${w.time - Math.round(marks['facegate-page-ready'])} ms`);
    figures.consentToReadyMs = Math.round(marks['facegate-ready'] - marks['facegate-engine-start']);
    figures.engineRequests = engine.length;
    assert.deepEqual(other.filter((w) => !updateChecks.includes(w)).map((w) => `${w.method} ${w.path}`), [], 'requests on the wire after ready, other than the engine download');
    // One check after the page's load and one when the worker starts (a worker's script is a
    // "non-subresource" request, which triggers the browser's soft update), each sw.js + policy.js.
    assert.ok(updateChecks.length <= 4, `more update checks than explained: ${figures.wireAfterReadyPaths}`);
    const shown = await meter(page);
    assert.deepEqual(shown, { shown: '0', requests: 0, blocked: 0, sources: { page: 0, worker: 0, serviceWorker: 0 } }, 'the on-page counter says 0');

    // The worker's files carry the policy as the page's service worker serves them.
    const workerScript = responses.find((r) => r.url() === `${env.bare.origin}/js/facegate-worker.js` && !r.request().serviceWorker?.());
    assert.ok(workerScript, `the worker's script was not seen: ${responses.map((r) => r.url()).join(' ')}`);
    assert.equal(workerScript.fromServiceWorker(), true, 'the worker script came through the service worker');
    assertPolicyHeaders(await workerScript.allHeaders(), 'js/facegate-worker.js as the worker got it');
    // And when the page fetches them itself (these requests count on the page: 3 after ready).
    const fetched = await page.evaluate(async (paths) => Promise.all(paths.map(async (p) => {
      const r = await fetch(p, { cache: 'no-store' });
      return [p, Object.fromEntries(r.headers)];
    })), ['pkg/worker.js', 'js/facegate-worker.js', 'pkg/manifest.js']);
    for (const [path, headers] of fetched) assertPolicyHeaders(headers, `${path} fetched by the page`);
    await page.waitForFunction(() => document.getElementById('net-count').dataset.requests === '3', null, { timeout: 10_000 })
      .catch(async () => assert.fail(`the counter did not count the page's 3 fetches: ${JSON.stringify(await meter(page))}`));
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('TM-4 TM-5 a request to another origin from inside the facegate worker, or from the page, is blocked, never arrives, and is counted', async () => {
  const { page, context, workers } = await openBare();
  try {
    await page.check('#purpose-learn');
    await page.check('#consent-affirm');
    await page.click('#consent-continue');
    await waitInPage(page, () => document.body?.dataset.engine === 'ready');
    assert.ok(workers.some((u) => u.endsWith('/js/facegate-worker.js')), `workers: ${workers}`);
    const worker = page.workers().find((w) => w.url().endsWith('/js/facegate-worker.js'));
    const target = `${env.other.origin}/from-the-worker`;
    const fromWorker = await worker.evaluate(async (url) => {
      try {
        const r = await fetch(url);
        return `reached: HTTP ${r.status}`;
      } catch (e) {
        return `blocked: ${e.message}`;
      }
    }, target);
    assert.match(fromWorker, /^blocked/, 'the worker reached another origin');
    await page.waitForFunction(() => Number(document.getElementById('net-count').dataset.blocked) >= 1, null, { timeout: 10_000 })
      .catch(async () => assert.fail(`the worker's blocked request was not counted: ${JSON.stringify(await meter(page))}`));
    assert.match(await page.getAttribute('#netmeter', 'title'), /worker: http:\/\/127\.0\.0\.1:\d+\/from-the-worker/);

    const fromPage = await page.evaluate(async (url) => {
      const out = [];
      try {
        await fetch(url, { mode: 'no-cors' });
        out.push('fetch reached');
      } catch {
        out.push('fetch blocked');
      }
      const img = new Image();
      img.src = `${url}-img`;
      await img.decode().then(() => out.push('img reached'), () => out.push('img blocked'));
      out.push(navigator.sendBeacon(`${url}-beacon`, 'x') ? 'beacon queued' : 'beacon refused');
      return out;
    }, `${env.other.origin}/from-the-page`);
    assert.deepEqual(fromPage.slice(0, 2), ['fetch blocked', 'img blocked']);
    await page.waitForFunction(() => Number(document.getElementById('net-count').dataset.blocked) >= 3, null, { timeout: 10_000 })
      .catch(async () => assert.fail(`blocked attempts not all counted: ${JSON.stringify(await meter(page))}`));
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(env.other.hits, [], 'nothing reached the other origin');
  } finally {
    await context.close();
  }
});

test('TM-4 the service worker refuses other origins and non-GET requests even where the CSP is bypassed', async () => {
  const { page, context } = await openBare({ bypassCSP: true });
  try {
    const wireBefore = env.bare.wire.length;
    const results = await page.evaluate(async (url) => {
      const attempt = (u, init) => fetch(u, init).then((r) => `reached: ${r.status}`, () => 'refused');
      return [await attempt(url, { mode: 'no-cors' }), await attempt('calibration.json', { method: 'POST', body: 'x' })];
    }, `${env.other.origin}/bypassed-csp`);
    assert.deepEqual(results, ['refused', 'refused']);
    assert.deepEqual(env.other.hits, [], 'nothing reached the other origin');
    assert.deepEqual(env.bare.wire.slice(wireBefore).filter((w) => w.method === 'POST'), [], 'the POST never reached the host');
    await page.waitForFunction(() => Number(document.getElementById('net-count').dataset.blocked) >= 2, null, { timeout: 10_000 })
      .catch(async () => assert.fail(`refusals not counted: ${JSON.stringify(await meter(page))}`));
    assert.match(await page.getAttribute('#netmeter', 'title'), /serviceWorker: http:\/\/127\.0\.0\.1:\d+\/bypassed-csp/);
  } finally {
    await context.close();
  }
});

test('TM-3 framed by another site, the page refuses to run (with and without the service worker)', async () => {
  const framedState = async (page) => {
    await page.goto(`${env.other.origin}/frame.html`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'no iframe');
    return frame.evaluate(() => ({
      url: location.href,
      children: document.documentElement.children.length,
      consentScreen: Boolean(document.getElementById('screen-consent')),
      ready: document.body?.dataset.ready ?? null,
    })).catch((e) => ({ error: e.message }));
  };
  // A first visit: no service worker yet, the host sends no frame-ancestors: the script check.
  const context = await env.browser.newContext();
  try {
    const page = await context.newPage();
    const wireBefore = env.bare.wire.length;
    const first = await framedState(page);
    assert.equal(first.children, 0, `the framed page was not emptied: ${JSON.stringify(first)}`);
    assert.equal(first.consentScreen, false);
    const fetched = env.bare.wire.slice(wireBefore).map((w) => w.path);
    assert.ok(!fetched.some((p) => p === '/sw.js' || p.endsWith('.wasm') || p.endsWith('.onnx')), `framed, the page went on: ${fetched}`);
    // After a visit that installed the service worker: its frame-ancestors header blocks the frame.
    await page.goto(`${env.bare.origin}/`);
    await waitInPage(page, () => document.body?.dataset.ready === 'true');
    const second = await framedState(page);
    assert.ok(second.error || second.children === 0 || !second.url.startsWith(env.bare.origin), `the framed page ran: ${JSON.stringify(second)}`);
    assert.notEqual(second.consentScreen, true);
  } finally {
    await context.close();
  }
});

test('TM-6 nothing heavy before consent: a visitor who refuses downloads no model and keeps only the allowlisted files; the download starts at Continue, with progress', async () => {
  const { page, context, wireStart } = await openBare();
  try {
    await page.click('#consent-refuse');
    await page.waitForTimeout(1500);
    const visit = env.bare.wire.slice(wireStart);
    assert.deepEqual(visit.filter((w) => /\.(wasm|onnx)$/.test(w.path)).map((w) => w.path), [], 'a model or the wasm was downloaded before consent');
    assert.deepEqual(page.workers().map((w) => w.url()), [], 'no worker runs before consent');
    const { shell, engine, folder } = swLists();
    const cached = async () => page.evaluate(async () => {
      const out = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const r of await cache.keys()) out.push(new URL(r.url).pathname.slice(1));
      }
      return out.sort();
    });
    const refusedCache = await cached();
    assert.deepEqual(refusedCache, [...new Set(shell.map((p) => (p === './' ? '' : p)))].sort(), 'after refusing, CacheStorage holds exactly the shell');
    figures.refusingVisitorBytes = visit.reduce((n, w) => n + w.bytes, 0);
    figures.refusingVisitorRequests = visit.length;
    figures.refusingVisitorCachedFiles = refusedCache.length;

    // Consent: the download starts at the first Continue and shows its progress there.
    await page.click('#teach-back');
    await page.check('#purpose-self');
    await page.check('#consent-affirm');
    const progress = page.evaluate(() => new Promise((ok) => {
      const seen = [];
      const bar = document.getElementById('engine-bar');
      new MutationObserver(() => {
        seen.push(Number(bar.value));
        if (bar.value >= 1) ok(seen);
      }).observe(bar, { attributes: true });
      setInterval(() => seen.push(Number(bar.value)), 50);
    }));
    await page.click('#consent-continue');
    assert.equal(await page.isVisible('#engine-progress'), true, 'the progress shows on the confirmation step');
    await waitInPage(page, () => document.body?.dataset.engine === 'ready');
    const values = await Promise.race([progress, new Promise((r) => setTimeout(() => r(null), 5000))]);
    assert.ok(values?.some((v) => v > 0 && v < 1), `no intermediate progress was shown: ${values}`);
    assert.match(await page.textContent('#engine-pct'), /Downloaded/);
    const allowed = (p) => p === '' || shell.includes(p) || engine.includes(p) || folder.test(p);
    const consentedCache = await cached();
    assert.deepEqual(consentedCache.filter((p) => !allowed(p)), [], 'cached files outside the allowlist');
    assert.ok(consentedCache.some((p) => p.endsWith('.wasm')) && consentedCache.filter((p) => p.endsWith('.onnx')).length === 2, `the engine was not cached: ${consentedCache}`);
    const marks = await markTimes(page, ['facegate-engine-start', 'facegate-ready']);
    figures.consentToReadyMsCold = Math.round(marks['facegate-ready'] - marks['facegate-engine-start']);
    figures.consentedVisitorCachedFiles = consentedCache.length;
  } finally {
    await context.close();
  }
});
