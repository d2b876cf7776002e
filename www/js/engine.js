// Loading facegate (the npm package, copied into www/pkg by scripts/demo.sh). Nothing heavy is
// downloaded before the visitor's first "Continue" on the consent screen (docs/privacy, TM-6):
// the wasm and the models are fetched only when startEngine() is first called, and no face is
// looked at until the consent is confirmed. The worker is this page's js/facegate-worker.js (the
// package's worker plus a report to the request counter).
import { FaceGate } from '../pkg/index.js';
import { MANIFEST } from '../pkg/manifest.js';

let loading = null;
let controller = null;

/** Starts loading once; resolves to the FaceGate. `onProgress(fraction)` reports downloads. */
export function loadEngine(onProgress) {
  if (!loading) {
    controller = new AbortController();
    loading = FaceGate.load({
      workerUrl: new URL('./facegate-worker.js', import.meta.url).href,
      // The teaching mode shows a picture of a face's template (with consent naming whose face).
      teaching: true,
      onProgress: (p) => onProgress?.(p.fraction),
      signal: controller.signal,
    });
  }
  return loading;
}

/** Stops a load under way (its downloads are cancelled and its worker ends; a load already
 *  finished is not affected: dispose its FaceGate). The next loadEngine starts again. */
export function abortEngine() {
  controller?.abort();
  controller = null;
  loading = null;
}

/** Whether the download has started. */
export function engineStarted() {
  return loading !== null;
}

/** Bytes the engine downloads (the larger wasm build and both models), for the consent screen. */
export function engineBytes() {
  const wasm = Math.max(MANIFEST.wasm?.bytes ?? 0, MANIFEST.wasmRelaxed?.bytes ?? 0);
  return wasm + (MANIFEST.detector?.bytes ?? 0) + (MANIFEST.recognizer?.bytes ?? 0);
}
