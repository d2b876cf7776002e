// facegate's security policy: the one source of the headers that every response of this site
// carries. Read by the service worker (sw.js, importScripts) and by scripts/serve.mjs (which
// evaluates this file), and compared by the tests with the meta CSP of index.html, with the
// served headers and with the service worker's responses (docs/privacy/threat-model.md, TM-2).
//
// A classic script (no import/export) on purpose: a service worker must work in every browser,
// and module service workers do not. It defines one global, FACEGATE_POLICY.
//
// - Content-Security-Policy: only this site's own files; wasm may compile; no inline script or
//   style, no plugin, no <base>, no form submission, no framing (frame-ancestors needs a header:
//   the service worker supplies it on hosts that send none; js/frame-check.js covers the rest).
// - Permissions-Policy: the camera for this site only; no microphone, no location.
// - Referrer-Policy: no URL of this page is ever sent as a referrer.
// - X-Content-Type-Options: files are used only as the type they are served as.
// - Cross-origin isolation (COOP, COEP, CORP): no other site's window can hold a reference to
//   this one, nothing of another origin can be embedded, and the threaded engine may use
//   SharedArrayBuffer.
// eslint-disable-next-line no-unused-vars, no-var
var FACEGATE_POLICY = (function () {
  const csp = [
    ['default-src', "'none'"],
    ['script-src', "'self'", "'wasm-unsafe-eval'"],
    ['connect-src', "'self'"],
    ['img-src', "'self'", 'blob:', 'data:'],
    ['style-src', "'self'"],
    ['worker-src', "'self'"],
    ['manifest-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  const cspText = (directives) => directives.map((d) => d.join(' ')).join('; ');
  return Object.freeze({
    /** The CSP as `[directive, ...sources]` rows. */
    csp: Object.freeze(csp.map((d) => Object.freeze(d))),
    /** The CSP a <meta> can carry: the same, less frame-ancestors (ignored in a meta). */
    metaCsp: cspText(csp.filter(([name]) => name !== 'frame-ancestors')),
    /** Every security header, by name. */
    headers: Object.freeze({
      'Content-Security-Policy': cspText(csp),
      'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    }),
  });
})();
