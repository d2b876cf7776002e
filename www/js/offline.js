// Offline use: a service worker (www/sw.js) keeps a copy of the page's own files. On a first
// visit the page waits (briefly) for it to take control before loading the engine, so that the
// wasm and the models pass through it and are cached too.

/** Registers the service worker; resolves to true once it controls this page. */
export async function registerServiceWorker(timeoutMs = 4000) {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return false;
  try {
    await navigator.serviceWorker.register('sw.js', { scope: './' });
    if (navigator.serviceWorker.controller) return true;
    await Promise.race([
      new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true })),
      new Promise((ok) => setTimeout(ok, timeoutMs)),
    ]);
    return Boolean(navigator.serviceWorker.controller);
  } catch {
    return false;
  }
}
