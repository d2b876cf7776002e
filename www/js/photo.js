// Reading a photo the user chose and drawing it with its faces: boxes, numbers, landmarks, and
// every face other than the chosen one obscured (bystanders are never shown sharp). The live
// camera view (js/camera-preview.js) obscures them the same way.

/** An ImageBitmap of `source` (a File/Blob or an ImageBitmap), EXIF orientation applied; null
 *  when the browser cannot decode it (the engine then names the format in its error). */
export async function toBitmap(source) {
  if (source instanceof ImageBitmap) return source;
  // Browsers that predate the 'from-image' option reject it; they apply EXIF by default.
  for (const options of [{ imageOrientation: 'from-image' }, undefined]) {
    try {
      return await createImageBitmap(source, options);
    } catch {
      // next option, then give up
    }
  }
  return null;
}

/** The chosen face's outline and tag (style.css `--accent`). */
const CHOSEN = '#1457a8';

/** Largest side of a preview canvas, in canvas pixels. */
const PREVIEW_SIDE = 720;

/**
 * Draws `bitmap` into `canvas` (scaled to fit) with `faces` (image-pixel boxes). Every face
 * except `keep` is blurred; `keep = -1` blurs them all. With several faces each is tagged with
 * `numberOf(index)` (default index + 1). Returns the image-to-canvas scale.
 */
export function drawPhoto(canvas, bitmap, faces, { keep = -1, numbers = true, landmarks = false, highlight = keep, numberOf = (i) => i + 1 } = {}) {
  const scale = Math.min(1, PREVIEW_SIDE / Math.max(bitmap.width, bitmap.height));
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  faces.forEach((f, i) => {
    if (i !== keep) obscureRegion(ctx, ctx.canvas, faceRegion(f.bbox, scale, canvas));
  });
  faces.forEach((f, i) => {
    const b = f.bbox;
    const chosen = i === highlight;
    // The chosen face is outlined in the page's accent blue, not the green of "likely the same
    // person": a box says which face is used, never what the comparison decided.
    ctx.lineWidth = chosen ? 4 : 2;
    ctx.strokeStyle = chosen ? CHOSEN : '#ffffff';
    ctx.setLineDash(chosen ? [] : [6, 4]);
    ctx.strokeRect(b.x * scale, b.y * scale, b.width * scale, b.height * scale);
    ctx.setLineDash([]);
    if (numbers && faces.length > 1) drawTag(ctx, String(numberOf(i)), b.x * scale, b.y * scale, chosen);
    if (landmarks && chosen) drawLandmarks(ctx, f.landmarks, scale);
  });
  return scale;
}

/** The index of the smallest face box containing canvas point (x, y), or -1. */
export function faceAt(faces, x, y, scale) {
  let best = -1;
  faces.forEach((f, i) => {
    const b = f.bbox;
    const inside = x >= b.x * scale && y >= b.y * scale && x <= (b.x + b.width) * scale && y <= (b.y + b.height) * scale;
    if (inside && (best < 0 || b.width * b.height < faces[best].bbox.width * faces[best].bbox.height)) best = i;
  });
  return best;
}

/** The canvas pixel under a pointer event, also when the canvas is letterboxed (object-fit: contain). */
export function canvasPoint(canvas, event) {
  const r = canvas.getBoundingClientRect();
  const s = Math.min(r.width / canvas.width, r.height / canvas.height);
  const left = r.left + (r.width - canvas.width * s) / 2;
  const top = r.top + (r.height - canvas.height * s) / 2;
  return { x: (event.clientX - left) / s, y: (event.clientY - top) / s };
}

/** A new canvas that screen readers announce as a picture described by `label`. */
export function pictureCanvas(className, label) {
  const canvas = document.createElement('canvas');
  canvas.className = className;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  return canvas;
}

/** Blanks a canvas (its pixels are overwritten, then it shrinks to nothing). */
export function clearCanvas(canvas) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  canvas.width = 0;
  canvas.height = 0;
}

const LANDMARK_COLOURS = ['#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231'];

