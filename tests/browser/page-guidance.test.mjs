// Live camera guidance on the real page in Chromium: the camera shows scenes drawn from the test
// photos (one face, a face too small, a dark face, two faces); the page draws the face box, says
// one plain hint, and enables the snapshot only when exactly one face is well placed or the user
// picked one. Only detection runs on preview frames: no template before the snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { openApp, pageEnvironment, giveConsent, goTo, dataUrl, screenshot, stageCamera, TIMEOUT } from './page-helpers.mjs';

const env = pageEnvironment();
const INFERENCE = ['enroll', 'verify', 'identify', 'explain'];

/** Waits until the hint is `key` (cameraHint_<key>) and returns `{ text, snapDisabled, boxPixels }`. */
async function hintBecomes(page, key) {
  try {
    await page.waitForFunction((k) => document.getElementById('camera-hint-reference').dataset.hint === `cameraHint_${k}`, key, { timeout: TIMEOUT });
  } catch {
    assert.fail(`the hint never became ${key}: it is ${await page.getAttribute('#camera-hint-reference', 'data-hint')} ("${await page.textContent('#camera-hint-reference')}")`);
  }
  return page.evaluate(() => {
    const overlay = document.querySelector('.photo-source[data-for="reference"] .camera-overlay');
    const d = overlay.width ? overlay.getContext('2d').getImageData(0, 0, overlay.width, overlay.height).data : [];
    let drawn = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) drawn += 1;
    return { text: document.getElementById('camera-hint-reference').textContent, snapDisabled: document.getElementById('snap-reference').disabled, boxPixels: drawn };
  });
}

test('live guidance: a box and one hint per frame, the snapshot only when one face is well placed, detection only', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { camera: null });
  try {
    await stageCamera(page);
    await giveConsent(page);
    await goTo(page, 'references');
    const one = dataUrl('person_a_2.jpg');
    await page.evaluate((u) => window.__scene([u]), one);
    await page.click('#camera-reference');

    let s = await hintBecomes(page, 'good');
    assert.match(s.text, /take the photo/);
    await screenshot(page, 'camera-guidance');
    assert.equal(s.snapDisabled, false);
    assert.ok(s.boxPixels > 100, 'the face box is drawn over the preview');

    await page.evaluate((u) => window.__scene([u], { scale: 0.3 }), one);
    s = await hintBecomes(page, 'closer');
    assert.match(s.text, /Move closer/);
    assert.equal(s.snapDisabled, true, 'a face too small cannot be snapped');

    await page.evaluate((u) => window.__scene([u], { dark: 0.82 }), one);
    s = await hintBecomes(page, 'light');
    assert.match(s.text, /More light/);
    assert.equal(s.snapDisabled, true);

    // Two people: "only one face", until the user picks one (here with the keyboard's buttons).
    await page.evaluate(([a, b]) => window.__scene([a, b]), [one, dataUrl('person_b_2.jpg')]);
    s = await hintBecomes(page, 'oneFace');
    assert.equal(s.snapDisabled, true);
    await screenshot(page, 'camera-guidance-two-faces');
    await page.waitForSelector('.photo-source[data-for="reference"] .camera-faces [data-rank="0"]');
    await page.click('.photo-source[data-for="reference"] .camera-faces [data-rank="0"]');
    s = await hintBecomes(page, 'good');
    assert.equal(s.snapDisabled, false, 'a picked face can be snapped');

    // Only the detector ran on the preview.
    const calls = await page.evaluate(() => window.__workerCalls);
    assert.ok(calls.filter((m) => m === 'detect').length >= 4, `detections: ${calls}`);
    assert.deepEqual(calls.filter((m) => INFERENCE.includes(m)), [], `templates from preview frames: ${calls}`);

    // The snapshot: the camera stops, the picked (left) face is already chosen in the photo.
    await page.click('#snap-reference');
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
    assert.equal(await page.evaluate(() => window.__camera.streams.flatMap((x) => x.getTracks()).every((t) => t.readyState === 'ended')), true);
    const chosen = await page.$$eval('#reference-face-buttons [aria-pressed="true"]', (bs) => bs.map((b) => [b.textContent, Number(b.dataset.cx)]));
    assert.equal(chosen.length, 1);
    assert.ok(chosen[0][1] < 0.5, `the face picked in the preview (left) is the one chosen: ${JSON.stringify(chosen)}`);
    const detectsAfter = await page.evaluate(() => window.__workerCalls.filter((m) => m === 'detect').length);
    await page.waitForTimeout(800);
    assert.equal(await page.evaluate(() => window.__workerCalls.filter((m) => m === 'detect').length), detectsAfter, 'guidance stops with the camera');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
