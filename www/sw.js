// facegate's service worker: keeps a copy of the page's own files so that the page works offline
// once loaded. It handles only same-origin GET requests (the page makes no other kind) and caches
// only successful responses of this site's own files: no photo, template or result ever passes
// through it, because none is ever requested or sent.
//
// Network first, cache as fallback: online, the page always gets the current files (the HTTP
// cache still saves the downloads); offline, the cached copy.
const CACHE = 'facegate-page-v1';

// The page's shell, fetched before this worker controls the page on a first visit. The engine
// (wasm, models, worker) is loaded after it controls the page, so it is cached as it passes.
const SHELL = [
  './', 'index.html', 'style.css', 'calibration.json',
  'i18n/en.js', 'i18n/fr.js',
  'js/app.js', 'js/camera.js', 'js/check.js', 'js/consent.js', 'js/curve.js', 'js/detect-photo.js',
  'js/engine.js', 'js/errors.js', 'js/i18n.js', 'js/mydata.js', 'js/netmeter.js', 'js/nutrition.js',
  'js/offline.js', 'js/photo-source.js', 'js/photo.js', 'js/picker.js', 'js/references.js',
  'js/result-card.js', 'js/screens.js', 'js/teach.js',
  'pkg/index.js', 'pkg/image.js', 'pkg/protocol.js', 'pkg/manifest.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkFirst(request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}