function drawLandmarks(ctx, lm, scale) {
  const pts = [lm.rightEye, lm.leftEye, lm.nose, lm.rightMouth, lm.leftMouth];
  pts.forEach((p, k) => {
    ctx.beginPath();
    ctx.arc(p.x * scale, p.y * scale, 4, 0, 2 * Math.PI);
    ctx.fillStyle = LANDMARK_COLOURS[k];
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#000';
    ctx.stroke();
  });
}

function drawTag(ctx, text, x, y, chosen) {
  ctx.font = 'bold 16px system-ui, sans-serif';
  const w = ctx.measureText(text).width + 10;
  ctx.fillStyle = chosen ? CHOSEN : '#222';
  ctx.fillRect(x, Math.max(0, y - 22), w, 22);
  ctx.fillStyle = '#fff';
  ctx.fillText(text, x + 5, Math.max(16, y - 6));
}

/**
 * How far around a face's box the obscuring reaches, as fractions of the box: hair, ears and the
 * outline of the head go too (a tight blur leaves them sharp, and they identify people).
 */
export const FACE_MARGIN = Object.freeze({ side: 0.35, top: 0.6, bottom: 0.3 });

/**
 * Cells across an obscured face: the region is averaged down to this many cells across and
 * stretched back smoothly, whatever the face's size, so that nothing of the face survives.
 * Measured: facegate itself no longer finds or recognises the face
 * (tests/browser/page-bystanders.test.mjs).
 */
export const FACE_CELLS = 4;

/** The region obscured for a face box `box` (source pixels), in the pixels of `canvas` (`scale`
 *  source-to-canvas), clipped to it: `{ x, y, width, height }`, whole pixels. */
export function faceRegion(box, scale, canvas) {
  const x0 = Math.max(0, (box.x - box.width * FACE_MARGIN.side) * scale);
  const y0 = Math.max(0, (box.y - box.height * FACE_MARGIN.top) * scale);
  const x1 = Math.min(canvas.width, (box.x + box.width * (1 + FACE_MARGIN.side)) * scale);
  const y1 = Math.min(canvas.height, (box.y + box.height * (1 + FACE_MARGIN.bottom)) * scale);
  return { x: Math.floor(x0), y: Math.floor(y0), width: Math.max(0, Math.ceil(x1 - x0)), height: Math.max(0, Math.ceil(y1 - y0)) };
}

/**
 * `source`'s region `r` (source pixels) averaged down to about `cells` cells across (an
 * OffscreenCanvas): halved step by step, so that every source pixel counts (one direct shrink
 * samples a few pixels and can keep sharp detail).
 */
export function averaged(source, r, cells) {
  const target = { width: Math.max(1, Math.round(cells)), height: Math.max(1, Math.round((cells * r.height) / Math.max(1, r.width))) };
  let from = source;
  let box = { ...r };
  const step = (width, height) => {
    const c = new OffscreenCanvas(width, height);
    const cctx = c.getContext('2d');
    cctx.imageSmoothingEnabled = true;
    cctx.imageSmoothingQuality = 'high';
    cctx.drawImage(from, box.x, box.y, box.width, box.height, 0, 0, width, height);
    from = c;
    box = { x: 0, y: 0, width, height };
  };
  while (box.width / 2 >= target.width && box.height / 2 >= target.height) step(Math.ceil(box.width / 2), Math.ceil(box.height / 2));
  step(target.width, target.height);
  return from;
}

/**
 * Obscures region `r` of `ctx`'s canvas with `source`'s pixels of the same region (`source` may
 * be the canvas itself, or a video frame in the same pixels) averaged down to `cells` cells
 * across (default FACE_CELLS) and stretched back smoothly. Works in every browser (no
 * `ctx.filter`).
 */
export function obscureRegion(ctx, source, r, cells = FACE_CELLS) {
  if (r.width < 1 || r.height < 1) return;
  const small = averaged(source, r, cells);
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(small, 0, 0, small.width, small.height, r.x, r.y, r.width, r.height);
  ctx.restore();
}
