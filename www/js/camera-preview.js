// The live camera view, drawn through a canvas: the raw video is never shown. Each frame is drawn
// blurred as a whole; only the face that would be used (the one face in view, or the face the
// user picked among several) is drawn sharp, and every other face the detector found is obscured
// like a bystander in a photo (js/photo.js). Until the detector has seen the frame's faces,
// nothing is sharp. The detector's boxes are a few frames old: the sharp region is the chosen
// face's box with a margin, and other faces' regions are cut out of it.
import { averaged, faceRegion, obscureRegion } from './photo.js';

/** Cells across the whole frame for the blurred view (a scene, not a face, is recognisable at
 *  this size; a face takes one or two cells). */
export const FRAME_CELLS = 12;

/**
 * Starts drawing `video` into `canvas` on every animation frame. `faces()` returns the latest
 * detection as `{ width, height, faces, keep }` (frame pixels; `keep` the index of the face
 * shown sharp, -1 for none) or null when none is known. Returns `{ stop() }`, which blanks the
 * canvas and shrinks it to nothing.
 */
export function livePreview({ video, canvas, faces = () => null }) {
  let frame = 0;
  let stopped = false;
  const ctx = canvas.getContext('2d');

  function draw() {
    if (stopped) return;
    frame = requestAnimationFrame(draw);
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (video.readyState < 2 || !width || !height) return;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const whole = { x: 0, y: 0, width, height };
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(averaged(video, whole, FRAME_CELLS), 0, 0, FRAME_CELLS, Math.max(1, Math.round((FRAME_CELLS * height) / width)), 0, 0, width, height);
    const seen = faces();
    if (!seen || !seen.width) return;
    const scale = width / seen.width;
    const regions = seen.faces.map((f) => faceRegion(f.bbox, scale, canvas));
    const kept = regions[seen.keep];
    if (kept) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(kept.x, kept.y, kept.width, kept.height);
      ctx.clip();
      ctx.drawImage(video, 0, 0, width, height);
      ctx.restore();
    }
    regions.forEach((r, i) => {
      if (i !== seen.keep) obscureRegion(ctx, video, r);
    });
  }
  frame = requestAnimationFrame(draw);

  return {
    stop() {
      stopped = true;
      cancelAnimationFrame(frame);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      canvas.width = 0;
      canvas.height = 0;
    },
  };
}
