// "Your consent", in My data: each purpose of the page-level consent, given or not, with one
// button to withdraw it alone or to agree to it later (GDPR art. 7(3): withdrawing is as easy as
// giving). Withdrawing a purpose erases the references kept for it (with their templates);
// withdrawing the only purpose left is erasing everything. Agreeing later is the same express
// statement as on the consent screen, confirmed once.
import { t, onLanguageChange } from './i18n.js';
import { confirmErase } from './confirm.js';

const $ = (id) => document.getElementById(id);

/** The page's purposes, in the consent screen's order, with their sentence and short name. */
export const PURPOSES = [
  { id: 'verifyItIsMe', text: 'purposeSelf', short: 'purposeShortSelf' },
  { id: 'compareWithConsentingPerson', text: 'purposeOthers', short: 'purposeShortOthers' },
  { id: 'learn', text: 'purposeLearn', short: 'purposeShortLearn' },
];

/** The short name of a reference's purpose (`{ kind, description }` of its consent record). */
export function purposeName(purpose) {
  const known = PURPOSES.find((p) => p.id === purpose.kind);
  return known ? t(known.short) : purpose.description ?? purpose.kind;
}

/**
 * Wires the list. `app` gives `purposes()` (the Set given), `setPurposes(set)`, `engineIfLoaded()`
 * (the FaceGate, or null when nothing was ever processed), `eraseEverything()`, `announce(f)`
 * and `changed()`. Returns `{ render() }`.
 */
export function setUpPurposes(app) {
  const list = $('purpose-list');

  async function withdraw(p) {
    const given = app.purposes();
    const last = given.size === 1;
    const fg = app.engineIfLoaded();
    const held = fg ? (await fg.list()).filter((r) => r.consent.purpose.kind === p.id) : [];
    const sure = await confirmErase({
      title: 'purposeWithdrawTitle',
      text: last ? 'purposeWithdrawLastText' : 'purposeWithdrawText',
      yes: 'purposeWithdrawYes',
      no: 'purposeKeep',
      vars: { purpose: t(p.short), n: held.length },
    });
    if (!sure) return;
    if (last) return app.eraseEverything();
    for (const r of held) await fg.withdraw(r.id);
    const now = new Set(given);
    now.delete(p.id);
    app.setPurposes(now);
    app.announce(() => t('purposeWithdrawn', { purpose: t(p.short), n: held.length }));
    await app.changed();
  }

  async function agree(p) {
    const sure = await confirmErase({ title: 'purposeAddTitle', text: 'purposeAddText', yes: 'confirmYes', no: 'confirmBack', vars: { purpose: t(p.text) }, danger: false });
    if (!sure) return;
    app.setPurposes(new Set([...app.purposes(), p.id]));
    app.announce(() => t('purposeAdded', { purpose: t(p.short) }));
  }

  function render() {
    const given = app.purposes();
    list.replaceChildren(...PURPOSES.map((p) => {
      const li = document.createElement('li');
      li.dataset.purpose = p.id;
      li.dataset.given = String(given.has(p.id));
      const text = document.createElement('span');
      text.className = 'purpose-text';
      text.textContent = t(p.text);
      const state = document.createElement('strong');
      state.className = 'purpose-state';
      state.textContent = given.has(p.id) ? t('purposeGiven') : t('purposeNotGiven');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = given.has(p.id) ? t('purposeWithdraw') : t('purposeAdd');
      button.setAttribute('aria-label', `${button.textContent}: ${t(p.short)}`);
      button.addEventListener('click', () => (given.has(p.id) ? withdraw(p) : agree(p)).catch((e) => app.announce(() => e?.message ?? String(e))));
      li.append(state, ' ', text, ' ', button);
      return li;
    }));
  }
  onLanguageChange(render);
  render();
  return { render };
}
