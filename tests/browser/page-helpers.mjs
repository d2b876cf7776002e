// Shared by the page tests (tests/browser/page-*.test.mjs): builds www/pkg once, opens the real
// page in headless Chromium with a recorded camera and worker traffic, and drives the page the
// way a visitor does (clicks, file pickers, keyboard).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';

import { FIXTURES, REPO, launchBrowser, openPage, serveDir } from './helpers.mjs';

export const WWW = join(REPO, 'www');
/** Screenshots of each screen, kept as test artifacts. */
export const SHOTS = join(REPO, 'out/screenshots');
export const TIMEOUT = 120_000;

let built = false;
/** Builds the package into www/pkg with the README's own command (a no-op when up to date). */
export function ensurePageBuilt() {
  if (built) return;
  execFileSync('bash', ['scripts/demo.sh', '--build-only'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], timeout: 45 * 60_000 });
  built = true;
}

/** Serves www/ with the page's headers. */
export function serveWww() {
  ensurePageBuilt();
  return serveDir(WWW);
}

/**
 * For a test file: serves www/ and launches Chromium before its tests, closes both after.
 * Returns `{ site, browser }`, filled in once the tests start.
 */
export function pageEnvironment() {
  const env = { site: null, browser: null };
  before(async () => {
    env.site = await serveWww();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.site?.close();
  });
  return env;
}

/**
 * Runs before any page script: records every `getUserMedia` call and stream, and every method
 * the page asks the facegate worker to run. The camera shows `cameraPhoto` (a data: URL) when
 * given, as a real camera would show a face.
 */
function instrument(cameraPhoto) {
  window.__camera = { calls: 0, streams: [] };
  window.__workerCalls = [];
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message && typeof message.method === 'string') window.__workerCalls.push(message.method);
    return post.call(this, message, ...rest);
  };
  if (navigator.mediaDevices) {
    navigator.mediaDevices.getUserMedia = async () => {
      window.__camera.calls += 1;
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 480;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#777';
      ctx.fillRect(0, 0, 640, 480);
      if (cameraPhoto) {
        const img = new Image();
        img.src = cameraPhoto;
        await img.decode();
        const s = Math.min(640 / img.naturalWidth, 480 / img.naturalHeight);
        ctx.drawImage(img, (640 - img.naturalWidth * s) / 2, (480 - img.naturalHeight * s) / 2, img.naturalWidth * s, img.naturalHeight * s);
      }
      const stream = canvas.captureStream(15);
      const keepDrawing = setInterval(() => ctx.fillRect(0, 0, 1, 1), 100);
      stream.getTracks()[0].addEventListener('ended', () => clearInterval(keepDrawing));
      window.__camera.streams.push(stream);
      return stream;
    };
  }
}

/** Replaces the camera with a 640x480 canvas the test paints with `window.__scene(...)`. */
export function stageCamera(page) {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const ctx = canvas.getContext('2d');
    let scene = { images: [], scale: 1, dark: 0 };
    const draw = () => {
      ctx.fillStyle = '#777';
      ctx.fillRect(0, 0, 640, 480);
      const slot = 640 / Math.max(1, scene.images.length);
      scene.images.forEach((img, k) => {
        const s = Math.min(slot / img.naturalWidth, 480 / img.naturalHeight) * scene.scale;
        const w = img.naturalWidth * s;
        const h = img.naturalHeight * s;
        ctx.drawImage(img, k * slot + (slot - w) / 2, (480 - h) / 2, w, h);
      });
      if (scene.dark) {
        ctx.fillStyle = `rgba(0,0,0,${scene.dark})`;
        ctx.fillRect(0, 0, 640, 480);
      }
    };
    /** Paints `urls` side by side, scaled by `scale`, darkened by `dark` (0..1). */
    window.__scene = async (urls, { scale = 1, dark = 0 } = {}) => {
      const images = await Promise.all(urls.map(async (u) => {
        const img = new Image();
        img.src = u;
        await img.decode();
        return img;
      }));
      scene = { images, scale, dark };
      draw();
    };
    navigator.mediaDevices.getUserMedia = async () => {
      window.__camera.calls += 1;
      const stream = canvas.captureStream(15);
      const timer = setInterval(draw, 100);
      stream.getTracks()[0].addEventListener('ended', () => clearInterval(timer));
      window.__camera.streams.push(stream);
      return stream;
    };
  });
}

