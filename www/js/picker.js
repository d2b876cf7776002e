// Choosing one face among several, by clicking it on the photo or with its button (keyboard).
// Until a face is chosen every face is blurred; then only the chosen one is shown sharp.
import { t } from './i18n.js';
import { drawPhoto, faceAt } from './photo.js';

/**
 * Shows `bitmap` and its `faces` in `canvas`, with one button per face in `buttons` and a
 * count in `info`. Calls `onChoose(index)` when the user picks a face (at once when there is
 * exactly one). Returns `{ redraw() }` (after a language switch).
 */
export function showFaces({ canvas, buttons, info, bitmap, faces, onChoose, landmarks = false }) {
  let chosen = faces.length === 1 ? 0 : -1;
  let scale = 1;
  const draw = () => {
    scale = drawPhoto(canvas, bitmap, faces, { keep: chosen, landmarks });
    info.textContent = faces.length === 0 ? t('facesNone')
      : faces.length === 1 ? t('facesOne')
        : chosen < 0 ? t('facesMany', { n: faces.length }) : t('facesChosen', { k: chosen + 1, n: faces.length });
    buttons.replaceChildren();
    if (faces.length > 1) {
      faces.forEach((_, i) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'face-button';
        b.dataset.face = String(i);
        b.textContent = t('faceButton', { k: i + 1 });
        b.setAttribute('aria-pressed', String(i === chosen));
        // Where the face is on the photo, as fractions (for tests and styling; not biometric).
        b.dataset.cx = ((faces[i].bbox.x + faces[i].bbox.width / 2) / bitmap.width).toFixed(3);
        b.dataset.cy = ((faces[i].bbox.y + faces[i].bbox.height / 2) / bitmap.height).toFixed(3);
        b.addEventListener('click', () => choose(i));
        buttons.append(b);
      });
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
    const r = canvas.getBoundingClientRect();
    const i = faceAt(faces, (e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height), scale);
    if (i >= 0) choose(i);
  };
  draw();
  if (chosen === 0) onChoose(0);
  return { redraw: draw, chosen: () => chosen };
}
