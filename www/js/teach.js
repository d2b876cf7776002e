// Teaching mode: each step of the pipeline on a face the user chooses (box and landmarks, the
// aligned crop, the template as a picture, the cosine step by step), the threshold and its error
// rates from the shipped calibration curves, and the models' nutrition labels.
//
// The page never holds a template: facegate's teaching view keeps each explained face's template
// in its worker under a handle and hands out a picture of it (128 signed bytes) and five printed
// values; the cosine of A and B is computed there, step by step. Like enrolment, each explained
// face needs a consent naming whose face it is.
import { t, num, fixed, percent, onLanguageChange, applyTranslations } from './i18n.js';
import { showError } from './errors.js';
import { clearCanvas, pictureCanvas } from './photo.js';
import { showFaces } from './picker.js';
import { mountPhotoSource } from './photo-source.js';
import { detectPhoto, withDetection } from './detect-photo.js';
import { verdict, oneIn } from './result-card.js';
import { drawCurve, ratesAt } from './curve.js';
import { nutritionRows } from './nutrition.js';
import { busy } from './busy.js';

const $ = (id) => document.getElementById(id);

/** Colour of a template value: blue for negative, white for 0, red for positive. */
export function valueColour(v, scale) {
  const x = Math.max(-1, Math.min(1, v / scale));
  const c = Math.round(255 * (1 - Math.abs(x)));
  return x >= 0 ? `rgb(255,${c},${c})` : `rgb(${c},${c},255)`;
}

/** Draws `values` as a strip of cells (one per number) into `canvas`. */
export function drawStrip(canvas, values) {
  const cell = 6;
  canvas.width = values.length * cell;
  canvas.height = 40;
  const ctx = canvas.getContext('2d');
  const scale = Math.max(1e-9, ...Array.from(values, Math.abs));
  values.forEach((v, i) => {
    ctx.fillStyle = valueColour(v, scale);
    ctx.fillRect(i * cell, 0, cell, canvas.height);
  });
}

/** A fieldset asking whose face a slot's photo shows (as enrolment does); returns a reader. */
function whoseFace(slot, name) {
  const box = document.createElement('fieldset');
  box.className = 'teach-whose';
  box.innerHTML = `<legend data-i18n="whoseFace"></legend>
    <label><input type="radio" name="teach-subject-${name}" value="self" checked> <span data-i18n="subjectSelf"></span></label>
    <label><input type="radio" name="teach-subject-${name}" value="other"> <span data-i18n="subjectOther"></span></label>
    <label class="other-name" hidden><span data-i18n="otherName"></span> <input type="text" maxlength="100" autocomplete="off"></label>`;
  slot.querySelector('.photo-source').before(box);
  applyTranslations(box);
  const other = () => box.querySelector('input[value="other"]').checked;
  box.addEventListener('change', () => { box.querySelector('.other-name').hidden = !other(); });
  return {
    /** `'self'`, `{ otherPerson }`, or null when the name is missing. */
    subject() {
      if (!other()) return 'self';
      const person = box.querySelector('.other-name input').value.trim();
      return person ? { otherPerson: person } : null;
    },
    reset() {
      box.querySelector('input[value="self"]').checked = true;
      box.querySelector('.other-name input').value = '';
      box.querySelector('.other-name').hidden = true;
    },
  };
}

/**
 * Wires the screen. `app` gives `engine()`, `purposes()`, `calibration` (the shipped curves),
 * `manifest` (sizes and SHA-256 of the files). Returns `{ reset(), refresh() }`.
 */
