// Screen "My references": a photo (file, drop or camera), the face to use, a label and the
// consent record for this one reference, then enrolment.
import { t, dateTime, liveText, onLanguageChange } from './i18n.js';
import { showError } from './errors.js';
import { clearCanvas } from './photo.js';
import { showFaces } from './picker.js';
import { mountPhotoSource } from './photo-source.js';
import { detectPhoto, withDetection } from './detect-photo.js';
import { busy } from './busy.js';

const $ = (id) => document.getElementById(id);
const DAY_MS = 24 * 3600 * 1000;

/**
 * Wires the screen. `app` gives `engine()` (the FaceGate), `purposes()` (the page-level consent)
 * `announce(text)` and `changed()` (after the references changed). Returns `{ reset(), refresh() }`.
 */
export function setUpReferences(app) {
  const form = $('reference-form');
  const chooser = $('reference-chooser');
  const canvas = $('reference-canvas');
  const work = $('reference-work');
  const error = $('reference-error'); // photo and camera problems: outside the form, always visible
  const formError = $('reference-form-error');
  let photo = null; // { bitmap, faces, face }
  let picker = null;
  let attempt = 0; // the latest photo chosen; an older one still being read is dropped

  const source = mountPhotoSource(document.querySelector('.photo-source[data-for="reference"]'), {
    onPhoto: (x, options) => choosePhoto(x, options),
    onError: (e) => showError(error, e),
    onCamera: () => showError(error, null),
    detect: async (video) => (await app.engine()).detect(video),
  });

  const clearPhoto = () => {
    photo?.bitmap.close();
    photo = null;
    picker = null;
    clearCanvas(canvas);
    chooser.hidden = true;
    form.hidden = true;
    form.reset();
    confirm.checked = false;
    affirmed = null;
    liveText(confirmAgain, null);
    showError(error, null);
    showError(formError, null);
    updateSentence();
  };

  async function choosePhoto(x, { prefer } = {}) {
    const done = busy(work, 'busyFaces', { parent: source.container });
    const mine = ++attempt;
    clearPhoto();
    try {
      const fg = await app.engine();
      const found = await detectPhoto(fg, x);
      if (mine !== attempt) return void found.bitmap.close();
      photo = { ...found, face: -1 };
      chooser.hidden = false;
      picker = showFaces({
        canvas, bitmap: found.bitmap, faces: found.faces, buttons: $('reference-face-buttons'), info: $('reference-faces'), prefer,
        onChoose: (i) => {
          photo.face = i;
          form.hidden = false;
          updateSentence();
        },
      });
    } catch (e) {
      if (mine !== attempt) return;
      clearPhoto();
      showError(error, e);
    } finally {
      done();
    }
  }

  // Which subjects the page-level consent allows: "me" needs the first purpose, "a person who
  // agreed" the second.
  const subjectAllowed = (s) => app.purposes().has(s === 'self' ? 'verifyItIsMe' : 'compareWithConsentingPerson');
  const subject = () => form.querySelector('input[name="subject"]:checked')?.value ?? 'self';
  /** When the consent ends (ms since the epoch), or undefined: until withdrawn. Fixed once chosen. */
  let expiresAt;
  const pickExpiry = () => {
    const days = Number($('reference-expiry').value);
    expiresAt = days > 0 ? Date.now() + days * DAY_MS : undefined;
  };
  $('reference-expiry').addEventListener('change', pickExpiry);
  function sentence() {
    const until = expiresAt ? t('untilDate', { date: dateTime(expiresAt) }) : t('untilWithdraw');
    return subject() === 'self'
      ? t('consentSentenceSelf', { until })
      : t('consentSentenceOther', { name: $('reference-other-name').value.trim() || '…', until });
  }
  // The confirmation is of one sentence: whenever the sentence changes (the name, how long, the
  // language, whose face), the box is unticked and must be ticked again, so that the sentence
  // recorded (its SHA-256) is the one the user affirmed.
  const confirm = $('reference-confirm');
  const confirmAgain = $('reference-confirm-again');
  let shownSentence = '';
  let affirmed = null; // the sentence shown when the box was ticked
  confirm.addEventListener('change', () => {
    affirmed = confirm.checked ? shownSentence : null;
    if (confirm.checked) liveText(confirmAgain, null);
  });
  function updateSentence() {
    for (const r of form.querySelectorAll('input[name="subject"]')) r.disabled = !subjectAllowed(r.value);
    if (!subjectAllowed(subject())) {
      const ok = [...form.querySelectorAll('input[name="subject"]')].find((r) => !r.disabled);
      if (ok) ok.checked = true;
    }
    if (!$('reference-expiry').value) expiresAt = undefined;
    form.querySelector('.other-name').hidden = subject() !== 'other';
    const text = sentence();
    if (text === shownSentence) return;
    shownSentence = text;
    $('reference-consent-text').textContent = text;
    if (confirm.checked) {
      confirm.checked = false;
      liveText(confirmAgain, () => t('confirmAgain'));
    }
    affirmed = null;
  }
  form.addEventListener('input', updateSentence);
  form.addEventListener('change', updateSentence);
  onLanguageChange(() => {
    updateSentence();
    picker?.redraw();
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(formError, null);
    const label = $('reference-label').value.trim();
    const name = $('reference-other-name').value.trim();
    // Every problem at once, each field marked, the first one focused.
    const problems = [
      [!photo || photo.face < 0, 'chooseFaceFirst', null],
      [!label, 'labelMissing', $('reference-label')],
      [subject() === 'other' && !name, 'nameMissing', $('reference-other-name')],
      [!confirm.checked || affirmed !== sentence(), 'confirmMissing', confirm],
    ];
    for (const [bad, , field] of problems) field?.setAttribute('aria-invalid', String(bad));
    const found = problems.filter(([bad]) => bad);
    if (found.length) {
      liveText(formError, () => found.map(([, key]) => t(key)).join(' '));
      found.find(([, , field]) => field)?.[2].focus();
      return;
    }
    const consent = {
      subject: subject() === 'self' ? 'self' : { otherPerson: name },
      purpose: subject() === 'self' ? 'verifyItIsMe' : 'compareWithConsentingPerson',
      consentText: sentence(),
      ...(expiresAt ? { expiresAt } : {}),
    };
    const button = $('reference-add');
    button.disabled = true;
    const done = busy(form, 'busyEnroll', { parent: form.querySelector('.actions') });
    try {
      const fg = await app.engine();
      await withDetection(photo, (image) => fg.enroll(image, { consent, label, face: photo.face }));
      clearPhoto();
      source.reset();
      app.announce(() => t('referenceAdded', { label }));
      await app.changed();
      // Focus where the new reference now shows (not lost on <body> with the hidden form).
      $('references-list-title').focus();
    } catch (err) {
      showError(formError, err);
    } finally {
      done();
      button.disabled = false;
    }
  });
  $('reference-cancel').addEventListener('click', () => {
    clearPhoto();
    source.reset();
  });

  let shown = [];
  function renderList() {
    $('reference-summary').replaceChildren(...shown.map((r) => {
      const li = document.createElement('li');
      li.textContent = t('referenceLine', { label: r.label, date: dateTime(r.createdAt) });
      return li;
    }));
    if (shown.length === 0) {
      const li = document.createElement('li');
      li.textContent = t('noReferencesYet');
      $('reference-summary').append(li);
    }
  }
  onLanguageChange(renderList);

  return {
    reset() {
      attempt += 1;
      clearPhoto();
      source.reset();
      shown = [];
      $('reference-summary').replaceChildren();
    },
    /** Shows the current references under the form. */
    refresh(list) {
      shown = list;
      renderList();
      updateSentence();
    },
  };
}
