// Turning an image the worker received into what the wasm core takes, with facegate's checks
// first: { rgba, width, height } or { encoded }, and the way back to the source's pixels.
//
// Every check is facegate's own Rust code (`FaceGateCore.probeImage`, the checks
// `Image::decode` makes natively), run before the pixels are decoded, read or copied:
// - a Blob's bytes: size, format, the dimensions its header declares, a JPEG's scans and end.
//   Only then may the browser decode it (createImageBitmap), and a large photo is decoded
//   straight to at most DECODE_MAX_SIDE pixels on its longest side;
// - encoded bytes: the same checks, before they are copied into wasm memory (then Rust decodes);
// - a bitmap or RGBA pixels: width x height, before they are drawn, read or copied.
// Results on a downscaled decode are mapped back to the source's pixels (`toSource`), and a face
// chosen by a point in the source's pixels is mapped to the decoded ones (`toDecoded`).

import { decodedSize } from './image.js';
import { CODE } from './protocol.js';

function invalidImage(message) {
  return Object.assign(new Error(message), { code: CODE.invalidImage });
}

/**
 * What the wasm core takes for `image` (a payload of image.js), after facegate's checks:
 * `{ input, toDecoded(options), toSource(result), wipe() }`. `core` is the FaceGateCore.
 */
export async function toPixels(core, image) {
  if (image?.encoded) {
    core.probeImage(image.encoded);
    return prepared({ encoded: image.encoded }, null, () => image.encoded.fill(0));
  }
  if (image?.rgba) {
    core.probeImage({ width: image.width, height: image.height });
    return prepared(image, null, () => image.rgba.fill(0));
  }
  if (image?.blob) return fromBlob(core, image.blob);
  if (image?.bitmap) {
    const source = image.sourceWidth ? { width: image.sourceWidth, height: image.sourceHeight } : null;
    return fromBitmap(core, image.bitmap, source);
  }
  throw invalidImage('no image given');
}

/** A Blob (a file): probed as bytes, then decoded by the browser at most DECODE_MAX_SIDE wide. */
async function fromBlob(core, blob) {
  let bytes;
  try {
    bytes = new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    throw invalidImage(`the file could not be read (${e?.message ?? e})`);
  }
  let info;
  try {
    info = core.probeImage(bytes);
  } catch (e) {
    bytes.fill(0);
    throw e;
  }
  const target = decodedSize(info.width, info.height);
  const bitmap = await decodeBlob(blob, info, target);
  if (!bitmap) {
    // The browser cannot decode what facegate accepted: let the Rust decoder decode it, or name
    // the damage.
    return prepared({ encoded: bytes }, null, () => bytes.fill(0));
  }
  bytes.fill(0);
  let source = null;
  if (target.scaled) {
    // The browser applies the EXIF orientation itself; should it read it differently, the
    // bitmap is turned a quarter from what the header said: its sides tell.
    const turned = info.width !== info.height && (bitmap.width >= bitmap.height) !== (info.width >= info.height);
    source = turned ? { width: info.height, height: info.width } : { width: info.width, height: info.height };
  }
  return fromBitmap(core, bitmap, source);
}

/**
 * The Blob decoded by the browser, EXIF orientation applied, scaled down to `target` when it is
 * larger; null when the browser cannot decode it. Only the short side's target is given: the
 * browser keeps the aspect of the image as it turns it, so even if it reads the orientation
 * differently from facegate, the bitmap is never larger than `target`'s area.
 */
async function decodeBlob(blob, info, target) {
  const resize = !target.scaled ? {}
    : info.width >= info.height ? { resizeHeight: target.height, resizeQuality: 'high' }
      : { resizeWidth: target.width, resizeQuality: 'high' };
  // Browsers that predate the 'from-image' option reject it; they apply EXIF by default.
  for (const options of [{ imageOrientation: 'from-image', ...resize }, resize]) {
    try {
      return await createImageBitmap(blob, options);
    } catch {
      // the next options, then give up
    }
  }
  return null;
}

/** RGBA pixels of `bitmap` (closed here), after facegate's check of its size. */
function fromBitmap(core, bitmap, source) {
  const { width, height } = bitmap;
  try {
    core.probeImage({ width, height });
  } catch (e) {
    bitmap.close();
    throw e;
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, width, height).data;
  ctx.clearRect(0, 0, width, height);
  canvas.width = 0;
  canvas.height = 0;
  const rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const scale = source && (source.width !== width || source.height !== height)
    ? { x: source.width / width, y: source.height / height, width: source.width, height: source.height }
    : null;
  return prepared({ rgba, width, height }, scale, () => rgba.fill(0));
}

function prepared(input, scale, wipe) {
  return {
    input,
    toDecoded: (options) => (scale ? pointToDecoded(options, scale) : options),
    toSource: (result) => (scale ? resultToSource(result, scale) : result),
    wipe,
  };
}

/** `options` with a face chosen by a point `{ x, y }` in source pixels moved to decoded pixels. */
function pointToDecoded(options, s) {
  const face = options?.face;
  if (!face || typeof face !== 'object' || typeof face.x !== 'number' || typeof face.y !== 'number') return options;
  return { ...options, face: { ...face, x: face.x / s.x, y: face.y / s.y } };
}

function point(p, s) {
  return p && typeof p.x === 'number' ? { ...p, x: p.x * s.x, y: p.y * s.y } : p;
}

function faceToSource(face, s) {
  if (!face || typeof face !== 'object') return face;
  const out = { ...face };
  if (face.bbox) out.bbox = { ...point(face.bbox, s), width: face.bbox.width * s.x, height: face.bbox.height * s.y };
  if (face.landmarks) out.landmarks = Object.fromEntries(Object.entries(face.landmarks).map(([k, p]) => [k, point(p, s)]));
  return out;
}

/**
 * A result of the core, in decoded pixels, in the source's pixels: `width` and `height` are the
 * source's, every face's box and landmarks scaled, and an image-to-crop `transform` (`x' = a x -
 * b y + tx`, `y' = b x + a y + ty`) composed with the scaling (by the mean of the two axes'
 * factors, which differ only by rounding).
 */
function resultToSource(result, s) {
  if (!result || typeof result !== 'object') return result;
  const out = { ...result };
  if (typeof result.width === 'number' && typeof result.height === 'number') {
    out.width = s.width;
    out.height = s.height;
  }
  if (Array.isArray(result.faces)) out.faces = result.faces.map((f) => faceToSource(f, s));
  if (result.face) out.face = faceToSource(result.face, s);
  const t = result.transform;
  if (t && typeof t.a === 'number') {
    const k = 2 / (s.x + s.y);
    out.transform = { ...t, a: t.a * k, b: t.b * k };
  }
  return out;
}
