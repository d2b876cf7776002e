// The facegate page: consent first, then references, checks, "My data" and teaching mode, all
// on this device. This file starts things and wires the screens together; each screen has its
// own module.
import { applyTranslations, preferredLanguage, setLanguage, t } from './i18n.js';
import { loadEngine } from './engine.js';
import { startNetMeter } from './netmeter.js';
import { registerServiceWorker } from './offline.js';
import { setUpConsent } from './consent.js';
import { setUpReferences } from './references.js';
import { setUpCheck } from './check.js';
import { setUpMyData } from './mydata.js';
import { setUpTeach } from './teach.js';
import { show, showTabs, onTab } from './screens.js';
import { stopAllCameras } from './camera.js';
import { MANIFEST } from '../pkg/manifest.js';

const $ = (id) => document.getElementById(id);

/** The page-level consent: null until the user confirmed; `{ purposes: Set, givenAt }` after. */
let consent = null;
let faceGate = null;

let statusTimer;
/** Shows `text` in the status line (read out by screen readers) for a few seconds. */
function announce(text) {
  $('status').textContent = '';
  clearTimeout(statusTimer);
  // A fresh text node so that screen readers announce repeated messages too.
  requestAnimationFrame(() => {
    $('status').textContent = text;
    statusTimer = setTimeout(() => {
      $('status').textContent = '';
    }, 8000);
  });
}

async function main() {
  setLanguage(preferredLanguage());
  $('language').value = document.documentElement.lang;
  $('language').addEventListener('change', (e) => setLanguage(e.target.value));
  applyTranslations();

  const calibration = fetch('calibration.json').then((r) => r.json());
  const offline = await registerServiceWorker();
  performance.mark('facegate-offline-copy');
  const engineState = $('engine-state');
  const engine = loadEngine((fraction) => {
    engineState.textContent = t('engineLoadingPct', { pct: Math.round(fraction * 100) });
  });
  const ready = Promise.all([engine, calibration]);
  startNetMeter($('net-count'), ready);

  const app = {
    /** The engine, only after consent: nothing reaches a model before it. */
    async engine() {
      if (!consent) throw Object.assign(new Error('consent first'), { code: 'consentRequired' });
      return engine;
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

  const consentScreens = setUpConsent({
    show,
    onConsent(given) {
      consent = given;
      showTabs(consent.purposes);
      $('teach-refused').hidden = true;
      $('teach-back-wrap').hidden = true;
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
      show('teach');
    },
  });
  $('teach-back').addEventListener('click', () => show('consent'));
  onTab(show);

  // One click, on every screen: the gallery and the audit log wiped in the worker, every photo
  // and template on screen overwritten, the camera off, the consent forgotten.
  $('erase-all').addEventListener('click', async () => {
    stopAllCameras();
    references.reset();
    check.reset();
    teach.reset();
    myData.reset();
    try {
      if (faceGate) await faceGate.eraseAll({ auditLog: true });
    } catch (e) {
      announce(e?.message ?? String(e));
      return;
    }
    consent = null;
    consentScreens.reset();
    showTabs(null);
    show('consent');
    announce(t('erasedAll'));
    document.body.dataset.erased = String(Number(document.body.dataset.erased ?? 0) + 1);
  });

  show('consent', { focus: false });
  try {
    faceGate = await engine;
    await ready;
    engineState.dataset.i18n = offline ? 'engineReady' : 'engineReadyOnline';
    engineState.textContent = t(engineState.dataset.i18n);
    performance.mark('facegate-ready');
    document.body.dataset.ready = 'true';
  } catch (e) {
    delete engineState.dataset.i18n;
    engineState.textContent = t('engineFailed', { message: e?.message ?? e });
    document.body.dataset.ready = 'failed';
  }
}

main();
