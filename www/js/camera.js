// The camera's stream lifecycle (docs/privacy/threat-model.md, TM-7): started only by the user's
// click (after consent), and stopped
// - after each snapshot and by "Turn the camera off" (the caller calls stopCamera),
// - when the screen that shows it is left (its .screen gets [hidden]) or its video leaves the page,
// - when the tab is hidden (visibilitychange) or the page is left (pagehide),
// - by "Erase everything" (stopAllCameras).
// Every stream ever opened is tracked until its tracks are stopped: a stream that arrives after
// its screen was left, the tab hidden or everything stopped (permission prompts take time) is
// stopped at once. One start at a time per video: a double click cannot open two streams.
// Live guidance (issue 13) builds on this module's API; it never opens a stream of its own.

/** Every stream opened and not yet stopped, with the video showing it and its onStopped. */
const streams = new Map();
/** Pending starts, per video. */
const pending = new Map();
/** Bumped by stopAllCameras (and per video by stopCamera): a start pending across it ends stopped. */
let generation = 0;
const videoGeneration = new WeakMap();
let watching = false;

/** Whether `video` may show the camera now: on the page, on the visible screen, tab visible. */
function allowed(video) {
  return video.isConnected && !video.closest('.screen')?.hidden && document.visibilityState !== 'hidden';
}

function stopStream(stream) {
  for (const track of stream.getTracks()) track.stop();
  const owner = streams.get(stream);
  streams.delete(stream);
  if (owner?.video.srcObject === stream) owner.video.srcObject = null;
  owner?.onStopped?.();
}

/** Stops the streams that may no longer run (their screen left, the tab hidden). */
function enforce() {
  for (const [stream, { video }] of streams) if (!allowed(video)) stopStream(stream);
}

function watch() {
  if (watching) return;
  watching = true;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') stopAllCameras();
  });
  window.addEventListener('pagehide', () => stopAllCameras());
  new MutationObserver(enforce).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
}

/**
 * Starts the camera into `video`; resolves to the stream. `onStopped()` runs when the stream is
 * stopped, whoever stops it. While a start is pending for `video`, a second call returns the
 * same promise. Rejects with `{ code: 'cameraCancelled' }` when the screen was left, the tab
 * hidden or every camera stopped while permission was pending (the stream is then stopped).
 */
export function startCamera(video, { onStopped } = {}) {
  watch();
  if (pending.has(video)) return pending.get(video);
  const started = generation;
  const startedVideo = videoGeneration.get(video) ?? 0;
  const start = (async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
    streams.set(stream, { video, onStopped });
    if (started !== generation || startedVideo !== (videoGeneration.get(video) ?? 0) || !allowed(video)) {
      stopStream(stream);
      throw Object.assign(new Error('the camera was stopped before it started'), { code: 'cameraCancelled' });
    }
    const previous = video.srcObject;
    if (previous && previous !== stream && streams.has(previous)) stopStream(previous);
    video.srcObject = stream;
    await video.play().catch(() => {});
    return stream;
  })();
  pending.set(video, start);
  start.then(() => pending.delete(video), () => pending.delete(video));
  return start;
}

/** The current frame of `video` as an ImageBitmap. */
export function snapshot(video) {
  return createImageBitmap(video);
}

/** Stops the stream shown in `video` (and a start pending for it). */
export function stopCamera(video) {
  videoGeneration.set(video, (videoGeneration.get(video) ?? 0) + 1);
  for (const [stream, owner] of streams) if (owner.video === video) stopStream(stream);
  video.srcObject = null;
}

/** Stops every stream the page opened, and every start still waiting for permission. */
export function stopAllCameras() {
  generation += 1;
  for (const stream of [...streams.keys()]) stopStream(stream);
  for (const video of document.querySelectorAll('video')) video.srcObject = null;
}

/** How many camera tracks are live. */
export function liveCameraTracks() {
  let n = 0;
  for (const stream of streams.keys()) n += stream.getTracks().filter((t) => t.readyState === 'live').length;
  return n;
}

/** Whether any camera track is still live. */
export function cameraOn() {
  return liveCameraTracks() > 0;
}
