// Live camera guidance: while the camera preview shows, the face detector (detection only: no
// template is ever computed from a preview frame) runs a few times a second; the page draws the
// face box over the preview with one plain hint, and the snapshot button is enabled only when
// exactly one face is well placed, or when the user picked one of several faces.
import { t, onLanguageChange } from './i18n.js';
import { assessFrame, centre, faceNear } from './framing.js';

/** Milliseconds between the starts of two detections (about four a second). */
const PERIOD_MS = 250;

/**
 * Starts guiding. `video`: the live preview; `overlay`: a canvas laid over it; `hint`: the
 * status paragraph; `faceButtons`: a group for choosing among several faces (keyboard);
 * `snap`: the snapshot button; `detect(video)`: resolves to `{ width, height, faces }`.
 * Returns `{ stop(), picked(), faces() }`: `picked()` is the point (frame pixels) of the face
 * the user chose, or null; `faces()` the latest detection (for js/camera-preview.js).
 */
export function guideCamera({ video, overlay, hint, faceButtons, snap, detect }) {
  let stopped = false;
  let timer = 0;
  let picked = null;
  let previous = null;
  let last = null; // { width, height, faces, result }
  let shownHint = '';
  const probe = new OffscreenCanvas(16, 16);
  const probeCtx = probe.getContext('2d', { willReadFrequently: true });

  snap.disabled = true;
  setHint('cameraHintStarting');

  function setHint(key) {
    if (key === shownHint) return;
    shownHint = key;
    hint.dataset.hint = key;
    hint.dataset.ready = String(key === 'cameraHint_good');
    hint.textContent = t(key);
  }

  /** Mean brightness (0..255) of `face`'s box in the current preview frame. */
  function brightness(face) {
    const b = face.bbox;
    try {
      probeCtx.drawImage(video, b.x, b.y, b.width, b.height, 0, 0, 16, 16);
      const d = probeCtx.getImageData(0, 0, 16, 16).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      return sum / (d.length / 4);
    } catch {
      return null;
    }
  }

  function draw() {
    const r = overlay.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    overlay.width = Math.max(1, Math.round(r.width * dpr));
    overlay.height = Math.max(1, Math.round(r.height * dpr));
    const ctx = overlay.getContext('2d');
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    if (!last) return;
    const s = overlay.width / last.width;
    last.faces.forEach((f, i) => {
      const b = f.bbox;
      const chosen = i === last.result.face;
      ctx.lineWidth = (chosen ? 4 : 2) * dpr;
      ctx.strokeStyle = chosen ? (last.result.ready ? '#35c46a' : '#f0a202') : '#ffffff';
      ctx.setLineDash(chosen ? [] : [6 * dpr, 4 * dpr]);
      ctx.strokeRect(b.x * s, b.y * s, b.width * s, b.height * s);
    });
    ctx.setLineDash([]);
  }

  /** Face buttons when several faces are seen, numbered left to right (rebuilt only when their number changes). */
  let order = [];
  function updateButtons(faces) {
    faceButtons.hidden = faces.length < 2;
    order = faces.map((f, i) => [centre(f).x, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    if (faces.length < 2) {
      faceButtons.replaceChildren();
      return;
    }
    if (faceButtons.childElementCount !== faces.length) {
      faceButtons.replaceChildren(...order.map((_, k) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'face-button';
        b.dataset.rank = String(k);
        b.textContent = t('faceButton', { k: k + 1 });
        b.addEventListener('click', () => {
          const f = last?.faces[order[k]];
          if (f) pick(centre(f));
        });
        return b;
      }));
    }
    const chosen = last?.result.face ?? -1;
    for (const b of faceButtons.children) b.setAttribute('aria-pressed', String(order[Number(b.dataset.rank)] === chosen));
  }

  function pick(point) {
    picked = point;
    previous = null;
    if (last) {
      last.result = assessFrame({ ...last, picked, brightness });
      show();
    }
  }

  function show() {
    setHint(`cameraHint_${last.result.hint}`);
    snap.disabled = !last.result.ready;
    updateButtons(last.faces);
    draw();
  }

  overlay.addEventListener('click', (e) => {
    if (!last || last.faces.length < 2) return;
    const r = overlay.getBoundingClientRect();
    const s = last.width / r.width;
    const p = { x: (e.clientX - r.left) * s, y: (e.clientY - r.top) * s };
    pick(centre(last.faces[faceNear(last.faces, p)]));
  });

  async function tick() {
    if (stopped) return;
    const started = performance.now();
    if (video.readyState >= 2 && !document.hidden) {
      try {
        const d = await detect(video);
        if (stopped) return;
        const frame = { width: d.width, height: d.height, faces: d.faces };
        const result = assessFrame({ ...frame, picked, brightness, previous });
        // Follow the chosen face from frame to frame: the pick moves with it.
        if (result.face >= 0) {
          previous = centre(frame.faces[result.face]);
          if (picked) picked = previous;
        } else {
          previous = null;
        }
        last = { ...frame, result };
        show();
      } catch {
        if (stopped) return;
        // Not ready yet (the engine is still loading) or a frame that could not be read: wait.
        setHint('cameraHintStarting');
      }
    }
    timer = setTimeout(tick, Math.max(0, PERIOD_MS - (performance.now() - started)));
  }
  const relabel = () => {
    if (stopped) return;
    const key = shownHint;
    shownHint = '';
    setHint(key);
    faceButtons.replaceChildren();
    if (last) updateButtons(last.faces);
  };
  const unlisten = onLanguageChange(relabel);
  timer = setTimeout(tick, 0);

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      unlisten();
      last = null;
      picked = null;
      const ctx = overlay.getContext('2d');
      ctx.clearRect(0, 0, overlay.width, overlay.height);
      overlay.width = 0;
      overlay.height = 0;
      faceButtons.replaceChildren();
      faceButtons.hidden = true;
      hint.textContent = '';
      shownHint = '';
      snap.disabled = false;
    },
    picked: () => picked,
    /** The latest detection, for the live view: `{ width, height, faces, keep }` (keep: the
     *  face the snapshot would use, -1 for none), or null. */
    faces: () => (last ? { width: last.width, height: last.height, faces: last.faces, keep: last.result.face } : null),
  };
}
