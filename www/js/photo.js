// Reading a photo the user chose and drawing it with its faces: boxes, numbers, landmarks, and
// every face other than the chosen one blurred (bystanders are never shown sharp).

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
    if (i !== keep) blurRegion(ctx, grow(f.bbox, 0.15, scale, canvas));
  });
  faces.forEach((f, i) => {
    const b = f.bbox;
    const chosen = i === highlight;
    ctx.lineWidth = chosen ? 4 : 2;
    ctx.strokeStyle = chosen ? '#0a7d32' : '#ffffff';
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
  ctx.fillStyle = chosen ? '#0a7d32' : '#222';
  ctx.fillRect(x, Math.max(0, y - 22), w, 22);
  ctx.fillStyle = '#fff';
  ctx.fillText(text, x + 5, Math.max(16, y - 6));
}

/** `box` (image pixels) grown by `frac` on each side, in canvas pixels, clipped to the canvas. */
function grow(box, frac, scale, canvas) {
  const x0 = Math.max(0, (box.x - box.width * frac) * scale);
  const y0 = Math.max(0, (box.y - box.height * frac) * scale);
  const x1 = Math.min(canvas.width, (box.x + box.width * (1 + frac)) * scale);
  const y1 = Math.min(canvas.height, (box.y + box.height * (1 + frac)) * scale);
  return { x: Math.floor(x0), y: Math.floor(y0), width: Math.ceil(x1 - x0), height: Math.ceil(y1 - y0) };
}

/** Blurs a region by shrinking it to a few pixels and stretching it back, smoothly. Works in
 *  every browser (no `ctx.filter`), and leaves no recognisable detail. */
function blurRegion(ctx, r) {
  if (r.width < 2 || r.height < 2) return;
  const small = new OffscreenCanvas(Math.max(2, Math.round(r.width / 14)), Math.max(2, Math.round(r.height / 14)));
  const sctx = small.getContext('2d');
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = 'low';
  sctx.drawImage(ctx.canvas, r.x, r.y, r.width, r.height, 0, 0, small.width, small.height);
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(small, 0, 0, small.width, small.height, r.x, r.y, r.width, r.height);
  ctx.restore();
}
