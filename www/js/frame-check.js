// Refuses to run inside a frame, on any host (docs/privacy/threat-model.md, TM-3). The policy's
// frame-ancestors 'none' does this where the response carries it as a header (scripts/serve.mjs,
// the service worker); a static host that sends no header and a first visit before the service
// worker runs need this check. A classic script, first in <head>, so that it runs before anything
// else is parsed: framed, it stops the document and empties it, and the app never starts.
// style.css shows the page only once this script marked it top-level, so a frame that forbids
// scripts shows nothing either.
if (window.self === window.top) {
  document.documentElement.dataset.toplevel = '';
} else {
  window.stop();
  document.documentElement.replaceChildren();
}
