// "Working on it": the region where an action runs says so at once (aria-busy="true", which
// screen readers announce) and shows what it is doing with a spinner. While the engine is still
// downloading, the note also shows how far the download is, so that nobody waits in silence.
import { t, num, onLanguageChange } from './i18n.js';

/** The engine's loading state, as app.js reports it: `{ fraction, ready, failed }`. */
const engine = { fraction: 0, ready: false, failed: false };
const notes = new Set();
const depth = new WeakMap();

/** Records the engine's loading progress (`fraction` 0..1, or `ready`/`failed`); notes follow. */
export function engineProgress(update) {
  Object.assign(engine, update);
  for (const refresh of notes) refresh();
}

onLanguageChange(() => {
  for (const refresh of notes) refresh();
});

/**
 * Marks `region` busy and shows `t(key)` with a spinner, in `parent` (default: the region).
 * Returns `done()`, which removes both; nested calls on one region keep it busy until the last
 * one is done. Call it first thing in an event handler: the mark is set synchronously.
 */
export function busy(region, key, { parent = region } = {}) {
  depth.set(region, (depth.get(region) ?? 0) + 1);
  region.setAttribute('aria-busy', 'true');
  const note = document.createElement('p');
  note.className = 'busy-note';
  note.dataset.busy = key;
  const spinner = document.createElement('span');
  spinner.className = 'spinner';
  spinner.setAttribute('aria-hidden', 'true');
  const text = document.createElement('span');
  const bar = document.createElement('progress');
  bar.max = 1;
  note.append(spinner, text, bar);
  const refresh = () => {
    const waiting = !engine.ready && !engine.failed;
    text.textContent = !waiting ? t(key)
      : engine.fraction < 1 ? t('busyWithLoad', { what: t(key), pct: num(engine.fraction, { style: 'percent' }) })
        : t('busyWithPrepare', { what: t(key) });
    bar.hidden = !waiting;
    bar.value = engine.fraction;
  };
  refresh();
  notes.add(refresh);
  parent.append(note);
  let finished = false;
  return () => {
    if (finished) return;
    finished = true;
    notes.delete(refresh);
    note.remove();
    const left = depth.get(region) - 1;
    depth.set(region, left);
    if (left === 0) region.setAttribute('aria-busy', 'false');
  };
}

/** Runs `work()` with `region` marked busy (see `busy`), and returns its result. */
export async function whileBusy(region, key, work, options) {
  const done = busy(region, key, options);
  try {
    return await work();
  } finally {
    done();
  }
}
