// Screen "Check a photo": compare the face in a photo with one reference (verify) or with all of
// the user's references (identify), and show the result card. The card always answers the
// current question: changing the reference or the mode runs the comparison again; when the
// references change, a comparison with all of them runs again and one with a reference now
// gone is cleared.
import { t, onLanguageChange } from './i18n.js';
import { showError } from './errors.js';
import { clearCanvas } from './photo.js';
import { showFaces } from './picker.js';
import { mountPhotoSource } from './photo-source.js';
import { detectPhoto, withDetection } from './detect-photo.js';
import { identifyCard, verifyCard } from './result-card.js';
import { busy } from './busy.js';

const $ = (id) => document.getElementById(id);

/** Wires the screen; `app` as for references. Returns `{ reset(), refresh(list) }`. */
export function setUpCheck(app) {
  const chooser = $('check-chooser');
  const canvas = $('check-canvas');
  const error = $('check-error');
  const result = $('check-result');
  const select = $('check-reference');
  const work = $('check-work');
  let photo = null; // { bitmap, faces, face, detection }
  let picker = null;
  let last = null; // the outcome on screen, redrawn after a language switch
  let run = 0; // the latest comparison asked for; older answers are dropped
  let attempt = 0; // the latest photo chosen; an older one still being read is dropped
  let listKey = ''; // the references the result was computed against

  const source = mountPhotoSource(document.querySelector('.photo-source[data-for="check"]'), {
    onPhoto: (x, options) => choosePhoto(x, options),
    onError: (e) => showError(error, e),
    onCamera: () => showError(error, null),
    detect: async (video) => (await app.engine()).detect(video),
  });
  const mode = () => document.querySelector('input[name="check-mode"]:checked')?.value ?? 'verify';
  const question = () => (mode() === 'verify' ? `verify:${select.value}` : 'identify');
  const rerun = () => {
    select.disabled = mode() !== 'verify';
    // (A change event that asks the same question again, e.g. the same option chosen, changes nothing.)
    if (last && last.question === question()) return;
    if (photo && photo.face >= 0) compare(photo.face);
    else clearResult();
  };
  for (const r of document.querySelectorAll('input[name="check-mode"]')) r.addEventListener('change', rerun);
  select.addEventListener('change', rerun);

  const clearResult = () => {
    run += 1;
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

  async function choosePhoto(x, { prefer } = {}) {
    const done = busy(work, 'busyFaces', { parent: source.container });
    clearPhoto();
    const mine = ++attempt;
    try {
      const fg = await app.engine();
      const found = await detectPhoto(fg, x);
      if (mine !== attempt) return void found.bitmap.close();
      photo = { ...found, face: -1 };
      chooser.hidden = false;
      picker = showFaces({
        canvas, bitmap: found.bitmap, faces: found.faces, buttons: $('check-face-buttons'), info: $('check-faces'), prefer,
        onChoose: (i) => compare(i),
      });
    } catch (e) {
      if (mine !== attempt) return;
      clearPhoto();
      showError(error, e);
    } finally {
      done();
    }
  }

  async function compare(face) {
    clearResult();
    showError(error, null);
    photo.face = face;
    const mine = run;
    const asked = question();
    const done = busy(work, 'busyCompare', { parent: chooser });
    try {
      const fg = await app.engine();
      let outcome;
      if (mode() === 'verify') {
        if (!select.value) throw Object.assign(new Error('no reference'), { code: 'galleryEmpty' });
        outcome = { kind: 'verify', match: await withDetection(photo, (image) => fg.verify(image, select.value, { face })) };
      } else {
        outcome = { kind: 'identify', found: await withDetection(photo, (image) => fg.identify(image, { face })) };
      }
      if (mine !== run || asked !== question()) return;
      last = { ...outcome, question: asked };
      render();
      result.focus();
      await app.changed();
    } catch (e) {
      if (mine !== run) return;
      showError(error, e);
      if (e?.code === 'unknownReference' || e?.code === 'referenceExpired') await app.changed();
    } finally {
      done();
    }
  }

  function render() {
    if (!last || !photo) return;
    result.replaceChildren(...(last.kind === 'verify' ? verifyCard(last.match) : identifyCard(last.found)));
    result.dataset.kind = last.kind;
    result.hidden = false;
  }
  onLanguageChange(() => {
    picker?.redraw();
    render();
  });

  return {
    reset() {
      attempt += 1;
      clearPhoto();
      source.reset();
      listKey = '';
      // The references' labels (often people's names) go with them.
      select.replaceChildren();
      $('check-empty').hidden = false;
    },
    refresh(list) {
      const keep = select.value;
      select.replaceChildren(...list.map((r) => new Option(r.label, r.id)));
      if (list.some((r) => r.id === keep)) select.value = keep;
      select.disabled = mode() !== 'verify';
      $('check-empty').hidden = list.length > 0;
      // The references changed (added, withdrawn, expired): a comparison with all of them runs
      // again; a comparison with one that is gone is cleared.
      const key = list.map((r) => r.id).join(',');
      if (key !== listKey) {
        listKey = key;
        if (last?.kind === 'identify') compare(photo.face);
        else if (last?.kind === 'verify' && !list.some((r) => r.id === last.match.referenceId)) clearResult();
      }
    },
  };
}