export function setUpTeach(app) {
  const slots = { a: null, b: null }; // per slot: { bitmap, faces, explanation, picker, fg }
  const who = {}; // per slot: whose face it is (asked as enrolment asks)
  let cosine = null; // the cosine of A and B, step by step, as the worker computed it
  const sources = {}; // per slot: { slot, source }: where the photo comes from
  const attempts = { a: 0, b: 0 }; // the latest photo chosen per slot
  const threshold = $('threshold');
  const shipped = app.calibration.shipped;

  for (const name of ['a', 'b']) {
    const slot = document.querySelector(`.teach-slot[data-slot="${name}"]`);
    who[name] = whoseFace(slot, name);
    const view = document.createElement('div');
    view.className = 'teach-view';
    view.id = `teach-view-${name}`;
    slot.append(view);
    const source = mountPhotoSource(slot.querySelector('.photo-source'), {
      onPhoto: (x, options) => choosePhoto(name, x, view, options),
      onError: (e) => showError($('teach-error'), e),
      onCamera: () => showError($('teach-error'), null),
      detect: async (video) => (await app.engine()).detect(video),
    });
    sources[name] = { slot, source };
  }

  /** Forgets a slot's explained face: the worker wipes its template, the page its pictures. */
  function forgetExplanation(s) {
    const e = s?.explanation;
    if (!e) return;
    s.fg?.releaseExplanation(e.explanation).catch(() => {}); // already wiped (erased, timed out)
    wipePictures(e);
    s.explanation = null;
    cosine = null;
  }

  function wipePictures(e) {
    e.aligned.data.fill(0);
    e.strip.fill(0);
    e.printed.fill(0);
  }

  function wipeSlot(name) {
    const s = slots[name];
    if (!s) return;
    forgetExplanation(s);
    s.bitmap.close();
    slots[name] = null;
    const view = $(`teach-view-${name}`);
    for (const c of view.querySelectorAll('canvas')) clearCanvas(c);
    view.replaceChildren();
  }

  async function choosePhoto(name, x, view, { prefer } = {}) {
    const done = busy(sources[name].slot, 'busyFaces', { parent: sources[name].source.container });
    const mine = ++attempts[name];
    wipeSlot(name);
    renderCosine();
    showError($('teach-error'), null);
    try {
      const fg = await app.engine();
      const { bitmap, faces, detection } = await detectPhoto(fg, x);
      if (mine !== attempts[name]) return void bitmap.close();
      const s = { bitmap, faces, detection, explanation: null, picker: null };
      slots[name] = s;
      const canvas = pictureCanvas('preview', t('teachBoxLabel'));
      const info = document.createElement('p');
      const buttons = document.createElement('div');
      buttons.className = 'face-buttons';
      const steps = document.createElement('div');
      steps.className = 'steps';
      view.replaceChildren(canvas, info, buttons, steps);
      s.picker = showFaces({
        canvas, bitmap, faces, info, buttons, landmarks: true, prefer,
        onChoose: (i) => explainFace(name, i, steps),
      });
    } catch (e) {
      if (mine !== attempts[name]) return;
      wipeSlot(name);
      showError($('teach-error'), e);
    } finally {
      done();
    }
  }

  async function explainFace(name, face, steps) {
    const s = slots[name];
    forgetExplanation(s);
    renderCosine();
    const subject = who[name].subject();
    if (!subject) {
      showError($('teach-error'), { code: 'nameMissing', message: t('nameMissing') });
      return;
    }
    showError($('teach-error'), null);
    const done = busy(sources[name].slot, 'busyExplain', { parent: sources[name].source.container });
    try {
      const fg = await app.engine();
      s.fg = fg;
      const consent = {
        subject,
        purpose: { other: t('teachPurpose') },
        consentText: t('purposeLearn'),
      };
      const explanation = await withDetection(s, (image) => fg.explain(image, { consent, face }));
      if (slots[name] !== s) {
        fg.releaseExplanation(explanation.explanation).catch(() => {});
        return void wipePictures(explanation);
      }
      s.explanation = explanation;
      renderSteps(name, steps);
      await compareAB();
    } catch (e) {
      showError($('teach-error'), e);
    } finally {
      done();
    }
  }

  /** Asks the worker for the cosine of A and B step by step, when both are explained. */
  async function compareAB() {
    cosine = null;
    const a = slots.a?.explanation;
    const b = slots.b?.explanation;
    if (a && b) {
      const fg = await app.engine();
      const steps = await fg.compareExplained(a.explanation, b.explanation);
      // Only if neither changed meanwhile.
      if (slots.a?.explanation === a && slots.b?.explanation === b) cosine = steps;
    }
    renderCosine();
  }

  function renderSteps(name, steps) {
    const e = slots[name]?.explanation;
    if (!e) return;
    for (const c of steps.querySelectorAll('canvas')) clearCanvas(c);
    const crop = pictureCanvas('aligned', t('teachAlignedLabel'));
    crop.width = 112;
    crop.height = 112;
    crop.getContext('2d').putImageData(new ImageData(e.aligned.data, 112, 112), 0, 0);
    const strip = pictureCanvas('strip', t('teachStripLabel'));
    drawStrip(strip, Array.from(e.strip));
    const numbers = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = t('teachShowNumbers');
    const pre = document.createElement('pre');
    pre.className = 'numbers';
    const shown = e.printed.map((v) => fixed(v, 4));
    pre.textContent = `${shown.slice(0, 4).join(' ')} … ${shown[4]}`;
    numbers.append(summary, pre);
    const p = (key, vars) => {
      const el = document.createElement('p');
      el.textContent = t(key, vars);
      return el;
    };
    steps.replaceChildren(
      p('teachStep1', { n: num(e.faces.length) }),
      p('teachLandmarks'),
      p('teachStep2'),
      crop,
      p('teachStep3', { n: num(e.templateLength), bytes: num(e.templateBytes) }),
      strip,
      numbers,
    );
    steps.dataset.templateBytes = String(e.templateBytes);
  }

  function renderCosine() {
    const box = $('teach-cosine');
    box.replaceChildren();
    const s = cosine;
    if (!s) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = t('teachCosineNeedsTwo');
      box.append(p);
      return;
    }
    const h = document.createElement('h4');
    h.textContent = t('teachCosineTitle');
    const intro = document.createElement('p');
    intro.textContent = t('teachCosine1');
    const table = document.createElement('table');
    table.className = 'cosine';
    const head = document.createElement('tr');
    for (const key of ['teachColI', 'teachColA', 'teachColB', 'teachColProduct', 'teachColSum']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = t(key);
      head.append(th);
    }
    const row = (r) => {
      const tr = document.createElement('tr');
      for (const v of [num(r.position), fixed(r.a, 4), fixed(r.b, 4), fixed(r.product, 5), fixed(r.runningSum, 4)]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    };
    const dots = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 5;
    td.textContent = '…';
    dots.append(td);
    table.append(head, ...s.rows.slice(0, 4).map(row), dots, row(s.rows[4]));
    const strip = pictureCanvas('strip', t('teachProductsLabel'));
    drawStrip(strip, Array.from(s.products));
    const lengths = document.createElement('p');
    lengths.textContent = t('teachCosine2', { la: fixed(s.lengthA, 4), lb: fixed(s.lengthB, 4), dot: fixed(s.dot, 4), cosine: fixed(s.cosine, 4) });
    const result = document.createElement('p');
    result.id = 'teach-cosine-value';
    result.dataset.cosine = String(s.cosine);
    const tv = Number(threshold.value);
    result.textContent = t('teachCosine3', { cosine: fixed(s.cosine, 3), threshold: fixed(tv, 3) });
    box.append(h, intro, table, strip, lengths, result, verdict(s.cosine >= tv));
  }

  /** The curves with the threshold `v` marked, in the current language. */
  const drawCurveAt = (v) => drawCurve($('curve'), app.calibration, v, shipped, { threshold: t('curveAxis'), percent: (x) => percent(x, 1), number: fixed });

  function renderThreshold() {
    const v = Number(threshold.value);
    $('threshold-value').value = fixed(v, 3);
    $('threshold-value').textContent = fixed(v, 3);
    const r = ratesAt(app.calibration.curve, v);
    $('threshold-rates').textContent = t('teachRates', {
      threshold: fixed(v, 3),
      fmr: percent(r.fmr),
      fmrOneIn: r.fmr > 0 ? oneIn(r.fmr) : t('noneMeasured'),
      fnmr: percent(r.fnmr),
      pairs: num(app.calibration.impostors),
      default: fixed(shipped[1]?.threshold ?? 0.366, 3),
    });
    drawCurveAt(v);
    renderCosine();
  }
  threshold.addEventListener('input', renderThreshold);
  // The curve is drawn at its size on screen: again when that changes (a phone turned, the
  // teaching screen shown).
  let drawnWidth = 0;
  new ResizeObserver(() => {
    const w = $('curve').clientWidth;
    if (w > 0 && w !== drawnWidth) {
      drawnWidth = w;
      drawCurveAt(Number(threshold.value));
    }
  }).observe($('curve'));

  function renderNutrition() {
    $('nutrition').querySelector('tbody').replaceChildren(...nutritionRows(app.manifest).map(([key, det, rec]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = t(key);
      tr.append(th);
      for (const [v, model] of [[det, 'nutritionDetector'], [rec, 'nutritionRecognizer']]) {
        const cell = document.createElement('td');
        cell.textContent = v;
        // The column's name, shown above each value when the table is stacked on a phone.
        cell.dataset.label = t(model);
        if (/^[0-9a-f]{64}$/.test(v)) cell.className = 'hash';
        tr.append(cell);
      }
      return tr;
    }));
  }

  onLanguageChange(() => {
    for (const name of ['a', 'b']) {
      slots[name]?.picker?.redraw();
      const steps = $(`teach-view-${name}`).querySelector('.steps');
      if (steps) renderSteps(name, steps);
    }
    renderThreshold();
    renderNutrition();
  });
  renderThreshold();
  renderNutrition();

  return {
    reset() {
      for (const name of ['a', 'b']) {
        attempts[name] += 1;
        wipeSlot(name);
        sources[name].source.reset();
        who[name].reset();
      }
      renderCosine();
      showError($('teach-error'), null);
    },
    refresh() {
      renderThreshold();
    },
  };
}
