// Where a photo comes from: a file picker, drag-and-drop, or a camera snapshot. One instance per
// `.photo-source` container; each hands the chosen File or ImageBitmap to `onPhoto`.
import { applyTranslations } from './i18n.js';
import { snapshot, startCamera, stopCamera } from './camera.js';

/**
 * Fills `container` from the `#tpl-photo-source` template and wires it up.
 * `onPhoto(fileOrBitmap)` receives each photo; `onError(error)` camera failures.
 * Returns `{ reset() }`, which clears the file input and turns the camera off.
 */
export function mountPhotoSource(container, { onPhoto, onError }) {
  const name = container.dataset.for;
  container.replaceChildren(document.getElementById('tpl-photo-source').content.cloneNode(true));
  const drop = container.querySelector('.drop');
  const file = container.querySelector('.file');
  const video = container.querySelector('.camera-video');
  const cameraBox = container.querySelector('.camera');
  const start = container.querySelector('.camera-start');
  file.id = `file-${name}`;
  file.name = `file-${name}`;
  container.querySelector('.camera-snap').id = `snap-${name}`;
  start.id = `camera-${name}`;
  applyTranslations(container);

  file.addEventListener('change', () => {
    if (file.files?.[0]) onPhoto(file.files[0]);
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
    if (f) onPhoto(f);
  });

  const showOff = () => {
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
    try {
      // camera.js stops the stream when the screen is left or the tab hidden: showOff follows.
      await startCamera(video, { onStopped: showOff });
      cameraBox.hidden = false;
      start.hidden = true;
      container.querySelector('.camera-snap').focus();
    } catch (e) {
      cameraOff();
      if (e?.code !== 'cameraCancelled') onError(Object.assign(new Error(e?.message ?? String(e)), { code: 'cameraUnavailable' }));
    } finally {
      start.disabled = false;
    }
  });
  container.querySelector('.camera-snap').addEventListener('click', async () => {
    try {
      const frame = await snapshot(video);
      cameraOff();
      onPhoto(frame);
    } catch (e) {
      onError(Object.assign(new Error(e?.message ?? String(e)), { code: 'cameraUnavailable' }));
    }
  });
  container.querySelector('.camera-stop').addEventListener('click', cameraOff);

  return {
    reset() {
      cameraOff();
      file.value = '';
    },
  };
}
