// Turning whatever image a caller has into something a worker can receive cheaply.
//
// Accepted: File, Blob, ImageBitmap, ImageData, HTMLImageElement, HTMLCanvasElement,
// HTMLVideoElement (the current frame), OffscreenCanvas, VideoFrame, SVGImageElement, and
// encoded bytes (Uint8Array / ArrayBuffer: JPEG, PNG, WebP, GIF, BMP, decoded in Rust).
// Blobs are decoded in the worker with createImageBitmap; elements are snapshotted here with
// createImageBitmap and the bitmap is transferred (no copy).

import { FaceGateError } from './protocol.js';

function invalid(message) {
  return new FaceGateError({ code: 'invalidImage', message });
}

/** `{ payload, transfer }` for one image. */
export async function toTransferable(image) {
  if (image == null) throw invalid('no image given');
  if (typeof Blob !== 'undefined' && image instanceof Blob) return { payload: { blob: image }, transfer: [] };
  if (image instanceof ArrayBuffer) return { payload: { encoded: new Uint8Array(image.slice(0)) }, transfer: [] };
  if (image instanceof Uint8Array) return { payload: { encoded: image.slice() }, transfer: [] };
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    const rgba = new Uint8Array(image.data); // a copy: the caller keeps its ImageData
    return { payload: { rgba, width: image.width, height: image.height }, transfer: [rgba.buffer] };
  }
  if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) {
    // Transfer a copy so that the caller's bitmap stays usable.
    const copy = await createImageBitmap(image);
    return { payload: { bitmap: copy }, transfer: [copy] };
  }
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) {
    if (!image.complete) await image.decode().catch(() => {});
    if (!image.naturalWidth) throw invalid('the <img> has not loaded an image');
  }
  if (typeof HTMLVideoElement !== 'undefined' && image instanceof HTMLVideoElement && image.readyState < 2) {
    throw invalid('the <video> has no frame yet');
  }
  try {
    const bitmap = await createImageBitmap(image);
    return { payload: { bitmap }, transfer: [bitmap] };
  } catch (e) {
    throw invalid(`cannot read this image (${e?.message ?? e}); pass a File, Blob, ImageBitmap, ImageData, canvas, <img>, <video> or encoded bytes`);
  }
}
