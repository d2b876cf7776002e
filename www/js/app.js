// The facegate page: consent first, then references, checks, "My data" and teaching mode, all
// on this device. This file starts things and wires the screens together; each screen has its
// own module.
import { applyTranslations, liveText, num, onLanguageChange, preferredLanguage, setLanguage, t } from './i18n.js';
import { abortEngine, engineBytes, loadEngine } from './engine.js';
import { startNetMeter } from './netmeter.js';
import { engineCopied, ensurePolicy, forgetEngineCopy, workerUnderPolicy } from './offline.js';
import { setUpOfflineCopy } from './offline-copy.js';
import { setUpConsent } from './consent.js';
import { setUpReferences } from './references.js';
import { setUpCheck } from './check.js';
import { setUpMyData } from './mydata.js';
import { setUpTeach } from './teach.js';
import { setUpPurposes } from './purposes.js';
import { show, showTabs, onTab } from './screens.js';
import { stopAllCameras } from './camera.js';
import { confirmErase } from './confirm.js';
import { engineProgress } from './busy.js';
import { MANIFEST } from '../pkg/manifest.js';

const $ = (id) => document.getElementById(id);

/** The page-level consent: null until the user confirmed; `{ purposes: Set, givenAt }` after. */
let consent = null;
let faceGate = null;

let statusTimer;
/** Shows what just happened (`message`: a text, or a function that writes it in the current
 *  language) in the status notice at the top of the page, read out by screen readers, for a
 *  few seconds. */
function announce(message) {
  liveText($('status'), null);
  clearTimeout(statusTimer);
  // A fresh text node so that screen readers announce repeated messages too.
  requestAnimationFrame(() => {
    liveText($('status'), typeof message === 'function' ? message : () => message);
    statusTimer = setTimeout(() => liveText($('status'), null), 10_000);
  });
}

