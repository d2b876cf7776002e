// Screen "Check a photo": compare the face in a photo with one reference (verify) or with all of
// the user's references (identify), and show the result card.
import { t, onLanguageChange } from './i18n.js';
import { showError } from './errors.js';
import { clearCanvas, drawPhoto, pictureCanvas } from './photo.js';
import { showFaces } from './picker.js';
import { mountPhotoSource } from './photo-source.js';
import { detectPhoto } from './detect-photo.js';
import { matchBlock, oneIn } from './result-card.js';

const $ = (id) => document.getElementById(id);

/** Wires the screen; `app` as for references. Returns `{ reset(), refresh(list) }`. */
export function setUpCheck(app) {
  const chooser = $('check-chooser');
  const canvas = $('check-canvas');
  const error = $('check-error');
  const result = $('check-result');
  const select = $('check-reference');
  let photo = null;
  let picker = null;
  let last = null; // the last outcome, redrawn after a language switch

  const source = mountPhotoSource(document.querySelector('.photo-source[data-for="check"]'), {
    onPhoto: (x) => choosePhoto(x),
    onError: (e) => showError(error, e),
  });
  const mode = () => document.querySelector('input[name="check-mode"]:checked')?.value ?? 'verify';
  for (const r of document.querySelectorAll('input[name="check-mode"]')) {
    r.addEventListener('change', () => {
      select.disabled = mode() !== 'verify';
    });
  }

  const clearResult = () => {
    for (const c of result.querySelectorAll('canvas')) clearCanvas(c);
    result.replaceChildren();
    result.hidden = true;
    last = null;
  };
  const clearPhoto = () => {
    photo?.bitmap.close();
    photo = null;
    picker = null;
    clearCanvas(canvas);
    chooser.hidden = true;
    clearResult();
    showError(error, null);
  };

  async function choosePhoto(x) {
    clearPhoto();
    try {
      const fg = await app.engine();
      const { bitmap, faces } = await detectPhoto(fg, x);
      photo = { bitmap, faces };
      chooser.hidden = false;
      picker = showFaces({
        canvas, bitmap, faces, buttons: $('check-face-buttons'), info: $('check-faces'),
        onChoose: (i) => compare(i),
      });
    } catch (e) {
      clearPhoto();
      showError(error, e);
    }
  }

  async function compare(face) {
    clearResult();
    showError(error, null);
    try {
      const fg = await app.engine();
      if (mode() === 'verify') {
        if (!select.value) throw Object.assign(new Error('no reference'), { code: 'galleryEmpty' });
        last = { kind: 'verify', face, match: await fg.verify(photo.bitmap, select.value, { face }) };
      } else {
        last = { kind: 'identify', face, found: await fg.identify(photo.bitmap, { face }) };
      }
      render();
      await app.changed();
    } catch (e) {
      showError(error, e);
      if (e?.code === 'unknownReference' || e?.code === 'referenceExpired') await app.changed();
    }
  }

  function render() {
    if (!last || !photo) return;
    for (const c of result.querySelectorAll('canvas')) clearCanvas(c);
    const h = document.createElement('h3');
    h.textContent = t('resultTitle');
    const picture = pictureCanvas('result-photo', t('resultPhotoLabel'));
    drawPhoto(picture, photo.bitmap, photo.faces, { keep: last.face });
    const body = document.createElement('div');
    body.className = 'result-body';
    if (last.kind === 'verify') {
      body.append(matchBlock(last.match));
    } else {
      const best = document.createElement('p');
      best.className = 'best';
      best.dataset.best = last.found.best?.referenceId ?? '';
      best.textContent = last.found.best
        ? t('identifyBest', { label: last.found.best.label, rate: oneIn(last.found.best.falseMatchRate) })
        : t('identifyNone');
      body.append(best, ...last.found.candidates.map(matchBlock));
    }
    result.replaceChildren(h, picture, body);
    result.hidden = false;
    result.focus();
  }
  onLanguageChange(() => {
    picker?.redraw();
    render();
  });

  return {
    reset() {
      clearPhoto();
      source.reset();
    },
    refresh(list) {
      const keep = select.value;
      select.replaceChildren(...list.map((r) => new Option(r.label, r.id)));
      if (list.some((r) => r.id === keep)) select.value = keep;
      $('check-empty').hidden = list.length > 0;
    },
  };
}
