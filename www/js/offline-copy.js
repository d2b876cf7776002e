// "Offline copy" in My data: what this browser keeps for facegate (the page's own files, in
// CacheStorage, never anything about the visitor) and a button that removes it with the service
// worker's registration (docs/privacy/threat-model.md, TM-6).
import { num, onLanguageChange, t } from './i18n.js';
import { clearOfflineCopy, offlineCopySize } from './offline.js';

const $ = (id) => document.getElementById(id);

/**
 * Wires the section; `announce(text)` reports what was removed. Returns `{ clear(), refresh(),
 * afterErase(), hideOffer() }`: `afterErase` offers, on the consent screen, to remove the copy too.
 */
export function setUpOfflineCopy({ announce }) {
  const vars = ({ files, bytes }) => ({ files: num(files), mb: num(bytes / 1e6, { maximumFractionDigits: 1 }) });
  let size = null;
  let cleared = null;
  const render = () => {
    if (size) $('offline-size').textContent = size.files ? t('offlineSize', vars(size)) : t('offlineNone');
    if (cleared) $('offline-status').textContent = t('offlineCleared', vars(cleared));
  };
  const refresh = async () => {
    size = await offlineCopySize();
    $('offline-clear').disabled = size.files === 0;
    render();
  };
  const clear = async () => {
    const before = await offlineCopySize();
    await clearOfflineCopy();
    cleared = before;
    render();
    announce?.($('offline-status').textContent);
    await refresh();
  };
  onLanguageChange(render);

  // After "Erase everything": offer to remove the offline copy too (one click, on the screen the
  // erase leads to). Hidden again as soon as consent is given or the offer is taken.
  const offer = $('erase-offline');
  const offerTaken = $('erase-offline-done');
  $('erase-offline-yes').addEventListener('click', async () => {
    await clear().catch(() => {});
    $('erase-offline-yes').hidden = true;
    offerTaken.hidden = false;
    offerTaken.textContent = $('offline-status').textContent;
  });
  const afterErase = async () => {
    const { files } = await offlineCopySize();
    offer.hidden = files === 0;
    $('erase-offline-yes').hidden = false;
    offerTaken.hidden = true;
  };
  const hideOffer = () => {
    offer.hidden = true;
  };
  $('offline-clear').addEventListener('click', () => clear().catch((e) => {
    $('offline-status').textContent = e?.message ?? String(e);
  }));
  document.querySelector('#tabs [data-screen="data"]')?.addEventListener('click', () => refresh().catch(() => {}));
  return { clear, refresh, afterErase, hideOffer };
}
