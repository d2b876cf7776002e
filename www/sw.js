// facegate's service worker: it carries the page's security policy on any static host, refuses
// every request that would leave this site, reports what it sees to the page's request counter,
// and keeps a copy of the page's own files so that the page works offline once loaded.
//
// - Policy: every response it serves for this site's files (the page, its scripts, the facegate
//   worker, the wasm, the models) carries FACEGATE_POLICY's headers (policy.js), whatever the host
//   sent. A host that sends no header at all still gets a worker under CSP, frame-ancestors,
//   a Permissions-Policy and cross-origin isolation (docs/privacy/threat-model.md, TM-1, TM-2).
// - Refusal: a request from the page or its workers to another origin, or with a method other
//   than GET or HEAD, gets a network error; nothing is sent (TM-4).
// - Counting: each fetch event is posted on the 'facegate-netmeter' BroadcastChannel (a local,
//   same-origin message), so that the page counts requests it cannot see itself (TM-5).
// - Offline copy: only an allowlist of this site's own files is ever cached: the page's shell at
//   install, the engine (the package under pkg/ and the worker) when it passes after consent.
//   No photo, template or result ever passes through here: none is ever requested or sent.
//
// Network first, cache as fallback: online, the page always gets the current files (the HTTP
// cache still saves the downloads); offline, the cached copy.
importScripts('policy.js');

const CACHE = 'facegate-page-v2';

// The page's shell: what a visitor who refuses consent needs, fetched at install.
const SHELL = [
  './', 'index.html', 'style.css', 'calibration.json', 'policy.js',
  'i18n/en.js', 'i18n/fr.js',
  'js/app.js', 'js/busy.js', 'js/camera-guide.js', 'js/camera-preview.js', 'js/camera.js', 'js/check.js', 'js/confirm.js',
  'js/consent.js', 'js/curve.js', 'js/detect-photo.js', 'js/engine.js', 'js/errors.js', 'js/frame-check.js',
  'js/framing.js', 'js/i18n.js', 'js/mydata.js', 'js/netmeter.js', 'js/nutrition.js', 'js/offline.js',
  'js/offline-copy.js', 'js/photo-source.js', 'js/photo.js', 'js/picker.js', 'js/purposes.js', 'js/references.js',
  'js/result-card.js', 'js/screens.js', 'js/teach.js',
  'pkg/index.js', 'pkg/image.js', 'pkg/protocol.js', 'pkg/manifest.js',
];
// The engine: downloaded only after consent, cached as it passes. The package's own files are
// matched by folder and type (its wasm builds and helper scripts vary with the build).
const ENGINE = ['js/facegate-worker.js'];
const ENGINE_FOLDER = /^pkg\/(?:[\w.-]+\/)*[\w.-]+\.(?:js|wasm|onnx)$/;

const scope = new URL(self.registration.scope);
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('facegate-netmeter') : null;

/** The path of a URL of this site relative to the scope ('' for the page itself), else null. */
function ownPath(url) {
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  return url.pathname.slice(scope.pathname.length);
}

/** Whether a copy of this file may be kept (the allowlist). */
function cacheable(path) {
  return path === '' || SHELL.includes(path) || ENGINE.includes(path) || ENGINE_FOLDER.test(path);
}

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

// After "Remove the offline copy" (js/offline.js) this worker, which keeps serving the open tab
// until it closes, stops copying files.
let keeping = true;
self.addEventListener('message', (event) => {
  const type = event.data?.type;
  if (type === 'forgetOfflineCopy') keeping = false;
  // A page this worker does not control (a reload that bypassed it) asks to be taken over, so
  // that it does not wait or run outside the policy (js/offline.js).
  if (type === 'claim') event.waitUntil(self.clients.claim());
  // The visitor went back or refused after the engine's download started: its files go (the
  // page's shell stays), and the page is told when it is done.
  if (type === 'forgetEngine') event.waitUntil(forgetEngine().then(() => event.ports[0]?.postMessage('done')));
});

/** The engine's downloads under way (their AbortControllers): copying a file keeps its download
 *  going after the page's worker stopped waiting for it, so going back must cancel them here. */
const engineDownloads = new Set();

/** Whether `path` is one of the engine's files (not the page's shell). */
function engineFile(path) {
  return path !== null && path !== '' && !SHELL.includes(path) && cacheable(path);
}

/** Cancels the engine's downloads and removes its files from the offline copy. (Another tab
 *  downloading the engine at that very moment loses its download too, and may try again.) */
async function forgetEngine() {
  for (const controller of engineDownloads) controller.abort();
  engineDownloads.clear();
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (engineFile(ownPath(new URL(request.url)))) await cache.delete(request);
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const path = ownPath(url);
  const refused = url.origin !== self.location.origin || (request.method !== 'GET' && request.method !== 'HEAD');
  channel?.postMessage({ source: 'serviceWorker', url: request.url, method: request.method, time: Date.now(), refused });
  if (refused) {
    event.respondWith(Response.error());
    return;
  }
  event.respondWith(networkFirst(request, path !== null && cacheable(path), engineFile(path)));
});

/** From the network, copying an allowlisted file as it passes; offline, from the copy. An engine
 *  file's download can be cancelled (forgetEngine). */
async function networkFirst(request, allowlisted, engine) {
  const head = request.method === 'HEAD';
  const controller = engine && !head ? new AbortController() : null;
  if (controller) engineDownloads.add(controller);
  try {
    const signal = controller && (AbortSignal.any ? AbortSignal.any([request.signal, controller.signal]) : controller.signal);
    const response = await (signal ? fetch(request, { signal }) : fetch(request));
    if (allowlisted && !head && keeping && response.ok && response.type === 'basic') {
      const cache = await caches.open(CACHE);
      // (A download cancelled meanwhile is not kept.)
      await cache.put(request, response.clone()).catch(() => {});
    }
    return withPolicy(response);
  } catch (error) {
    if (controller?.signal.aborted) throw error;
    // (A HEAD request, such as the page's check of the worker's headers, gets the copy's headers.)
    const cached = allowlisted ? await caches.match(request, { ignoreSearch: true, ignoreMethod: head }) : undefined;
    if (cached) return withPolicy(cached, head);
    throw error;
  } finally {
    if (controller) engineDownloads.delete(controller);
  }
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The response with FACEGATE_POLICY's headers set (a redirect or an error passes as it is). */
function withPolicy(response, bodyless = false) {
  if (response.type === 'opaqueredirect' || response.type === 'error' || response.type === 'opaque') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(FACEGATE_POLICY.headers)) headers.set(name, value);
  const body = bodyless || NULL_BODY.has(response.status) ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