async function main() {
  // Framed: js/frame-check.js emptied the document; nothing starts (TM-3).
  if (window.self !== window.top) return;
  setLanguage(preferredLanguage());
  $('language').value = document.documentElement.lang;
  $('language').addEventListener('change', (e) => setLanguage(e.target.value));
  applyTranslations();

  const meter = startNetMeter($('net-count'));
  const calibration = fetch('calibration.json').then((r) => r.json());
  const policy = await ensurePolicy();
  if (policy.reloading) return;
  performance.mark('facegate-offline-copy');
  const engineState = $('engine-state');
  const setEngineState = (key, vars) => {
    engineState.dataset.i18n = key;
    engineState.textContent = t(key, vars);
  };
  // Why the engine cannot start, when it cannot (js/offline.js): each cause has its own words.
  const POLICY_STATE = { covered: 'engineIdle', unreachable: 'engineOfflineNever', uncontrolled: 'engineReloadNormally', policyMissing: 'enginePolicyMissing' };
  const POLICY_ERROR = { unreachable: 'engineOffline', uncontrolled: 'reloadNormally', policyMissing: 'policyMissing' };
  setEngineState(POLICY_STATE[policy.worker]);
  document.body.dataset.policy = JSON.stringify({ document: policy.documentCovered, worker: policy.workerCovered, offline: policy.offline, reason: policy.worker });
  // Offline with the engine never downloaded: once the network is back, the engine can come.
  window.addEventListener('online', async () => {
    if (policy.worker !== 'unreachable') return;
    // The first request right after the network comes back may still fail (a network change
    // in progress): try again twice, 1 then 2 s later.
    for (let i = 0; i < 3 && policy.worker === 'unreachable'; i += 1) {
      if (i) await new Promise((ok) => setTimeout(ok, 1000 * i));
      policy.worker = await workerUnderPolicy();
    }
    policy.workerCovered = policy.worker === 'covered';
    if (!engine) setEngineState(POLICY_STATE[policy.worker]);
  });

  let consentScreens = null;
  let engine = null;
  let attempt = 0; // the current download; an aborted one reports nothing
  let copiedBefore = Promise.resolve(true); // whether the offline copy held the engine before this download
  /** Starts the engine's download (once): at the first "Continue" of the consent screen. */
  const startEngine = () => {
    if (engine) return engine;
    if (!policy.workerCovered) {
      const code = POLICY_ERROR[policy.worker];
      engine = Promise.reject(Object.assign(new Error(t(`error_${code}`)), { code }));
      engine.catch(() => {});
      consentScreens?.failed(() => t(`error_${code}`));
      const failed = engine;
      engine = null; // tried again at the next Continue (the network may be back)
      return failed;
    }
    const mine = ++attempt;
    copiedBefore = engineCopied();
    performance.mark('facegate-engine-start');
    meter.engineLoading();
    document.body.dataset.engine = 'loading';
    setEngineState('engineLoading');
    consentScreens?.progress(0);
    engine = loadEngine((fraction) => {
      if (mine !== attempt) return;
      delete engineState.dataset.i18n;
      engineState.textContent = t('engineLoadingPct', { pct: Math.floor(fraction * 100) });
      consentScreens?.progress(fraction);
      engineProgress({ fraction });
    }).then((fg) => {
      if (mine !== attempt) {
        fg.dispose();
        throw Object.assign(new Error('stopped'), { code: 'engineStopped' });
      }
      faceGate = fg;
      // The engine may stop and start again (a trap: out of memory, a browser limit). The lists
      // then show what the new one holds; the cause goes to the console for whoever debugs.
      fg.addEventListener('restarted', (event) => {
        const { cause, referencesErased } = event.detail;
        console.warn(`facegate: the engine stopped (${cause}) and was started again; references erased: ${referencesErased}`);
        // For the browser tests, which report it (WebDriver sessions do not all read the console).
        document.body.dataset.engineRestarts = String(Number(document.body.dataset.engineRestarts ?? 0) + 1);
        document.body.dataset.engineStopCause = cause;
        if (referencesErased > 0) app.changed();
      });
      meter.engineReady();
      performance.mark('facegate-ready');
      setEngineState(policy.offline ? 'engineReady' : 'engineReadyOnline');
      consentScreens?.progress(1);
      engineProgress({ fraction: 1, ready: true });
      document.body.dataset.engine = 'ready';
      return fg;
    }, (e) => {
      if (mine !== attempt) throw e;
      meter.engineReady();
      delete engineState.dataset.i18n;
      engineState.textContent = t('engineFailed', { message: e?.message ?? e });
      consentScreens?.failed(() => t('engineFailed', { message: e?.message ?? e }));
      engineProgress({ failed: true });
      document.body.dataset.engine = 'failed';
      engine = null; // Continue may try again
      throw e;
    });
    engine.catch(() => {});
    return engine;
  };
  /**
   * The visitor went back from the confirmation, or refused, before agreeing: the download stops
   * (its requests are cancelled), the worker ends, and what this download put in the offline
   * copy is removed (not a copy kept from an earlier visit) (TM-6).
   */
  const stopEngine = async () => {
    if (!engine || consent) return;
    attempt += 1;
    engine = null;
    abortEngine();
    const fg = faceGate;
    faceGate = null;
    fg?.dispose();
    meter.engineReady();
    setEngineState(POLICY_STATE[policy.worker]);
    document.body.dataset.engine = 'stopped';
    consentScreens?.progress(0);
    engineProgress({ fraction: 0, ready: false, failed: false });
    if (!(await copiedBefore)) await forgetEngineCopy();
    document.body.dataset.engine = 'idle';
  };
  const downloadLabel = () => {
    $('engine-download').textContent = t('engineDownload', { mb: num(engineBytes() / 1e6, { maximumFractionDigits: 0 }) });
  };
  downloadLabel();
  onLanguageChange(downloadLabel);

  const app = {
    /** The engine, only after consent: nothing reaches a model before it. */
    async engine() {
      if (!consent) throw Object.assign(new Error('consent first'), { code: 'consentRequired' });
      return startEngine();
    },
    /** The engine if it is loaded (something may be held in it), else null. */
    engineIfLoaded: () => faceGate,
    purposes: () => consent?.purposes ?? new Set(),
    /** Changes the page-level purposes (one withdrawn or added in My data). */
    setPurposes(purposes) {
      consent = { ...consent, purposes };
      applyConsent();
    },
    eraseEverything: () => eraseEverything(),
    announce,
    calibration: await calibration,
    manifest: MANIFEST,
    async changed() {
      if (!faceGate) return;
      const [list, log] = await Promise.all([faceGate.list(), faceGate.auditLog()]);
      references.refresh(list);
      check.refresh(list);
      myData.refresh(list, log);
    },
  };

  const references = setUpReferences(app);
  const check = setUpCheck(app);
  const myData = setUpMyData(app);
  const teach = setUpTeach(app);
  const purposes = setUpPurposes(app);

  /** Shows what the page-level consent allows: the tabs, the teaching steps, the purposes listed. */
  function applyConsent() {
    const given = consent?.purposes ?? null;
    showTabs(given);
    $('teach-needs-consent').hidden = !given || given.has('learn');
    $('teach-live').hidden = !given?.has('learn');
    if (given && !given.has('learn')) teach.reset();
    purposes.render();
    // A screen whose tab went away (its purpose withdrawn) is left for My data.
    const current = document.querySelector(`#tabs [data-screen="${document.body.dataset.screen}"]`);
    if (given && current?.hidden) show('data');
  }

  const offlineCopy = setUpOfflineCopy({ announce });
  consentScreens = setUpConsent({
    show,
    onContinue: startEngine,
    onBack: stopEngine,
    onConsent(given) {
      consent = given;
      offlineCopy.hideOffer();
      $('erase-all').hidden = false;
      $('teach-refused').hidden = true;
      $('teach-back-wrap').hidden = true;
      $('teach-try').hidden = false;
      applyConsent();
      const matching = consent.purposes.has('verifyItIsMe') || consent.purposes.has('compareWithConsentingPerson');
      show(matching ? 'references' : 'teach');
      app.changed();
    },
    onRefuse() {
      stopEngine();
      $('teach-refused').hidden = false;
      $('teach-back-wrap').hidden = false;
      $('teach-needs-consent').hidden = true;
      $('teach-live').hidden = true;
      $('teach-try').hidden = true;
      show('teach');
    },
  });
  $('teach-back').addEventListener('click', () => show('consent'));
  onTab(show);

  /** Everything on screen about the visitor goes: photos, templates, results, labels, the camera. */
  function clearScreens() {
    stopAllCameras();
    references.reset();
    check.reset();
    teach.reset();
    myData.reset();
  }

  // On every screen once something can exist, one click and one confirmation: the gallery and
  // the audit log wiped in the worker, every photo and template on screen overwritten, the
  // camera off, the consent forgotten.
  async function eraseEverything() {
    clearScreens();
    // eraseAll ends the worker and starts a fresh one (WebAssembly memory never shrinks): the
    // new worker loads the engine's script files again, in an engine window of the counter.
    if (faceGate) meter.engineLoading();
    try {
      if (faceGate) await faceGate.eraseAll({ auditLog: true });
    } catch (e) {
      announce(e?.message ?? String(e));
      return;
    } finally {
      if (faceGate) meter.engineReady();
    }
    consent = null;
    consentScreens.reset();
    applyConsent();
    $('erase-all').hidden = true;
    show('consent');
    announce(() => t('erasedAll'));
    offlineCopy.afterErase().catch(() => {});
    document.body.dataset.erased = String(Number(document.body.dataset.erased ?? 0) + 1);
  }
  $('erase-all').addEventListener('click', async () => {
    if (!(await confirmErase({ title: 'eraseAllTitle', text: 'eraseAllText', yes: 'eraseAllYes' }))) return;
    await eraseEverything();
  });

  // Leaving the page ends the session, as closing the tab does: a page kept in the browser's
  // back/forward cache would come back with the references and results of the visit. When it is
  // put there (pagehide, persisted), everything is erased and the engine stopped; when it comes
  // back (pageshow, persisted), it starts afresh (docs/privacy/threat-model.md).
  window.addEventListener('pagehide', (event) => {
    if (!event.persisted) return;
    clearScreens();
    consent = null;
    // dispose() wipes the worker's state, then ends it (its memory goes with it).
    faceGate?.dispose();
    faceGate = null;
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });

  show('consent', { focus: false });
  await calibration;
  meter.ready();
  performance.mark('facegate-page-ready');
  document.body.dataset.ready = 'true';
}

main();
