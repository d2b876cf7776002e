// The on-page request counter (docs/privacy/threat-model.md, TM-5): how many requests were made
// after the page's own files loaded, from every place that can make one, and how many were
// blocked. It stays at 0; each request, if one ever happened, is listed in the tooltip.
//
// What it sees:
// - the page: its Resource Timing entries and its CSP violations;
// - the facegate worker: the same, reported by js/facegate-worker.js;
// - the service worker: every fetch event, and each request it refused (another origin, or a
//   method other than GET/HEAD), reported by sw.js.
// The worker and the service worker report on the 'facegate-netmeter' BroadcastChannel.
//
// What is not counted: the page's own files while they load (the shell before ready, and the
// engine's files between the first Continue and engine ready; a request for them outside those
// windows counts). What it cannot see: the browser's own check for a new sw.js (Chromium makes
// it after a load; it carries no data of the page), WebRTC (the page uses none; the CSP cannot
// block it) and navigations to other pages (the page links nowhere).
//
// One request seen by two observers (the page and the service worker) counts once: per URL,
// the larger of the service worker's count and the page's plus the worker's. One blocked attempt
// counts once too: the page has two CSPs (the meta and the header), so the browser reports each
// blocked request once per policy (reports of one attempt differ only in their policy), and a
// blocked image or fetch may also leave a Resource Timing entry, or be refused by the service
// worker as well: those are the same attempt.
import { onLanguageChange, t } from './i18n.js';

/** Whether `url` is one of the engine's files (the package under pkg/, the worker). */
function engineFile(url) {
  try {
    const u = new URL(url, document.baseURI);
    const base = new URL('./', document.baseURI);
    if (u.origin !== base.origin || !u.pathname.startsWith(base.pathname)) return false;
    const path = u.pathname.slice(base.pathname.length);
    return path.startsWith('pkg/') || path === 'js/facegate-worker.js';
  } catch {
    return false;
  }
}

/**
 * Starts counting into `output` (an <output>); its closest [title] element gets the list.
 * Returns `{ ready(), engineLoading(), engineReady(), counts() }`: `ready()` when the page's own
 * files have loaded; the engine window opens at `engineLoading()` and closes at `engineReady()`.
 */
export function startNetMeter(output) {
  const events = [];
  const now = () => performance.timeOrigin + performance.now();
  let readyAt = Infinity;
  // The engine's own files load in these windows: its download, and each restart of its worker
  // (Erase everything ends the worker to hand its memory back, and starts a fresh one).
  const engineWindows = [];

  const inEngineWindow = (e) => engineWindows.some((w) => e.time >= w.from && e.time <= w.to);
  const counted = (e) => {
    if (e.blocked) return true;
    if (e.time < readyAt) return false;
    return !(inEngineWindow(e) && engineFile(e.url));
  };

  /** How far apart (ms) two reports of one blocked attempt may be. */
  const SAME_ATTEMPT_MS = 2_000;
  /** The blocked attempts: reports grouped per attempt (same URL and place, one per policy). */
  const attempts = () => {
    const groups = [];
    for (const e of events) {
      if (!e.blocked) continue;
      const key = `${e.url}|${e.directive ?? ''}|${e.where ?? ''}`;
      const group = groups.findLast((g) => g.key === key && e.time - g.time <= SAME_ATTEMPT_MS && !g.policies.has(e.policy ?? e.source));
      if (group) group.policies.add(e.policy ?? e.source);
      else groups.push({ key, url: e.url, source: e.source, time: e.time, policies: new Set([e.policy ?? e.source]) });
    }
    return groups;
  };

  const counts = () => {
    const blocked = attempts();
    /** Whether a request entry is the trace of a blocked attempt (Resource Timing keeps one for a blocked image). */
    const traceOfBlocked = (e) => blocked.some((b) => b.url === e.url && Math.abs(e.time - b.time) <= SAME_ATTEMPT_MS);
    const perUrl = new Map();
    const bySource = { page: 0, worker: 0, serviceWorker: 0 };
    for (const e of events) {
      if (e.blocked || !counted(e) || traceOfBlocked(e)) continue;
      const c = perUrl.get(e.url) ?? { serviceWorker: 0, client: 0 };
      if (e.source === 'serviceWorker') c.serviceWorker += 1;
      else c.client += 1;
      perUrl.set(e.url, c);
      bySource[e.source] += 1;
    }
    const requests = [];
    for (const [url, c] of perUrl) for (let i = 0; i < Math.max(c.serviceWorker, c.client); i += 1) requests.push(url);
    return { requests, blocked: blocked.map((b) => `${b.source}: ${b.url}`), bySource };
  };

  const show = () => {
    const c = counts();
    output.value = String(c.requests.length + c.blocked.length);
    output.textContent = output.value;
    output.dataset.requests = String(c.requests.length);
    output.dataset.blocked = String(c.blocked.length);
    output.dataset.sources = JSON.stringify(c.bySource);
    output.closest('[title]')?.setAttribute('title', [t('netExplain'), ...c.requests, ...c.blocked.map((b) => `blocked: ${b}`)].join('\n'));
  };

  const add = (e) => {
    events.push(e);
    show();
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) add({ source: 'page', url: entry.name, time: performance.timeOrigin + entry.startTime });
  }).observe({ type: 'resource', buffered: true });
  document.addEventListener('securitypolicyviolation', (e) => {
    add({ ...violation(e), source: 'page', time: now() });
  });
  if (typeof BroadcastChannel === 'function') {
    new BroadcastChannel('facegate-netmeter').addEventListener('message', ({ data }) => {
      if (!data || typeof data.url !== 'string' || !['worker', 'serviceWorker'].includes(data.source)) return;
      const blocked = Boolean(data.blocked || data.refused);
      add({
        source: data.source,
        url: data.url,
        time: Number(data.time) || now(),
        blocked,
        // A worker's CSP report carries its policy and place; a service worker refusal is one more report of the same attempt.
        ...(blocked ? { policy: String(data.policy ?? data.source), directive: data.directive, where: data.where } : {}),
      });
    });
  }
  show();
  onLanguageChange(show);

  return {
    ready() {
      readyAt = now();
      show();
    },
    engineLoading() {
      if (!engineWindows.some((w) => w.to === Infinity)) engineWindows.push({ from: now(), to: Infinity });
    },
    engineReady() {
      const open = engineWindows.find((w) => w.to === Infinity);
      if (open) open.to = now();
      show();
    },
    counts,
  };
}

/** A CSP violation event as a blocked attempt: its URL, the policy that reported it, and where. */
export function violation(e) {
  return {
    url: e.blockedURI || e.violatedDirective,
    blocked: true,
    policy: e.originalPolicy,
    directive: e.effectiveDirective || e.violatedDirective,
    where: `${e.sourceFile ?? ''}:${e.lineNumber ?? 0}:${e.columnNumber ?? 0}`,
  };
}
