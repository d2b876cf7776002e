// Screen "My references": a photo (file, drop or camera), the face to use, a label and the
// consent record for this one reference, then enrolment.
import { t, dateTime, onLanguageChange } from './i18n.js';
import { showError } from './errors.js';
import { clearCanvas } from './photo.js';
import { showFaces } from './picker.js';
import { mountPhotoSource } from './photo-source.js';
import { detectPhoto } from './detect-photo.js';

const $ = (id) => document.getElementById(id);

/**
 * Wires the screen. `app` gives `engine()` (the FaceGate), `purposes()` (the page-level consent)
 * `announce(text)` and `changed()` (after the references changed). Returns `{ reset(), refresh() }`.
 */
export function setUpReferences(app) {
  const form = $('reference-form');
  const chooser = $('reference-chooser');
  const canvas = $('reference-canvas');
  const error = $('reference-error');
  let photo = null; // { bitmap, faces, face }
  let picker = null;

  const source = mountPhotoSource(document.querySelector('.photo-source[data-for="reference"]'), {
    onPhoto: (x) => choosePhoto(x),
    onError: (e) => showError(error, e),
  });

  const clearPhoto = () => {
    photo?.bitmap.close();
    photo = null;
    picker = null;
    clearCanvas(canvas);
    chooser.hidden = true;
    form.hidden = true;
    form.reset();
    $('reference-confirm').checked = false;
    showError(error, null);
    updateSentence();
  };

  async function choosePhoto(x) {
    clearPhoto();
    try {
      const fg = await app.engine();
      const { bitmap, faces } = await detectPhoto(fg, x);
      photo = { bitmap, faces, face: -1 };
      chooser.hidden = false;
      picker = showFaces({
        canvas, bitmap, faces, buttons: $('reference-face-buttons'), info: $('reference-faces'),
        onChoose: (i) => {
          photo.face = i;
          form.hidden = false;
          updateSentence();
        },
      });
    } catch (e) {
      clearPhoto();
      showError(error, e);
    }
  }

  // Which subjects the page-level consent allows: "me" needs the first purpose, "a person who
  // agreed" the second.
  const subjectAllowed = (s) => app.purposes().has(s === 'self' ? 'verifyItIsMe' : 'compareWithConsentingPerson');
  const subject = () => form.querySelector('input[name="subject"]:checked')?.value ?? 'self';
  const expiry = () => {
    const v = $('reference-expiry').value;
    return v ? new Date(`${v}T23:59:59`).getTime() : undefined;
  };
  function sentence() {
    const until = expiry() ? t('untilDate', { date: dateTime(expiry()) }) : t('untilWithdraw');
    return subject() === 'self'
      ? t('consentSentenceSelf', { until })
      : t('consentSentenceOther', { name: $('reference-other-name').value.trim() || '…', until });
  }
  function updateSentence() {
    for (const r of form.querySelectorAll('input[name="subject"]')) r.disabled = !subjectAllowed(r.value);
    if (!subjectAllowed(subject())) {
      const ok = [...form.querySelectorAll('input[name="subject"]')].find((r) => !r.disabled);
      if (ok) ok.checked = true;
    }
    form.querySelector('.other-name').hidden = subject() !== 'other';
    $('reference-consent-text').textContent = sentence();
  }
  form.addEventListener('input', updateSentence);
  form.addEventListener('change', updateSentence);
  onLanguageChange(() => {
    updateSentence();
    picker?.redraw();
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(error, null);
    const label = $('reference-label').value.trim();
    const name = $('reference-other-name').value.trim();
    const problem = !photo || photo.face < 0 ? 'chooseFaceFirst'
      : !label ? 'labelMissing'
        : subject() === 'other' && !name ? 'nameMissing'
          : expiry() !== undefined && expiry() <= Date.now() ? 'expiryPast'
            : !$('reference-confirm').checked ? 'confirmMissing' : null;
    if (problem) {
      error.textContent = t(problem);
      return;
    }
    const consent = {
      subject: subject() === 'self' ? 'self' : { otherPerson: name },
      purpose: subject() === 'self' ? 'verifyItIsMe' : 'compareWithConsentingPerson',
      consentText: sentence(),
      ...(expiry() ? { expiresAt: expiry() } : {}),
    };
    const button = $('reference-add');
    button.disabled = true;
    try {
      const fg = await app.engine();
      await fg.enroll(photo.bitmap, { consent, label, face: photo.face });
      clearPhoto();
      source.reset();
      app.announce(t('referenceAdded', { label }));
      await app.changed();
    } catch (err) {
      showError(error, err);
    } finally {
      button.disabled = false;
    }
  });
  $('reference-cancel').addEventListener('click', () => {
    clearPhoto();
    source.reset();
  });

  return {
    reset() {
      clearPhoto();
      source.reset();
      $('reference-summary').replaceChildren();
    },
    /** Shows the current references under the form. */
    refresh(list) {
      $('reference-summary').replaceChildren(...list.map((r) => {
        const li = document.createElement('li');
        li.textContent = t('referenceLine', { label: r.label, date: dateTime(r.createdAt) });
        return li;
      }));
      if (list.length === 0) {
        const li = document.createElement('li');
        li.textContent = t('noReferencesYet');
        $('reference-summary').append(li);
      }
      updateSentence();
    },
  };
}