export function dataUrl(name) {
  return `data:image/jpeg;base64,${readFileSync(join(FIXTURES, name)).toString('base64')}`;
}

/**
 * Opens the page at `origin` in `browser` (a Browser or BrowserContext), recorded as
 * helpers.openPage does, and waits until it is ready. `camera`: the fixture the camera shows.
 */
export async function openApp(browser, origin, { camera = 'person_a_2.jpg', viewport } = {}) {
  const opened = await openPage(browser);
  opened.page.on('response', (r) => {
    if (r.status() >= 400) opened.consoleLines.push(`HTTP ${r.status()} ${r.url()}`);
  });
  if (viewport) await opened.page.setViewportSize(viewport);
  await opened.page.addInitScript(instrument, camera ? dataUrl(camera) : null);
  await opened.page.goto(`${origin}/`);
  await waitReady(opened);
  return opened;
}

/** Waits for the page's engine to be ready (body[data-ready="true"]). */
export async function waitReady({ page, consoleLines, pageErrors }) {
  try {
    await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: TIMEOUT });
  } catch (e) {
    throw new Error(`the page never got ready: ${e.message}\nconsole:\n${consoleLines.join('\n')}\nerrors:\n${pageErrors.join('\n')}`);
  }
  assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', `the engine failed to load: ${await page.textContent('#engine-state')}`);
}

/** Ticks the purposes (`self`, `others`, `learn`) and the affirmation, continues, confirms. */
export async function giveConsent(page, purposes = ['self', 'others', 'learn']) {
  for (const p of purposes) await page.check(`#purpose-${p}`);
  await page.check('#consent-affirm');
  await page.click('#consent-continue');
  await page.click('#confirm-yes');
  await page.waitForSelector('#tabs:not([hidden])');
}

export async function goTo(page, screen) {
  await page.click(`#tabs [data-screen="${screen}"]`);
  await page.waitForSelector(`#screen-${screen}:not([hidden])`);
}

/** `{ name, mimeType, buffer }` of a fixture, for setInputFiles. */
export function fixtureFile(name) {
  return { name, mimeType: 'image/jpeg', buffer: readFileSync(join(FIXTURES, name)) };
}

/**
 * Adds a reference through the form: `file` (fixture name or file payload), `label`, and
 * optionally `other` (the name of a person who agreed) and `face` (1-based face button to press).
 */
export async function addReference(page, file, label, { other, face } = {}) {
  await goTo(page, 'references');
  await page.setInputFiles('#file-reference', typeof file === 'string' ? fixtureFile(file) : file);
  if (face) {
    await page.waitForSelector(`#reference-face-buttons [data-face="${face - 1}"]`, { timeout: TIMEOUT });
    await page.click(`#reference-face-buttons [data-face="${face - 1}"]`);
  }
  await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
  await page.fill('#reference-label', label);
  if (other) {
    await page.check('input[name="subject"][value="other"]');
    await page.fill('#reference-other-name', other);
  }
  await page.check('#reference-confirm');
  await page.click('#reference-add');
  await page.waitForFunction((l) => document.querySelector('#reference-summary').textContent.includes(l), label, { timeout: TIMEOUT });
}

/**
 * Checks `file` against the reference labelled `reference` (verify) or all (identify, when
 * `reference` is null). Returns the result card: `{ outcome, best, text }`, or `{ error }`.
 */
