// Screen "My data": everything held (label, date, consent record, template size), withdraw per
// reference, encrypted export and import, and the audit log.
import { t, dateTime, num, liveText, onLanguageChange } from './i18n.js';
import { showError, showProblem } from './errors.js';
import { confirmErase } from './confirm.js';
import { busy } from './busy.js';
import { purposeName } from './purposes.js';

const $ = (id) => document.getElementById(id);
/** How many of the newest audit events the panel lists. */
const AUDIT_SHOWN = 100;

/** Wires the screen; `app` as for references. Returns `{ reset(), refresh(list, log) }`. */
export function setUpMyData(app) {
  let shown = { list: [], log: [] };

  /** The consent record in words; the fingerprint of the sentence shown, on request. */
  function consentCell(c) {
    const who = c.subject.kind === 'selfPerson' ? t('subjectSelf') : t('subjectNamed', { name: c.subject.name });
    const what = purposeName(c.purpose);
    const until = c.expiresAt ? t('recordUntilDate', { date: dateTime(c.expiresAt) }) : t('recordUntilWithdraw');
    const td = document.createElement('td');
    const words = document.createElement('p');
    words.className = 'consent-words';
    words.textContent = t('consentRecord', { who, what, given: dateTime(c.givenAt), until });
    const proof = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = t('consentProof');
    const hash = document.createElement('p');
    hash.append(t('consentProofText'), ' ');
    const code = document.createElement('code');
    code.className = 'hash';
    code.textContent = c.textSha256;
    hash.append(code);
    proof.append(summary, hash);
    td.append(words, proof);
    return td;
  }

  function render() {
    const { list, log } = shown;
    const body = $('data-table').querySelector('tbody');
    body.replaceChildren(...list.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.referenceId = r.id;
      const cell = (tag, text) => {
        const el = document.createElement(tag);
        el.textContent = text;
        return el;
      };
      const label = cell('th', r.label);
      label.scope = 'row';
      const added = cell('td', dateTime(r.createdAt));
      added.dataset.label = t('colAddedShort');
      const size = cell('td', t('templateSize', { bytes: num(r.templateBytes) }));
      size.dataset.label = t('colTemplateShort');
      tr.append(label, added, consentCell(r.consent), size);
      const td = document.createElement('td');
      const withdraw = document.createElement('button');
      withdraw.type = 'button';
      withdraw.className = 'withdraw';
      withdraw.textContent = t('withdraw');
      withdraw.setAttribute('aria-label', t('withdrawLabel', { label: r.label }));
      withdraw.addEventListener('click', () => withdrawOne(r));
      td.append(withdraw);
      tr.append(td);
      return tr;
    }));
    $('data-table').hidden = list.length === 0;
    $('data-empty').hidden = list.length > 0 || log.length > 0;
    // Nothing to export: say so rather than write an empty file.
    $('export-button').disabled = list.length === 0;
    $('export-nothing').hidden = list.length > 0;
    const labels = new Map(list.map((r) => [r.id, r.label]));
    // The newest events only: a long session's log would make every redraw slower.
    const shownLog = log.slice(-AUDIT_SHOWN);
    $('audit-log').start = log.length - shownLog.length + 1;
    $('audit-more').hidden = log.length <= AUDIT_SHOWN;
    $('audit-more').textContent = t('auditMore', { shown: shownLog.length, total: log.length });
    $('audit-log').replaceChildren(...shownLog.map((e) => {
      const li = document.createElement('li');
      const ref = e.reference ? (labels.get(e.reference) ?? t('auditGone', { id: e.reference.slice(0, 6) })) : '';
      li.textContent = `${dateTime(e.at)}: ${t(`audit_${e.event}`, { ref, n: num(e.references ?? 0), added: num(e.added ?? e.references ?? 0), outcome: (e.likelySamePerson ? t('likelySame') : t('likelyDifferent')).toLowerCase(), reason: e.reason ? t(`reason_${e.reason}`) : '' })}`;
      li.dataset.event = e.event;
      return li;
    }));
  }
  onLanguageChange(render);
  render();

  async function withdrawOne(r) {
    const sure = await confirmErase({ title: 'withdrawTitle', text: 'withdrawText', yes: 'withdrawYes', no: 'withdrawNo', vars: { label: r.label } });
    if (!sure) return;
    try {
      const fg = await app.engine();
      await fg.withdraw(r.id);
      app.announce(() => t('withdrawn', { label: r.label }));
    } catch (e) {
      app.announce(() => `${t('withdrawFailed')} ${e?.message ?? e}`);
    }
    await app.changed();
    $('data-title').tabIndex = -1;
    $('data-title').focus();
  }

  /** Empties the export form and hides a suggested passphrase. */
  function forgetSuggestion() {
    $('export-form').reset();
    liveText($('export-suggested'), null);
    $('export-suggested').hidden = true;
  }

  // A passphrase facegate draws (six words of the EFF Long Wordlist, about 77 bits), shown in
  // words so that it can be written down, and typed into both fields.
  $('export-suggest').addEventListener('click', async () => {
    const error = $('export-error');
    showError(error, null);
    try {
      const fg = await app.engine();
      const words = await fg.generatePassphrase();
      $('export-passphrase').value = words;
      $('export-passphrase2').value = words;
      liveText($('export-suggested'), () => t('passphraseSuggested', { passphrase: words }));
      $('export-suggested').hidden = false;
    } catch (err) {
      showError(error, err);
    }
  });
  // Typing a passphrase of one's own hides the suggestion.
  for (const id of ['export-passphrase', 'export-passphrase2']) {
    $(id).addEventListener('input', () => {
      liveText($('export-suggested'), null);
      $('export-suggested').hidden = true;
    });
  }

  $('export-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = $('export-error');
    showError(error, null);
    liveText($('export-status'), null);
    if (shown.list.length === 0) return void showProblem(error, 'exportNothing');
    const p1 = $('export-passphrase').value;
    // How guessable it is, facegate judges (Dropbox's zxcvbn estimator, in the engine).
    if (!p1) return void showProblem(error, 'passphraseEmpty');
    if (p1 !== $('export-passphrase2').value) return void showProblem(error, 'passphraseMismatch');
    const done = busy($('export-form'), 'busyExport', { parent: $('export-form') });
    try {
      const fg = await app.engine();
      const bytes = await fg.exportGallery(p1);
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `facegate-${new Date().toISOString().slice(0, 10)}.facegate`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      bytes.fill(0);
      forgetSuggestion();
      const n = shown.list.length;
      liveText($('export-status'), () => t('exported', { n: num(n) }));
      await app.changed();
    } catch (err) {
      showError(error, err);
    } finally {
      done();
    }
  });

  $('import-file').addEventListener('change', () => {
    const f = $('import-file').files?.[0];
    liveText($('import-chosen'), f ? () => t('chosenFile', { name: f.name }) : null);
  });

  $('import-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = $('import-error');
    showError(error, null);
    liveText($('import-status'), null);
    const file = $('import-file').files?.[0];
    if (!file) return void showProblem(error, 'importChooseFile');
    const done = busy($('import-form'), 'busyImport', { parent: $('import-form') });
    try {
      const fg = await app.engine();
      const bytes = new Uint8Array(await file.arrayBuffer());
      const before = new Set((await fg.list()).map((r) => r.id));
      const report = await fg.importGallery(bytes, $('import-passphrase').value);
      bytes.fill(0);
      // Purpose limitation: a reference is kept only if its purpose is one the visitor agreed to
      // on this page; the others are erased at once (their templates with them) and named.
      const given = app.purposes();
      const outside = (await fg.list()).filter((r) => !before.has(r.id) && !given.has(r.consent.purpose.kind));
      for (const r of outside) await fg.withdraw(r.id);
      const kinds = [...new Map(outside.map((r) => [r.consent.purpose.kind, r.consent.purpose])).values()];
      $('import-form').reset();
      liveText($('import-chosen'), null);
      liveText($('import-status'), () => [
        t('imported', { added: num(report.added - outside.length), present: num(report.alreadyPresent), expired: num(report.expiredErased) }),
        ...(outside.length ? [t('importLeftOut', { n: num(outside.length), purposes: kinds.map(purposeName).join(', ') })] : []),
      ].join(' '));
      await app.changed();
    } catch (err) {
      showError(error, err);
    } finally {
      done();
    }
  });

  return {
    reset() {
      shown = { list: [], log: [] };
      forgetSuggestion();
      $('import-form').reset();
      for (const id of ['export-error', 'export-status', 'import-error', 'import-status', 'import-chosen']) liveText($(id), null);
      render();
    },
    refresh(list, log) {
      shown = { list, log };
      render();
    },
  };
}
