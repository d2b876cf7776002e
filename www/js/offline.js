// The service worker (www/sw.js): it carries the page's security policy on any static host and
// keeps an offline copy of the page's own files (docs/privacy/threat-model.md, TM-1, TM-6).
//
// The facegate worker, which holds photos and templates, must never run outside the policy: a
// meta CSP does not reach workers, and a static host may send no header at all. So the engine
// starts only when the worker's script, fetched as the page would fetch it (through the service
// worker when it controls the page, else from the host), carries exactly the policy's CSP. And a
// document that came without the policy's headers (a first visit on a host that sends none)
// reloads once, when the service worker controls it, so that it carries them too
// (frame-ancestors, Permissions-Policy, cross-origin isolation).

/** The CSP header as `{ directive: [sources, sorted] }`. */
export function parseCsp(text) {
  const out = {};
  for (const part of String(text ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/).filter(Boolean);
    if (name && !(name.toLowerCase() in out)) out[name.toLowerCase()] = sources.sort();
  }
  return out;
}

/** Whether two CSPs have exactly the same directives and sources (order aside). */
export function sameCsp(a, b) {
  if (!a || !b) return false;
  return JSON.stringify(Object.entries(parseCsp(a)).sort()) === JSON.stringify(Object.entries(parseCsp(b)).sort());
}

function controlled() {
  if (navigator.serviceWorker.controller) return Promise.resolve(true);
  return new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', () => ok(true), { once: true }));
}

function within(ms, promise, fallback) {
  return Promise.race([promise, new Promise((ok) => setTimeout(() => ok(fallback), ms))]);
}

/**
 * Registers the service worker and waits until it controls this page. Resolves to
 * `{ reloading: true }` when the page is about to reload once (the caller stops there), else to
 * `{ offline, documentCovered, workerCovered }`: `offline` when the service worker controls the
 * page (its offline copy is in use); `documentCovered` when this document came with the policy's
 * headers (it is then cross-origin isolated); `workerCovered` when the facegate worker's script
 * is served with the policy's CSP, as the page sees it (else the engine must not start).
 */
export async function ensurePolicy({ timeoutMs = 15_000 } = {}) {
  let offline = false;
  if ('serviceWorker' in navigator && window.isSecureContext) {
    try {
      // updateViaCache 'all': the browser's own check for a new sw.js may be answered by the
      // HTTP cache, where the host allows it, instead of the network.
      const registration = await navigator.serviceWorker.register('sw.js', { scope: './', updateViaCache: 'all' });
      offline = await within(timeoutMs, controlled(), false);
      // Without the policy's headers (a first visit on a host that sends none, or a service
      // worker from an older version of the page): let the current service worker take over, then
      // reload once. history.state survives the reload, so a browser where it does not help
      // cannot loop.
      if (offline && !globalThis.crossOriginIsolated && !history.state?.facegatePolicyReload) {
        await within(timeoutMs, registration.update().catch(() => {}), null);
        if (registration.installing || registration.waiting) {
          await within(timeoutMs, new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true })), null);
        }
        history.replaceState({ ...history.state, facegatePolicyReload: true }, '');
        location.reload();
        return { reloading: true };
      }
    } catch {
      offline = false;
    }
  }
  return { offline, documentCovered: globalThis.crossOriginIsolated === true, workerCovered: await workerUnderPolicy() };
}

/**
 * Whether the facegate worker's script comes with the policy's CSP, exactly: through the service
 * worker when it controls the page, else from the host. (A meta CSP does not reach a worker.)
 */
async function workerUnderPolicy() {
  try {
    const response = await fetch('js/facegate-worker.js', { method: 'HEAD', cache: 'no-store' });
    return sameCsp(response.headers.get('Content-Security-Policy'), globalThis.FACEGATE_POLICY?.headers['Content-Security-Policy']);
  } catch {
    return false;
  }
}

/** Bytes this site keeps in CacheStorage (the offline copy), and how many files. */
export async function offlineCopySize() {
  if (!('caches' in globalThis)) return { files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      files += 1;
      bytes += Number(response.headers.get('Content-Length')) || (await response.arrayBuffer()).byteLength;
    }
  }
  return { files, bytes };
}

/** Removes the offline copy: every cache of this site and the service worker's registration. */
export async function clearOfflineCopy() {
  // The service worker keeps serving this tab until it closes: it must stop copying files too.
  navigator.serviceWorker?.controller?.postMessage({ type: 'forgetOfflineCopy' });
  if ('caches' in globalThis) for (const name of await caches.keys()) await caches.delete(name);
  if ('serviceWorker' in navigator) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  }
}