export async function checkPhoto(page, file, reference) {
  await goTo(page, 'check');
  await page.check(`input[name="check-mode"][value="${reference ? 'verify' : 'identify'}"]`);
  if (reference) await page.selectOption('#check-reference', { label: reference });
  await page.evaluate(() => {
    document.getElementById('check-result').hidden = true;
    document.getElementById('check-error').textContent = '';
  });
  await page.setInputFiles('#file-check', typeof file === 'string' ? fixtureFile(file) : file);
  await page.waitForFunction(() => !document.getElementById('check-result').hidden || document.getElementById('check-error').textContent, null, { timeout: TIMEOUT });
  return page.evaluate(() => {
    const error = document.getElementById('check-error').textContent;
    if (error) return { error };
    const card = document.getElementById('check-result');
    return {
      outcome: card.querySelector('.verdict')?.dataset.outcome,
      best: card.querySelector('.best')?.dataset.best ?? null,
      text: card.textContent,
    };
  });
}

/** "Erase everything" as a visitor does it: the button, then the confirmation. */
export async function eraseEverything(page) {
  await page.click('#erase-all');
  await page.click('#confirm-dialog-yes');
  await page.waitForSelector('#screen-consent:not([hidden])');
}

/** The references listed in "My data": `[{ id, label }]`. */
export async function myData(page) {
  await goTo(page, 'data');
  return page.evaluate(() => [...document.querySelectorAll('#data-table tbody tr')].map((tr) => ({ id: tr.dataset.referenceId, label: tr.querySelector('th').textContent })));
}

/** A PNG (file payload) with two fixture portraits side by side: a photo with two people. */
export async function twoPeoplePng(page, left, right) {
  const bytes = await page.evaluate(async ([a, b]) => {
    const load = async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      return img;
    };
    const [ia, ib] = [await load(a), await load(b)];
    const canvas = new OffscreenCanvas(800, 500);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#444';
    ctx.fillRect(0, 0, 800, 500);
    for (const [img, x] of [[ia, 0], [ib, 400]]) {
      const s = Math.min(400 / img.naturalWidth, 500 / img.naturalHeight);
      ctx.drawImage(img, x + (400 - img.naturalWidth * s) / 2, (500 - img.naturalHeight * s) / 2, img.naturalWidth * s, img.naturalHeight * s);
    }
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return [...new Uint8Array(await blob.arrayBuffer())];
  }, [dataUrl(left), dataUrl(right)]);
  return { name: 'two-people.png', mimeType: 'image/png', buffer: Buffer.from(bytes) };
}

/** Saves a screenshot (the full page unless `fullPage: false`) as out/screenshots/<name>.png
 *  (`name` may hold a folder) and returns its path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  const path = join(SHOTS, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.evaluate(() => {
    document.getElementById('status').textContent = '';
  });
  // A sticky header would be drawn mid-page in a full-page capture: pin it to the top meanwhile.
  await page.evaluate(() => {
    document.querySelector('.top').style.position = 'static';
  });
  await page.screenshot({ path, fullPage });
  await page.evaluate(() => {
    document.querySelector('.top').style.position = '';
  });
  return path;
}

/**
 * The full flow on the page: consent; enrol person A from a file; another photo of A
 * matches; person B does not; identify picks A; a two-person photo needs a face chosen (the
 * other face stays blurred) and the chosen face becomes the reference. Returns the references.
 */
