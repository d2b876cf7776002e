// The consent gate: a plain-language screen with one unticked box per purpose and a sentence to
// affirm, then a second confirmation step. Nothing else of the app (camera, inference) is
// reachable before it; refusing leads to the explanations only.
import { t } from './i18n.js';

const PURPOSE_TEXT = { verifyItIsMe: 'purposeSelf', compareWithConsentingPerson: 'purposeOthers', learn: 'purposeLearn' };

/**
 * Wires the two consent screens. `show(name)` switches screens; `onConsent({ purposes, givenAt })`
 * runs after the confirmation; `onRefuse()` when the user declines.
 * Returns `{ reset() }`: every box unticked again.
 */
export function setUpConsent({ show, onConsent, onRefuse }) {
  const boxes = [...document.querySelectorAll('#screen-consent input[name="purpose"]')];
  const affirm = document.getElementById('consent-affirm');
  const next = document.getElementById('consent-continue');
  const ticked = () => boxes.filter((b) => b.checked).map((b) => b.value);
  const update = () => {
    next.disabled = !(affirm.checked && ticked().length > 0);
  };
  for (const b of [...boxes, affirm]) b.addEventListener('change', update);

  next.addEventListener('click', () => {
    if (next.disabled) return;
    const list = document.getElementById('confirm-list');
    list.replaceChildren(...ticked().map((p) => {
      const li = document.createElement('li');
      li.textContent = t(PURPOSE_TEXT[p]);
      return li;
    }));
    show('confirm');
    document.getElementById('confirm-yes').focus();
  });
  document.getElementById('confirm-back').addEventListener('click', () => {
    show('consent');
    next.focus();
  });
  document.getElementById('confirm-yes').addEventListener('click', () => {
    onConsent({ purposes: new Set(ticked()), givenAt: Date.now() });
  });
  document.getElementById('consent-refuse').addEventListener('click', onRefuse);

  return {
    reset() {
      for (const b of [...boxes, affirm]) b.checked = false;
      update();
    },
  };
}
