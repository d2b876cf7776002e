// Is the face in the camera well placed for a snapshot? Pure rules on the detector's boxes of one
// preview frame (no template, nothing kept): one face, large enough, inside the frame, lit,
// upright and steady. Each rule gives one plain hint; the first that fails is shown.

/** The limits the rules use; each is a fraction of the frame or a 0..255 brightness. */
export const FRAMING = {
  /** Smallest face width, as a fraction of the frame's shorter side (smaller: "move closer"). */
  minSize: 0.18,
  /** Largest face height, as a fraction of the frame's height (larger: "move back"). */
  maxSize: 0.9,
  /** Margin the face box keeps from every edge, as a fraction of the frame side. */
  margin: 0.02,
  /** Lowest mean brightness (0..255) of the face box ("more light"). */
  minBrightness: 60,
  /** Largest tilt of the eye line, in degrees ("hold your head straight"). */
  maxRollDegrees: 20,
  /** Largest move of the face centre between two frames, as a fraction of the frame width ("hold still"). */
  maxMove: 0.04,
};

/** Index of the face whose box holds point `p` (`{ x, y }`, frame pixels), else the nearest centre; -1 without faces. */
export function faceNear(faces, p) {
  let best = -1;
  let bestDistance = Infinity;
  faces.forEach((f, i) => {
    const b = f.bbox;
    const inside = p.x >= b.x && p.x <= b.x + b.width && p.y >= b.y && p.y <= b.y + b.height;
    const d = inside ? -1 / (b.width * b.height) : Math.hypot(p.x - (b.x + b.width / 2), p.y - (b.y + b.height / 2));
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}

/** Centre of a face box. */
export function centre(face) {
  return { x: face.bbox.x + face.bbox.width / 2, y: face.bbox.y + face.bbox.height / 2 };
}

/**
 * The hint for one preview frame.
 * - `width`, `height`: the frame's size in pixels; `faces`: the detector's faces in frame pixels;
 * - `picked`: a point the user tapped to choose among several faces (or null);
 * - `brightness(face)`: mean brightness 0..255 of a face's box (or null when unknown);
 * - `previous`: the centre of the face this assessment followed on the frame before (or null).
 * Returns `{ hint, ready, face }`: hint one of 'noFace', 'oneFace', 'closer', 'back', 'centre',
 * 'light', 'straight', 'still', 'good'; `ready` whether a snapshot now would be well framed;
 * `face` the index of the face the hint is about (-1 when none).
 */
export function assessFrame({ width, height, faces, picked = null, brightness = () => null, previous = null }, limits = FRAMING) {
  if (faces.length === 0) return { hint: 'noFace', ready: false, face: -1 };
  let face = 0;
  if (faces.length > 1) {
    if (!picked) return { hint: 'oneFace', ready: false, face: -1 };
    face = faceNear(faces, picked);
  }
  const b = faces[face].bbox;
  const lm = faces[face].landmarks;
  const verdict = (hint) => ({ hint, ready: hint === 'good', face });
  if (b.width < limits.minSize * Math.min(width, height)) return verdict('closer');
  if (b.height > limits.maxSize * height) return verdict('back');
  const mx = limits.margin * width;
  const my = limits.margin * height;
  if (b.x < mx || b.y < my || b.x + b.width > width - mx || b.y + b.height > height - my) return verdict('centre');
  const light = brightness(faces[face]);
  if (light != null && light < limits.minBrightness) return verdict('light');
  if (lm) {
    const roll = (Math.atan2(lm.leftEye.y - lm.rightEye.y, lm.leftEye.x - lm.rightEye.x) * 180) / Math.PI;
    if (Math.abs(roll) > limits.maxRollDegrees) return verdict('straight');
  }
  if (previous) {
    const c = centre(faces[face]);
    if (Math.hypot(c.x - previous.x, c.y - previous.y) > limits.maxMove * width) return verdict('still');
  }
  return verdict('good');
}