export async function fullFlow(page) {
  await giveConsent(page);
  await addReference(page, 'person_a_1.jpg', 'Alice');
  const same = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
  assert.equal(same.outcome, 'same', `A vs A: ${same.text ?? same.error}`);
  assert.match(same.text, /Likely the same person/);
  assert.match(same.text, /1 in 1,000/, 'the false-match rate is stated');
  const different = await checkPhoto(page, 'person_b_1.jpg', 'Alice');
  assert.equal(different.outcome, 'different', `B vs A: ${different.text ?? different.error}`);
  assert.match(different.text, /Likely different people/);
  await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
  const refs = await myData(page);
  const alice = refs.find((r) => r.label === 'Alice')?.id;
  assert.ok(alice, 'Alice is listed');
  const who = await checkPhoto(page, 'person_a_2.jpg', null);
  assert.equal(who.best, alice, `identify picks Alice: ${who.text ?? who.error}`);
  assert.doesNotMatch(who.text, /identified/i, 'never "identified"');

  // A photo with two people: a face must be chosen, and only then does the form appear.
  await goTo(page, 'references');
  await page.setInputFiles('#file-reference', await twoPeoplePng(page, 'obama.jpg', 'person_a_2.jpg'));
  await page.waitForSelector('#reference-face-buttons [data-face="1"]', { timeout: TIMEOUT });
  assert.equal(await page.isHidden('#reference-form'), true, 'no form before a face is chosen');
  assert.match(await page.textContent('#reference-faces'), /2 faces found/);
  const blurBefore = await sharpness(page, '#reference-canvas', '#reference-face-buttons');
  // Choose the left face by clicking it on the photo.
  const centres = await page.$$eval('#reference-face-buttons [data-face]', (bs) => bs.map((b) => [Number(b.dataset.cx), Number(b.dataset.cy)]));
  const [cx, cy] = centres.find(([x]) => x < 0.5);
  const box = await page.locator('#reference-canvas').boundingBox();
  await page.mouse.click(box.x + box.width * cx, box.y + box.height * cy);
  await page.waitForSelector('#reference-form:not([hidden])');
  const blurAfter = await sharpness(page, '#reference-canvas', '#reference-face-buttons');
  assert.ok(blurBefore.left < blurAfter.left / 2, `the chosen (left) face is shown sharp only once chosen: ${JSON.stringify({ blurBefore, blurAfter })}`);
  assert.ok(blurAfter.right < blurAfter.left / 2, `the other face stays blurred: ${JSON.stringify(blurAfter)}`);
  await page.fill('#reference-label', 'Barack');
  await page.check('input[name="subject"][value="other"]');
  await page.fill('#reference-other-name', 'Barack');
  await page.check('#reference-confirm');
  await page.click('#reference-add');
  await page.waitForFunction(() => document.querySelector('#reference-summary').textContent.includes('Barack'), null, { timeout: TIMEOUT });
  const barack = await checkPhoto(page, 'obama2.jpg', 'Barack');
  assert.equal(barack.outcome, 'same', `the chosen face became the reference: ${barack.text ?? barack.error}`);
  const notBarack = await checkPhoto(page, 'person_a_1.jpg', 'Barack');
  assert.equal(notBarack.outcome, 'different', 'the bystander was not enrolled in its place');
  return myData(page);
}

/** Mean absolute horizontal gradient in a small patch at the centre of each face (from the face
 *  buttons' positions): high where a face is shown sharp, low where it is blurred. */
export function sharpness(page, selector, buttons) {
  return page.evaluate(([sel, btnSel]) => {
    const c = document.querySelector(sel);
    const ctx = c.getContext('2d');
    const patch = (cx, cy) => {
      const w = Math.round(c.width * 0.06);
      const h = Math.round(c.height * 0.08);
      const d = ctx.getImageData(Math.round(c.width * cx - w / 2), Math.round(c.height * cy - h / 2), w, h).data;
      let sum = 0;
      for (let r = 0; r < h; r += 1) for (let k = 1; k < w; k += 1) sum += Math.abs(d[(r * w + k) * 4 + 1] - d[(r * w + k - 1) * 4 + 1]);
      return sum / (h * (w - 1));
    };
    const out = {};
    for (const b of document.querySelectorAll(`${btnSel} [data-face]`)) {
      out[Number(b.dataset.cx) < 0.5 ? 'left' : 'right'] = patch(Number(b.dataset.cx), Number(b.dataset.cy));
    }
    return out;
  }, [selector, buttons]);
}
