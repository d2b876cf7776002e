// Choosing one face among several, by clicking it on the photo or with its button (keyboard).
// Faces are numbered from left to right. Until a face is chosen every face is blurred; then only
// the chosen one is shown sharp.
import { t } from './i18n.js';
import { canvasPoint, drawPhoto, faceAt } from './photo.js';
import { faceNear } from './framing.js';

/** The faces' indices from left to right (by the centre of their boxes). */
export function leftToRight(faces) {
  return faces.map((f, i) => [f.bbox.x + f.bbox.width / 2, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

/**
 * Shows `bitmap` and its `faces` in `canvas`, with one button per face in `buttons` and a
 * count in `info`. Calls `onChoose(index)` when the user picks a face (at once when there is
 * exactly one, or when `prefer`, a point in photo pixels, was chosen in the camera preview).
 * Returns `{ redraw(), chosen() }` (redraw after a language switch).
 */
export function showFaces({ canvas, buttons, info, bitmap, faces, onChoose, landmarks = false, prefer = null }) {
  const order = leftToRight(faces);
  const rank = new Map(order.map((i, k) => [i, k + 1]));
  let chosen = faces.length === 1 ? 0 : prefer && faces.length > 1 ? faceNear(faces, prefer) : -1;
  let scale = 1;
  const draw = () => {
    scale = drawPhoto(canvas, bitmap, faces, { keep: chosen, landmarks, numberOf: (i) => rank.get(i) });
    info.textContent = faces.length === 0 ? t('facesNone')
      : faces.length === 1 ? t('facesOne')
        : chosen < 0 ? t('facesMany', { n: faces.length }) : t('facesChosen', { k: rank.get(chosen), n: faces.length });
    buttons.replaceChildren();
    if (faces.length > 1) {
      for (const i of order) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'face-button';
        b.dataset.face = String(i);
        b.textContent = t('faceButton', { k: rank.get(i) });
        b.setAttribute('aria-pressed', String(i === chosen));
        // Where the face is on the photo, as fractions (for tests and styling; not biometric).
        b.dataset.cx = ((faces[i].bbox.x + faces[i].bbox.width / 2) / bitmap.width).toFixed(3);
        b.dataset.cy = ((faces[i].bbox.y + faces[i].bbox.height / 2) / bitmap.height).toFixed(3);
        b.addEventListener('click', () => choose(i));
        buttons.append(b);
      }
    }
  };
  const choose = (i) => {
    chosen = i;
    draw();
    buttons.querySelector(`[data-face="${i}"]`)?.focus();
    onChoose(i);
  };
  canvas.onclick = (e) => {
    if (faces.length < 2) return;
    const p = canvasPoint(canvas, e);
    const i = faceAt(faces, p.x, p.y, scale);
    if (i >= 0) choose(i);
  };
  draw();
  if (chosen >= 0) onChoose(chosen);
  return { redraw: draw, chosen: () => chosen };
}
