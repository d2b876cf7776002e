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

/** How long a reload into the policy is remembered (history.state): a second one within it would loop. */
const RELOAD_GUARD_MS = 30_000;

/** Reloads once into the policy, unless this page already did so moments ago (no loop). */
function reloadOnce() {
  const last = Number(history.state?.facegatePolicyReload) || 0;
  if (Date.now() - last < RELOAD_GUARD_MS) return false;
  history.replaceState({ ...history.state, facegatePolicyReload: Date.now() }, '');
  location.reload();
  return true;
}

/**
 * Registers the service worker and makes sure it controls this page. Resolves to
 * `{ reloading: true }` when the page is about to reload once (the caller stops there), else to
 * `{ offline, documentCovered, worker, workerCovered }`: `offline` when the service worker controls
 * the page (its offline copy is in use); `documentCovered` when this document came with the
 * policy's headers (it is then cross-origin isolated); `worker` whether the facegate worker's
 * script comes with the policy, as the page sees it: 'covered', 'unreachable' (it could not be
 * fetched: offline, and the engine was never downloaded), 'uncontrolled' (the service worker is
 * installed but does not control this page, e.g. after a reload that bypassed it, and reloading
 * did not help) or 'policyMissing' (no service worker, and the host sends no policy);
 * `workerCovered` is `worker === 'covered'` (else the engine must not start).
 *
 * No wait when the service worker is already installed: a page it does not control (a hard
 * reload) is claimed at once, or reloaded once. Only a first visit waits for the install
 * (`timeoutMs`), with the consent boxes disabled meanwhile (index.html, js/consent.js).
 */
export async function ensurePolicy({ timeoutMs = 15_000, claimMs = 3_000 } = {}) {
  let offline = false;
  let registered = false;
  if ('serviceWorker' in navigator && window.isSecureContext) {
    try {
      // updateViaCache 'all': the browser's own check for a new sw.js may be answered by the
      // HTTP cache, where the host allows it, instead of the network.
      const registration = await navigator.serviceWorker.register('sw.js', { scope: './', updateViaCache: 'all' });
      registered = true;
      if (!navigator.serviceWorker.controller && registration.active) {
        // Installed, but this page is not controlled (a reload that bypassed the service worker):
        // it takes control at once; if it cannot, one reload does it.
        registration.active.postMessage({ type: 'claim' });
        offline = await within(claimMs, controlled(), false);
        if (!offline && reloadOnce()) return { reloading: true };
      } else {
        offline = await within(timeoutMs, controlled(), false);
      }
      // Without the policy's headers (a first visit on a host that sends none, or a service
      // worker from an older version of the page): let the current service worker take over, then
      // reload once.
      if (offline && !globalThis.crossOriginIsolated) {
        await within(timeoutMs, registration.update().catch(() => {}), null);
        if (registration.installing || registration.waiting) {
          await within(timeoutMs, new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true })), null);
        }
        if (reloadOnce()) return { reloading: true };
      }
    } catch {
      offline = false;
    }
  }
  let worker = await workerUnderPolicy();
  if (worker === 'policyMissing' && registered && !offline) worker = 'uncontrolled';
  return { offline, documentCovered: globalThis.crossOriginIsolated === true, worker, workerCovered: worker === 'covered' };
}

/**
 * Whether the facegate worker's script comes with the policy's CSP, exactly, as the page would
 * fetch it (through the service worker when it controls the page, else from the host): 'covered',
 * 'unreachable' (no answer: offline and not in the offline copy) or 'policyMissing'. (A meta CSP
 * does not reach a worker.)
 */
export async function workerUnderPolicy() {
  let response;
  try {
    response = await fetch('js/facegate-worker.js', { method: 'HEAD', cache: 'no-store' });
  } catch {
    return 'unreachable';
  }
  return sameCsp(response.headers.get('Content-Security-Policy'), globalThis.FACEGATE_POLICY?.headers['Content-Security-Policy']) ? 'covered' : 'policyMissing';
}

/** Whether the offline copy holds the engine (its worker script is copied with it). */
export async function engineCopied() {
  if (!('caches' in globalThis)) return false;
  return Boolean(await caches.match(new URL('js/facegate-worker.js', document.baseURI).href, { ignoreMethod: true }));
}

/** Removes the engine's files (not the page's shell) from the offline copy (js/sw.js does it). */
export async function forgetEngineCopy() {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return;
  const channel = new MessageChannel();
  const done = new Promise((ok) => {
    channel.port1.onmessage = () => ok();
  });
  worker.postMessage({ type: 'forgetEngine' }, [channel.port2]);
  await within(5_000, done, null);
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
      // The size stored, not Content-Length: a host that compresses sends fewer bytes than it keeps.
      bytes += (await response.blob()).size;
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
