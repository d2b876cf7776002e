// Teaching mode: each step of the pipeline on a face the user chooses (box and landmarks, the
// aligned crop, the template as a picture, the cosine step by step), the threshold and its error
// rates from the shipped calibration curves, and the models' nutrition labels.
import { t, num, fixed, percent, onLanguageChange } from './i18n.js';
import { showError } from './errors.js';
import { clearCanvas, pictureCanvas } from './photo.js';
import { showFaces } from './picker.js';
import { mountPhotoSource } from './photo-source.js';
import { detectPhoto } from './detect-photo.js';
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

/** The cosine of two templates, with its parts: products, running sums and lengths. */
export function cosineSteps(a, b) {
  const products = Array.from(a, (v, i) => v * b[i]);
  let sum = 0;
  const running = products.map((p) => (sum += p));
  const length = (v) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  const la = length(a);
  const lb = length(b);
  return { products, running, dot: sum, lengthA: la, lengthB: lb, cosine: sum / (la * lb) };
}

/**
 * Wires the screen. `app` gives `engine()`, `purposes()`, `calibration` (the shipped curves),
 * `manifest` (sizes and SHA-256 of the files). Returns `{ reset(), refresh() }`.
 */
export function setUpTeach(app) {
  const slots = { a: null, b: null }; // per slot: { bitmap, faces, explanation, picker }
  const sources = {}; // per slot: { slot, source }: where the photo comes from
  const attempts = { a: 0, b: 0 }; // the latest photo chosen per slot
  const threshold = $('threshold');
  const shipped = app.calibration.shipped;

  for (const name of ['a', 'b']) {
    const slot = document.querySelector(`.teach-slot[data-slot="${name}"]`);
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

  function wipeSlot(name) {
    const s = slots[name];
    if (!s) return;
    s.explanation?.template.fill(0);
    s.explanation?.aligned.data.fill(0);
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
      const { bitmap, faces } = await detectPhoto(fg, x);
      if (mine !== attempts[name]) return void bitmap.close();
      const s = { bitmap, faces, explanation: null, picker: null };
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
    s.explanation?.template.fill(0);
    s.explanation = null;
    renderCosine();
    const done = busy(sources[name].slot, 'busyExplain', { parent: sources[name].source.container });
    try {
      const fg = await app.engine();
      const consent = {
        subject: 'self',
        purpose: { other: t('teachPurpose') },
        consentText: t('purposeLearn'),
      };
      const explanation = await fg.explain(s.bitmap, { consent, face });
      if (slots[name] !== s) return void explanation.template.fill(0);
      s.explanation = explanation;
      renderSteps(name, steps);
      renderCosine();
    } catch (e) {
      showError($('teach-error'), e);
    } finally {
      done();
    }
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
    drawStrip(strip, e.template);
    const numbers = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = t('teachShowNumbers');
    const pre = document.createElement('pre');
    pre.className = 'numbers';
    pre.textContent = Array.from(e.template, (v) => fixed(v, 4)).join(' ');
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
      p('teachStep3', { n: num(e.template.length), bytes: num(e.templateBytes) }),
      strip,
      numbers,
    );
    steps.dataset.templateBytes = String(e.templateBytes);
  }

  function renderCosine() {
    const box = $('teach-cosine');
    box.replaceChildren();
    const a = slots.a?.explanation?.template;
    const b = slots.b?.explanation?.template;
    if (!a || !b) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = t('teachCosineNeedsTwo');
      box.append(p);
      return;
    }
    const s = cosineSteps(a, b);
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
    const row = (i) => {
      const tr = document.createElement('tr');
      for (const v of [num(i + 1), fixed(a[i], 4), fixed(b[i], 4), fixed(s.products[i], 5), fixed(s.running[i], 4)]) {
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
    table.append(head, row(0), row(1), row(2), row(3), dots, row(a.length - 1));
    const strip = pictureCanvas('strip', t('teachProductsLabel'));
    drawStrip(strip, s.products);
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
      }
      renderCosine();
      showError($('teach-error'), null);
    },
    refresh() {
      renderThreshold();
    },
  };
}
