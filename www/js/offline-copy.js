// "Offline copy" in My data: what this browser keeps for facegate (the page's own files, in
// CacheStorage, never anything about the visitor) and a button that removes it with the service
// worker's registration (docs/privacy/threat-model.md, TM-6).
import { t, num } from './i18n.js';
import { clearOfflineCopy, offlineCopySize } from './offline.js';

const $ = (id) => document.getElementById(id);

/** Wires the section; `announce(text)` reports what was removed. Returns `{ clear(), refresh() }`. */
export function setUpOfflineCopy({ announce }) {
  const refresh = async () => {
    const { files, bytes } = await offlineCopySize();
    $('offline-size').textContent = files
      ? t('offlineSize', { files: num(files), mb: num(bytes / 1e6, { maximumFractionDigits: 1 }) })
      : t('offlineNone');
    $('offline-clear').disabled = files === 0;
  };
  const clear = async () => {
    const { files, bytes } = await offlineCopySize();
    await clearOfflineCopy();
    $('offline-status').textContent = t('offlineCleared', { files: num(files), mb: num(bytes / 1e6, { maximumFractionDigits: 1 }) });
    announce?.($('offline-status').textContent);
    await refresh();
  };
  $('offline-clear').addEventListener('click', () => clear().catch((e) => {
    $('offline-status').textContent = e?.message ?? String(e);
  }));
  document.querySelector('#tabs [data-screen="data"]')?.addEventListener('click', () => refresh().catch(() => {}));
  return { clear, refresh };
}
