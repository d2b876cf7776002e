// Turning whatever image a caller has into something the worker can receive cheaply, with
// facegate's own checks first.
//
// Accepted: File, Blob, ImageBitmap, ImageData, HTMLImageElement, HTMLCanvasElement,
// HTMLVideoElement (the current frame), OffscreenCanvas, VideoFrame, SVGImageElement, and
// encoded bytes (Uint8Array / ArrayBuffer: JPEG, PNG, WebP, GIF, BMP, decoded in Rust).
//
// Nothing is decoded here: a Blob goes to the worker as it is, where facegate reads its header
// (size, format, declared dimensions, JPEG scans) before the browser may decode it
// (decode.js). A pixel source's width x height is checked by facegate's limits (Rust, in the
// worker, through `checkSize`) before a single pixel is read or copied. A large one is then
// snapshotted smaller by the browser (longest side DECODE_MAX_SIDE) and the worker maps every
// result back to the source's own pixels.

import { CODE, FaceGateError } from './protocol.js';

/**
 * Longest side, in pixels, that a larger photo or frame is scaled down to (by the browser, as it
 * decodes or snapshots it) before facegate works on it. The detector sees at most 640 px of it
 * (1280 for its second look), and the recognizer a 112 px crop of one face, so 2048 keeps every
 * face the detector can find (from about 1/50 of the longest side, 40 px here) sharp enough for
 * its crop, while a 49-megapixel photo costs 4 megapixels of memory instead of 49.
 * Results (boxes, landmarks, width and height) are always in the source's own pixels.
 */
export const DECODE_MAX_SIDE = 2048;

/**
 * The size `width` x `height` is decoded at: itself when its longest side is at most `maxSide`,
 * else scaled down to it (aspect kept, each side at least 1).
 */
export function decodedSize(width, height, maxSide = DECODE_MAX_SIDE) {
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height, scaled: false };
  const k = maxSide / longest;
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)), scaled: true };
}

function invalid(message) {
  return new FaceGateError({ code: CODE.invalidImage, message });
}

/** The width and height of a pixel source as it would be snapshotted, or null when unknown. */
function sourceSize(image) {
  const is = (name) => typeof globalThis[name] !== 'undefined' && image instanceof globalThis[name];
  if (is('HTMLImageElement')) return { width: image.naturalWidth, height: image.naturalHeight };
  if (is('HTMLVideoElement')) return { width: image.videoWidth, height: image.videoHeight };
  if (is('VideoFrame')) return { width: image.displayWidth, height: image.displayHeight };
  if (is('HTMLCanvasElement') || is('OffscreenCanvas') || is('ImageBitmap') || is('ImageData')) {
    return { width: image.width, height: image.height };
  }
  return null;
}

/** Waits until an <img> knows its size (its header was read), without decoding its pixels. */
async function loaded(img) {
  if (img.complete) return;
  await new Promise((resolve) => {
    img.addEventListener('load', resolve, { once: true });
    img.addEventListener('error', resolve, { once: true });
  });
}

/**
 * `{ payload, transfer }` for one image. `checkSize({ width, height })` rejects (with a
 * FaceGateError: `imageTooLarge`, `imageHasNoPixels`) when facegate's limits refuse that size;
 * it runs before any pixel of a pixel source is read, copied or decoded here.
 */
export async function toTransferable(image, checkSize) {
  if (image == null) throw invalid('no image given');
  if (typeof Blob !== 'undefined' && image instanceof Blob) return { payload: { blob: image }, transfer: [] };
  if (image instanceof ArrayBuffer || image instanceof Uint8Array) {
    // A copy, so that the caller keeps its bytes; the copy is moved to the worker, not copied again.
    const encoded = image instanceof ArrayBuffer ? new Uint8Array(image.slice(0)) : image.slice();
    return { payload: { encoded }, transfer: [encoded.buffer] };
  }
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) {
    await loaded(image);
    if (!image.naturalWidth) throw invalid('the <img> has not loaded an image');
  }
  if (typeof HTMLVideoElement !== 'undefined' && image instanceof HTMLVideoElement && image.readyState < 2) {
    throw invalid('the <video> has no frame yet');
  }
  const size = sourceSize(image);
  if (size) await checkSize({ width: size.width, height: size.height });
  const target = size ? decodedSize(size.width, size.height) : { scaled: false };
  // Let the browser decode an <img> off this thread (its size passed the check).
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) await image.decode().catch(() => {});

  if (typeof ImageData !== 'undefined' && image instanceof ImageData && !target.scaled) {
    const rgba = new Uint8Array(image.data); // a copy: the caller keeps its ImageData
    return { payload: { rgba, width: image.width, height: image.height }, transfer: [rgba.buffer] };
  }
  // Everything else (and a large ImageData) is snapshotted into a new ImageBitmap, moved to the
  // worker; the caller's own bitmap, canvas or frame stays usable.
  let bitmap;
  try {
    bitmap = target.scaled
      ? await createImageBitmap(image, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' })
      : await createImageBitmap(image);
  } catch (e) {
    throw invalid(`cannot read this image (${e?.message ?? e}); pass a File, Blob, ImageBitmap, ImageData, canvas, <img>, <video> or encoded bytes`);
  }
  const payload = { bitmap };
  if (target.scaled) Object.assign(payload, { sourceWidth: size.width, sourceHeight: size.height });
  return { payload, transfer: [bitmap] };
}
