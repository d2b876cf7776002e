// Screen "My data": everything held (label, date, consent record, template size), withdraw per
// reference, encrypted export and import, and the audit log.
import { t, dateTime, num, onLanguageChange } from './i18n.js';
import { showError } from './errors.js';

const $ = (id) => document.getElementById(id);
/** How many of the newest audit events the panel lists. */
const AUDIT_SHOWN = 100;

/** Wires the screen; `app` as for references. Returns `{ reset(), refresh(list, log) }`. */
export function setUpMyData(app) {
  let shown = { list: [], log: [] };

  function consentText(c) {
    const who = c.subject.kind === 'selfPerson' ? t('subjectSelf') : t('subjectNamed', { name: c.subject.name });
    const what = c.purpose.kind === 'verifyItIsMe' ? t('purposeShortSelf')
      : c.purpose.kind === 'compareWithConsentingPerson' ? t('purposeShortOthers') : c.purpose.description;
    const until = c.expiresAt ? t('untilDate', { date: dateTime(c.expiresAt) }) : t('untilWithdraw');
    return t('consentRecord', { who, what, given: dateTime(c.givenAt), until, hash: c.textSha256.slice(0, 12) });
  }

  function render() {
    const { list, log } = shown;
    const body = $('data-table').querySelector('tbody');
    body.replaceChildren(...list.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.referenceId = r.id;
      const cells = [r.label, dateTime(r.createdAt), consentText(r.consent), t('templateSize', { bytes: num(r.templateBytes) })];
      for (const [i, text] of cells.entries()) {
        const td = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) td.scope = 'row';
        td.textContent = text;
        tr.append(td);
      }
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
    const labels = new Map(list.map((r) => [r.id, r.label]));
    // The newest events only: a long session's log would make every redraw slower.
    const shownLog = log.slice(-AUDIT_SHOWN);
    $('audit-log').start = log.length - shownLog.length + 1;
    $('audit-more').hidden = log.length <= AUDIT_SHOWN;
    $('audit-more').textContent = t('auditMore', { shown: shownLog.length, total: log.length });
    $('audit-log').replaceChildren(...shownLog.map((e) => {
      const li = document.createElement('li');
      const ref = e.reference ? (labels.get(e.reference) ?? t('auditGone', { id: e.reference.slice(0, 6) })) : '';
      li.textContent = `${dateTime(e.at)}: ${t(`audit_${e.event}`, { ref, n: e.references ?? 0, added: e.added ?? e.references ?? 0, outcome: (e.likelySamePerson ? t('likelySame') : t('likelyDifferent')).toLowerCase() })}`;
      li.dataset.event = e.event;
      return li;
    }));
  }
  onLanguageChange(render);

  async function withdrawOne(r) {
    try {
      const fg = await app.engine();
      await fg.withdraw(r.id);
      app.announce(t('withdrawn', { label: r.label }));
    } catch (e) {
      app.announce(`${t('withdrawFailed')} ${e?.message ?? e}`);
    }
    await app.changed();
    $('data-title').focus?.();
  }

  $('export-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = $('export-error');
    showError(error, null);
    $('export-status').textContent = '';
    const p1 = $('export-passphrase').value;
    if (p1.length < 8) return void (error.textContent = t('passphraseShort'));
    if (p1 !== $('export-passphrase2').value) return void (error.textContent = t('passphraseMismatch'));
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
      $('export-form').reset();
      $('export-status').textContent = t('exported', { n: shown.list.length });
      await app.changed();
    } catch (err) {
      showError(error, err);
    }
  });

  $('import-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = $('import-error');
    showError(error, null);
    $('import-status').textContent = '';
    const file = $('import-file').files?.[0];
    if (!file) return void (error.textContent = t('importChooseFile'));
    try {
      const fg = await app.engine();
      const bytes = new Uint8Array(await file.arrayBuffer());
      const report = await fg.importGallery(bytes, $('import-passphrase').value);
      $('import-form').reset();
      $('import-status').textContent = t('imported', { added: report.added, present: report.alreadyPresent, expired: report.expiredErased });
      await app.changed();
    } catch (err) {
      showError(error, err);
    }
  });

  return {
    reset() {
      shown = { list: [], log: [] };
      $('export-form').reset();
      $('import-form').reset();
      for (const id of ['export-error', 'export-status', 'import-error', 'import-status']) $(id).textContent = '';
      render();
    },
    refresh(list, log) {
      shown = { list, log };
      render();
    },
  };
}
