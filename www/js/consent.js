// The consent gate: a plain-language screen with one unticked box per purpose and a sentence to
// affirm, then a second confirmation step. Nothing else of the app (camera, inference) is
// reachable before it; refusing leads to the explanations only. The engine's download starts at
// the first "Continue" (not before: a visitor who refuses downloads no model), and its progress
// shows on the confirmation step.
import { liveText, onLanguageChange, t } from './i18n.js';

const PURPOSE_TEXT = { verifyItIsMe: 'purposeSelf', compareWithConsentingPerson: 'purposeOthers', learn: 'purposeLearn' };

/**
 * Wires the two consent screens. `show(name)` switches screens; `onContinue()` runs at each
 * "Continue" (the page starts the engine's download at the first); `onBack()` when the user goes
 * back from the confirmation (the download stops); `onConsent({ purposes, givenAt })` runs after
 * the confirmation; `onRefuse()` when the user declines.
 * Returns `{ reset(), progress(fraction), failed(render) }`: every box unticked again; the
 * download's progress (0..1) shown on the confirmation step; why it failed (`render()` gives the
 * text in the current language).
 *
 * The boxes stay disabled, with a "preparing" note, until this runs: the page first puts its
 * protections in place (js/offline.js), which may reload it once, and a tick would be lost.
 */
export function setUpConsent({ show, onContinue, onBack, onConsent, onRefuse }) {
  const boxes = [...document.querySelectorAll('#screen-consent input[name="purpose"]')];
  const affirm = document.getElementById('consent-affirm');
  for (const b of [...boxes, affirm]) b.disabled = false;
  document.getElementById('consent-preparing').hidden = true;
  const next = document.getElementById('consent-continue');
  const ticked = () => boxes.filter((b) => b.checked).map((b) => b.value);
  const update = () => {
    next.disabled = !(affirm.checked && ticked().length > 0);
  };
  for (const b of [...boxes, affirm]) b.addEventListener('change', update);
  // Boxes ticked before this ran (the page was still starting) count too.
  update();

  const list = document.getElementById('confirm-list');
  const listTicked = () => list.replaceChildren(...ticked().map((p) => {
    const li = document.createElement('li');
    li.textContent = t(PURPOSE_TEXT[p]);
    return li;
  }));
  next.addEventListener('click', () => {
    if (next.disabled) return;
    listTicked();
    show('confirm');
    document.getElementById('confirm-yes').focus();
    onContinue?.();
  });
  document.getElementById('confirm-back').addEventListener('click', () => {
    show('consent');
    next.focus();
    onBack?.();
  });
  document.getElementById('confirm-yes').addEventListener('click', () => {
    onConsent({ purposes: new Set(ticked()), givenAt: Date.now() });
  });
  document.getElementById('consent-refuse').addEventListener('click', onRefuse);

  const bar = document.getElementById('engine-bar');
  const pct = document.getElementById('engine-pct');
  let shownPct = -1;
  let failure = false;
  const showPct = () => {
    if (shownPct < 0) return;
    pct.textContent = shownPct >= 100 ? t('engineDownloaded') : t('engineLoadingPct', { pct: shownPct });
  };
  onLanguageChange(() => {
    if (list.children.length) listTicked();
    showPct();
  });
  return {
    failed(render) {
      bar.removeAttribute('value');
      shownPct = -1;
      failure = true;
      liveText(pct, render);
    },
    reset() {
      for (const b of [...boxes, affirm]) b.checked = false;
      update();
    },
    progress(fraction) {
      if (failure) {
        failure = false;
        liveText(pct, null);
      }
      bar.value = fraction;
      if (fraction === 0) shownPct = -1;
      // Whole percents only, so that a screen reader is not flooded.
      const now = Math.floor(fraction * 100);
      if (now !== shownPct) {
        shownPct = now;
        showPct();
      }
    },
  };
}
