// The facegate page: consent first, then references, checks, "My data" and teaching mode, all
// on this device. This file starts things and wires the screens together; each screen has its
// own module.
import { applyTranslations, liveText, num, onLanguageChange, preferredLanguage, setLanguage, t } from './i18n.js';
import { engineBytes, loadEngine } from './engine.js';
import { startNetMeter } from './netmeter.js';
import { ensurePolicy } from './offline.js';
import { setUpOfflineCopy } from './offline-copy.js';
import { setUpConsent } from './consent.js';
import { setUpReferences } from './references.js';
import { setUpCheck } from './check.js';
import { setUpMyData } from './mydata.js';
import { setUpTeach } from './teach.js';
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
  setEngineState(policy.workerCovered ? 'engineIdle' : 'enginePolicyMissing');
  document.body.dataset.policy = JSON.stringify({ document: policy.documentCovered, worker: policy.workerCovered, offline: policy.offline });

  let consentScreens = null;
  let engine = null;
  /** Starts the engine's download (once): at the first "Continue" of the consent screen. */
  const startEngine = () => {
    if (engine) return engine;
    if (!policy.workerCovered) {
      engine = Promise.reject(Object.assign(new Error(t('enginePolicyMissing')), { code: 'policyMissing' }));
      engine.catch(() => {});
      return engine;
    }
    performance.mark('facegate-engine-start');
    meter.engineLoading();
    document.body.dataset.engine = 'loading';
    setEngineState('engineLoading');
    consentScreens?.progress(0);
    engine = loadEngine((fraction) => {
      delete engineState.dataset.i18n;
      engineState.textContent = t('engineLoadingPct', { pct: Math.floor(fraction * 100) });
      consentScreens?.progress(fraction);
      engineProgress({ fraction });
    }).then((fg) => {
      faceGate = fg;
      meter.engineReady();
      performance.mark('facegate-ready');
      setEngineState(policy.offline ? 'engineReady' : 'engineReadyOnline');
      consentScreens?.progress(1);
      engineProgress({ fraction: 1, ready: true });
      document.body.dataset.engine = 'ready';
      return fg;
    }, (e) => {
      meter.engineReady();
      delete engineState.dataset.i18n;
      engineState.textContent = t('engineFailed', { message: e?.message ?? e });
      consentScreens?.progress(null);
      engineProgress({ failed: true });
      document.body.dataset.engine = 'failed';
      throw e;
    });
    engine.catch(() => {});
    return engine;
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
    purposes: () => consent?.purposes ?? new Set(),
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

  const offlineCopy = setUpOfflineCopy({ announce });
  consentScreens = setUpConsent({
    show,
    onContinue: startEngine,
    onConsent(given) {
      consent = given;
      offlineCopy.hideOffer();
      showTabs(consent.purposes);
      $('erase-all').hidden = false;
      $('teach-refused').hidden = true;
      $('teach-back-wrap').hidden = true;
      $('teach-try').hidden = false;
      $('teach-needs-consent').hidden = consent.purposes.has('learn');
      $('teach-live').hidden = !consent.purposes.has('learn');
      const matching = consent.purposes.has('verifyItIsMe') || consent.purposes.has('compareWithConsentingPerson');
      show(matching ? 'references' : 'teach');
      app.changed();
    },
    onRefuse() {
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

  // On every screen once something can exist, one click and one confirmation: the gallery and
  // the audit log wiped in the worker, every photo and template on screen overwritten, the
  // camera off, the consent forgotten.
  $('erase-all').addEventListener('click', async () => {
    if (!(await confirmErase({ title: 'eraseAllTitle', text: 'eraseAllText', yes: 'eraseAllYes' }))) return;
    stopAllCameras();
    references.reset();
    check.reset();
    teach.reset();
    myData.reset();
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
    showTabs(null);
    $('erase-all').hidden = true;
    show('consent');
    announce(() => t('erasedAll'));
    offlineCopy.afterErase().catch(() => {});
    document.body.dataset.erased = String(Number(document.body.dataset.erased ?? 0) + 1);
  });

  show('consent', { focus: false });
  await calibration;
  meter.ready();
  performance.mark('facegate-page-ready');
  document.body.dataset.ready = 'true';
}

main();
