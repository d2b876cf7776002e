// Where a photo comes from: a file picker, drag-and-drop, or a camera snapshot (with live
// guidance when a detector is given). One instance per `.photo-source` container; each hands
// the chosen File or ImageBitmap to `onPhoto`.
import { applyTranslations, liveText, t } from './i18n.js';
import { snapshot, startCamera, stopCamera } from './camera.js';
import { guideCamera } from './camera-guide.js';
import { livePreview } from './camera-preview.js';
import { pageError } from './errors.js';

/**
 * Fills `container` from the `#tpl-photo-source` template and wires it up.
 * - `onPhoto(fileOrBitmap, { prefer })` receives each photo (`prefer`: the point, in photo
 *   pixels, of the face the user chose in the camera preview, or null);
 * - `onError(error)` camera failures; `onCamera()` when the camera starts (to clear old errors);
 * - `detect(video)` (optional): the face detector, for live guidance of the camera.
 * Returns `{ reset(), container }`: `reset()` clears the file input and turns the camera off.
 */
export function mountPhotoSource(container, { onPhoto, onError, onCamera, detect }) {
  const name = container.dataset.for;
  container.replaceChildren(document.getElementById('tpl-photo-source').content.cloneNode(true));
  const drop = container.querySelector('.drop');
  const file = container.querySelector('.file');
  const chosen = container.querySelector('.chosen-name');
  const video = container.querySelector('.camera-video');
  const cameraBox = container.querySelector('.camera');
  const start = container.querySelector('.camera-start');
  const snap = container.querySelector('.camera-snap');
  file.id = `file-${name}`;
  file.name = `file-${name}`;
  snap.id = `snap-${name}`;
  start.id = `camera-${name}`;
  container.querySelector('.camera-hint').id = `camera-hint-${name}`;
  applyTranslations(container);
  let guide = null;
  let preview = null;

  const choose = (photo, label, prefer = null) => {
    liveText(chosen, label);
    onPhoto(photo, { prefer });
  };
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    // Emptied at once, so that choosing the same file again runs again.
    file.value = '';
    choose(f, () => t('chosenFile', { name: f.name }));
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files?.[0];
    if (f) choose(f, () => t('chosenFile', { name: f.name }));
  });

  // The preview is gone (stopped here, by camera.js when the screen is left or the tab hidden):
  // the guide stops with it.
  const showOff = () => {
    guide?.stop();
    guide = null;
    preview?.stop();
    preview = null;
    cameraBox.hidden = true;
    start.hidden = false;
  };
  const cameraOff = () => {
    stopCamera(video);
    showOff();
  };
  start.addEventListener('click', async () => {
    // Disabled while permission is pending: a double click cannot open a second stream.
    if (start.disabled) return;
    start.disabled = true;
    onCamera?.();
    try {
      // camera.js stops the stream when the screen is left or the tab hidden: showOff follows.
      await startCamera(video, { onStopped: showOff });
      cameraBox.hidden = false;
      start.hidden = true;
      // What the user sees is this canvas, never the raw video: only the face that would be used
      // is sharp (js/camera-preview.js).
      preview = livePreview({ video, canvas: container.querySelector('.camera-screen'), faces: () => guide?.faces() ?? null });
      if (detect) {
        guide = guideCamera({
          video,
          overlay: container.querySelector('.camera-overlay'),
          hint: container.querySelector('.camera-hint'),
          faceButtons: container.querySelector('.camera-faces'),
          snap,
          detect,
        });
      }
      snap.focus();
    } catch (e) {
      cameraOff();
      if (e?.code !== 'cameraCancelled') onError(pageError('cameraUnavailable', e?.message ?? String(e)));
    } finally {
      start.disabled = false;
    }
  });
  snap.addEventListener('click', async () => {
    try {
      const prefer = guide?.picked() ?? null;
      const frame = await snapshot(video);
      cameraOff();
      choose(frame, () => t('chosenCamera'), prefer);
    } catch (e) {
      onError(pageError('cameraUnavailable', e?.message ?? String(e)));
    }
  });
  container.querySelector('.camera-stop').addEventListener('click', cameraOff);

  return {
    container,
    reset() {
      cameraOff();
      file.value = '';
      liveText(chosen, null);
    },
  };
}
