// facegate's pre- and post-processing written in JavaScript, for running the same two ONNX files
// in another runtime (onnxruntime-web): the detector input geometry, YuNet decoding, NMS, the
// Umeyama similarity onto the ArcFace template, the bilinear warp, L2 normalisation. Each
// function follows the Rust one named in its comment (src/letterbox.rs, src/decode.rs, ...).

export const ARCFACE = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]];
const STRIDES = [8, 16, 32];

/**
 * Where a w x h image goes in the detector input (src/letterbox.rs): the longer side scaled to
 * maxSide. `square` (Letterbox::fit): padded to a maxSide square. `fit` (Letterbox::fit_within,
 * facegate's default): the input height is the scaled height rounded up to a multiple of 32, the
 * width likewise but never less than the height.
 */
export function detectorGeometry(w, h, { maxSide = 640, mode = 'fit' } = {}) {
  const scale = maxSide / Math.max(w, h, 1);
  const side = (n) => Math.min(Math.max(Math.round(n * scale), 1), maxSide);
  const scaledW = side(w);
  const scaledH = side(h);
  const up32 = (n) => Math.min(Math.max(32, Math.ceil(n / 32) * 32), Math.max(maxSide, 32));
  const inputH = mode === 'square' ? maxSide : up32(scaledH);
  const inputW = mode === 'square' ? maxSide : Math.max(up32(scaledW), inputH);
  return { scaledW, scaledH, inputW, inputH, sx: scaledW / w, sy: scaledH / h };
}

/** The detector input: `source` resized into the top-left, black elsewhere; NCHW BGR 0..255. */
export function detectorTensor(source, g, scratch) {
  const canvas = scratch.canvas ??= new OffscreenCanvas(1, 1);
  if (canvas.width !== g.inputW || canvas.height !== g.inputH) {
    canvas.width = g.inputW;
    canvas.height = g.inputH;
    scratch.ctx = canvas.getContext('2d', { willReadFrequently: true });
  }
  const ctx = scratch.ctx;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, g.inputW, g.inputH);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'medium';
  ctx.drawImage(source, 0, 0, g.scaledW, g.scaledH);
  const rgba = ctx.getImageData(0, 0, g.inputW, g.inputH).data;
  const plane = g.inputW * g.inputH;
  const out = new Float32Array(3 * plane);
  for (let i = 0, j = 0; i < plane; i++, j += 4) {
    out[i] = rgba[j + 2];
    out[plane + i] = rgba[j + 1];
    out[2 * plane + i] = rgba[j];
  }
  return out;
}

/** YuNet outputs (cls/obj/bbox/kps per stride) to candidate faces in input pixels (src/decode.rs). */
export function decodeYunet(outputs, inputW, threshold = 0.6) {
  const faces = [];
  for (const s of STRIDES) {
    const cls = outputs[`cls_${s}`].data;
    const obj = outputs[`obj_${s}`].data;
    const bbox = outputs[`bbox_${s}`].data;
    const kps = outputs[`kps_${s}`].data;
    const cols = Math.max(1, Math.floor(inputW / s));
    const clamp = (v) => Math.min(Math.max(v, 0), 1);
    for (let i = 0; i < cls.length; i++) {
      const score = Math.sqrt(clamp(cls[i]) * clamp(obj[i]));
      if (!(score >= threshold)) continue;
      const row = Math.floor(i / cols);
      const col = i % cols;
      const cx = (col + bbox[4 * i]) * s;
      const cy = (row + bbox[4 * i + 1]) * s;
      const w = Math.exp(bbox[4 * i + 2]) * s;
      const h = Math.exp(bbox[4 * i + 3]) * s;
      const landmarks = [];
      for (let k = 0; k < 5; k++) landmarks.push([(kps[10 * i + 2 * k] + col) * s, (kps[10 * i + 2 * k + 1] + row) * s]);
      faces.push({ box: [cx - w / 2, cy - h / 2, w, h], score, landmarks });
    }
  }
  return faces;
}

function iou(a, b) {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS, highest score first (src/nms.rs). */
export function nms(faces, iouThreshold = 0.3, maxKeep = 100) {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept = [];
  for (const f of sorted) {
    if (kept.length >= maxKeep) break;
    if (kept.every((k) => iou(k.box, f.box) <= iouThreshold)) kept.push(f);
  }
  return kept;
}

/** Faces in source pixels, largest first (src/detector.rs, src/engine.rs). */
export function toSource(faces, g) {
  return faces
    .map((f) => ({
      score: f.score,
      box: [f.box[0] / g.sx, f.box[1] / g.sy, f.box[2] / g.sx, f.box[3] / g.sy],
      landmarks: f.landmarks.map(([x, y]) => [x / g.sx, y / g.sy]),
    }))
    .sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3] || b.score - a.score);
}

/** Least-squares similarity src -> dst (src/align.rs, closed form of Umeyama in 2-D). */
export function umeyama(src, dst) {
  const n = src.length;
  const mean = (p) => p.reduce(([x, y], [a, b]) => [x + a / n, y + b / n], [0, 0]);
  const [smx, smy] = mean(src);
  const [dmx, dmy] = mean(dst);
  let re = 0;
  let im = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i][0] - smx;
    const sy = src[i][1] - smy;
    const dx = dst[i][0] - dmx;
    const dy = dst[i][1] - dmy;
    re += sx * dx + sy * dy;
    im += sx * dy - sy * dx;
    v += sx * sx + sy * sy;
  }
  const a = re / v;
  const b = im / v;
  return { a, b, tx: dmx - (a * smx - b * smy), ty: dmy - (b * smx + a * smy) };
}

/**
 * The 112x112 aligned crop of RGBA pixels under `t` (source -> crop), bilinear, black outside,
 * rounded to bytes as facegate does; returned as SFace's input, NCHW RGB 0..255.
 */
export function alignedTensor(rgba, w, h, t, size = 112) {
  const d = t.a * t.a + t.b * t.b;
  const ia = t.a / d;
  const ib = -t.b / d;
  const itx = -(ia * t.tx - ib * t.ty);
  const ity = -(ib * t.tx + ia * t.ty);
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  const texel = (x, y, c) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : rgba[(y * w + x) * 4 + c]);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = ia * x - ib * y + itx;
      const sy = ib * x + ia * y + ity;
      if (!(sx > -1 && sy > -1 && sx < w && sy < h)) continue;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const ax = sx - x0;
      const ay = sy - y0;
      for (let c = 0; c < 3; c++) {
        const top = texel(x0, y0, c) * (1 - ax) + texel(x0 + 1, y0, c) * ax;
        const bottom = texel(x0, y0 + 1, c) * (1 - ax) + texel(x0 + 1, y0 + 1, c) * ax;
        out[c * plane + y * size + x] = Math.min(255, Math.max(0, Math.round(top * (1 - ay) + bottom * ay)));
      }
    }
  }
  return out;
}

export function l2normalize(v) {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return Float32Array.from(v, (x) => x / n);
}
