// The facegate worker as this page starts it: the package's own worker (../pkg/worker.js, which
// does all the work), plus a report of this worker's network activity to the page's request
// counter (docs/privacy/threat-model.md, TM-5). A worker's requests are invisible to the page's
// Resource Timing, and a CSP violation in a worker fires in the worker, not in the page: this
// module posts both on the 'facegate-netmeter' BroadcastChannel (same-origin, never the network).
import '../pkg/worker.js';

const channel = new BroadcastChannel('facegate-netmeter');

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    channel.postMessage({ source: 'worker', url: entry.name, time: performance.timeOrigin + entry.startTime });
  }
}).observe({ type: 'resource', buffered: true });

self.addEventListener('securitypolicyviolation', (event) => {
  channel.postMessage({
    source: 'worker',
    url: event.blockedURI || event.violatedDirective,
    time: Date.now(),
    blocked: true,
    policy: event.originalPolicy,
    directive: event.effectiveDirective || event.violatedDirective,
    where: `${event.sourceFile ?? ''}:${event.lineNumber ?? 0}:${event.columnNumber ?? 0}`,
  });
});
