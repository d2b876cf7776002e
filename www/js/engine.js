// Loading facegate (the npm package, copied into www/pkg by scripts/demo.sh). Downloading the
// wasm and models is not inference: no face is looked at until the user has consented.
import { FaceGate } from '../pkg/index.js';

let loading = null;

/** Starts loading once; resolves to the FaceGate. `onProgress(fraction)` reports downloads. */
export function loadEngine(onProgress) {
  loading ??= FaceGate.load({ onProgress: (p) => onProgress?.(p.fraction) });
  return loading;
}
