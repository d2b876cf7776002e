// The facegate worker: owns the wasm engine and gallery; the page's thread only sends images and
// receives small plain results. Templates never leave this worker except inside an encrypted export.

import init, { FaceGateCore } from './wasm/facegate.js';
import { MANIFEST } from './manifest.js';
import { errorToWire } from './protocol.js';
import { fetchVerified } from './integrity.js';

let core = null;

/** Turns what the page sent into what the wasm core takes: { rgba, width, height } or { encoded }. */
async function toPixels(image) {
  if (image.encoded) return { encoded: image.encoded };
  if (image.rgba) return image;
  let bitmap = image.bitmap;
  if (!bitmap && image.blob) {
    try {
      bitmap = await createImageBitmap(image.blob, { imageOrientation: 'from-image' });
    } catch {
      // Let the Rust decoder name the format (HEIC, TIFF...) or the corruption.
      return { encoded: new Uint8Array(await image.blob.arrayBuffer()) };
    }
  }
  if (!bitmap) throw Object.assign(new Error('no image given'), { code: 'invalidImage' });
  const { width, height } = bitmap;
  if (width === 0 || height === 0) {
    bitmap.close();
    throw Object.assign(new Error(`the image has no pixels (${width}x${height})`), { code: 'imageHasNoPixels' });
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, width, height).data;
  ctx.clearRect(0, 0, width, height);
  return { rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

/** Runs `f` on the pixels of `image`, then overwrites the pixel copy this worker made. */
async function withPixels(image, f) {
  const px = await toPixels(image);
  try {
    return f(px);
  } finally {
    if (px.rgba && px.rgba !== image.rgba) px.rgba.fill(0);
  }
}

function requireCore() {
  if (!core) throw Object.assign(new Error('facegate is not loaded, or was disposed'), { code: 'notLoaded' });
  return core;
}

const handlers = {
  async load({ modelsUrl, wasmUrl, config }) {
    if (core) return { ready: true };
    // The package's own files are named literally so that bundlers copy them as assets.
    const files = [
      ['wasm', wasmUrl ?? new URL('./wasm/facegate_bg.wasm', import.meta.url).href, MANIFEST.wasm, 'wasmIntegrity'],
      ['detector', modelsUrl ? new URL(MANIFEST.detector.file, modelsUrl).href
        : new URL('./models/face_detection_yunet_2023mar_int8bq.onnx', import.meta.url).href, MANIFEST.detector, 'modelIntegrity'],
      ['recognizer', modelsUrl ? new URL(MANIFEST.recognizer.file, modelsUrl).href
        : new URL('./models/face_recognition_sface_2021dec_int8bq.onnx', import.meta.url).href, MANIFEST.recognizer, 'modelIntegrity'],
    ];
    const total = files.reduce((n, f) => n + f[2].bytes, 0);
    let loaded = 0;
    const bytes = {};
    for (const [name, url, expected, code] of files) {
      bytes[name] = await fetchVerified(url, expected, (n) => {
        loaded += n;
        self.postMessage({ progress: { stage: name, loaded, total } });
      }, code);
    }
    await init({ module_or_path: bytes.wasm });
    self.postMessage({ progress: { stage: 'prepare', loaded: total, total } });
    core = new FaceGateCore(bytes.detector, bytes.recognizer, config ?? {});
    return { ready: true };
  },
  detect: (image) => withPixels(image, (px) => requireCore().detect(px)),
  enroll: (image, options) => withPixels(image, (px) => requireCore().enroll(px, options)),
  verify: (image, options) => withPixels(image, (px) => requireCore().verify(px, options)),
  identify: (image, options) => withPixels(image, (px) => requireCore().identify(px, options ?? {})),
  withdraw: (referenceId) => requireCore().withdraw(referenceId),
  eraseAll: (options) => requireCore().eraseAll(options ?? {}),
  list: () => requireCore().list(),
  exportGallery: (options) => requireCore().exportGallery(options),
  importGallery: (bytes, options) => requireCore().importGallery(bytes, options),
  auditLog: () => requireCore().auditLog(),
  dispose() {
    if (core) core.free();
    core = null;
    return { disposed: true };
  },
};

// One call at a time, in arrival order: the engine is single-threaded and calls must not interleave.
let queue = Promise.resolve();
self.onmessage = (event) => {
  const { id, method, args } = event.data ?? {};
  queue = queue.then(async () => {
    try {
      const handler = handlers[method];
      if (!handler) throw Object.assign(new Error(`unknown method ${method}`), { code: 'internal' });
      const result = await handler(...(args ?? []));
      const transfer = result instanceof Uint8Array ? [result.buffer] : [];
      self.postMessage({ id, ok: true, result }, transfer);
    } catch (e) {
      self.postMessage({ id, ok: false, error: errorToWire(e) });
    }
  });
};
