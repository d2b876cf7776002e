// The on-page network indicator: how many requests the page made since it became ready (its own
// static files, the wasm and the models come before). It stays at 0; each request, if one ever
// happened, is listed in the indicator's tooltip. Content-Security-Policy violations (blocked
// attempts) are counted too.

/** Starts counting into `output`; `ready` resolves when the page's own files are loaded. */
export function startNetMeter(output, ready) {
  const after = [];
  const blocked = [];
  let readyAt = Infinity;
  const show = () => {
    output.value = String(after.length + blocked.length);
    output.textContent = output.value;
    output.closest('[title]')?.setAttribute('title', [...after, ...blocked.map((u) => `blocked: ${u}`)].join('\n'));
    output.dataset.requests = String(after.length);
    output.dataset.blocked = String(blocked.length);
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.startTime >= readyAt) after.push(e.name);
    show();
  }).observe({ type: 'resource', buffered: true });
  document.addEventListener('securitypolicyviolation', (e) => {
    blocked.push(e.blockedURI || e.violatedDirective);
    show();
  });
  ready.then(() => {
    readyAt = performance.now();
  }, () => {});
  show();
}
