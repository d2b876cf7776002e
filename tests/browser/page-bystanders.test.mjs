// Bystanders (PRIVACY.md requirement 12): a face the user did not choose is never shown sharp,
// neither in a photo's preview nor in the live camera view, and what the page shows of it cannot
// be recognised by facegate itself. The test cuts the bystander's half out of what is on screen
// (the preview canvas; a screenshot of the camera view, which is what the visitor sees) and
// compares it, through the page, with a reference made from another photo of the same person: it
// must not be found, or score like a stranger. The same cut of the chosen face is recognised
// (the control: the method can see a face when there is one to see).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { TIMEOUT, addReference, checkPhoto, dataUrl, giveConsent, goTo, openApp, pageEnvironment, screenshot, stageCamera, twoPeoplePng } from './page-helpers.mjs';

const env = pageEnvironment();
/** The 1-in-100 operating point's threshold: a pair below it scores like two strangers. */
const STRANGER = 0.3;
const LEFT = 'person_a_2.jpg'; // Emmanuel; another photo of him: person_a_1.jpg
const RIGHT = 'person_b_2.jpg'; // Jacinda; another photo of her: person_b_1.jpg

/** `png` (a Buffer) cut to its left or right half, as a file payload. */
async function half(page, png, side) {
  const bytes = await page.evaluate(async ([b64, which]) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const w = Math.floor(img.naturalWidth / 2);
    const c = new OffscreenCanvas(w, img.naturalHeight);
    c.getContext('2d').drawImage(img, which === 'left' ? 0 : img.naturalWidth - w, 0, w, img.naturalHeight, 0, 0, w, img.naturalHeight);
    return [...new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer())];
  }, [png.toString('base64'), side]);
  return { name: `${side}.png`, mimeType: 'image/png', buffer: Buffer.from(bytes) };
}

/** Mean absolute horizontal gradient (green channel) in a patch centred at fractions (cx, cy) of `png`. */
function sharpnessAt(page, png, points) {
  return page.evaluate(async ([b64, pts]) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return pts.map(([cx, cy]) => {
      const w = Math.round(c.width * 0.12);
      const h = Math.round(c.height * 0.12);
      const d = ctx.getImageData(Math.round(c.width * cx - w / 2), Math.round(c.height * cy - h / 2), w, h).data;
      let sum = 0;
      for (let r = 0; r < h; r += 1) for (let k = 1; k < w; k += 1) sum += Math.abs(d[(r * w + k) * 4 + 1] - d[(r * w + k - 1) * 4 + 1]);
      return sum / (h * (w - 1));
    });
  }, [png.toString('base64'), points]);
}

/** What facegate makes of `file` against the reference `label`: `{ found: false }` when it sees
 *  no face, else `{ found: true, outcome, similarity }`. */
async function recognise(page, file, label) {
  const r = await checkPhoto(page, file, label);
  if (r.error) {
    assert.match(r.error, /No face was found/, `unexpected error: ${r.error}`);
    return { found: false };
  }
  const similarity = Number(/Similarity (-?[\d.]+)/.exec(r.text)?.[1]);
  return { found: true, outcome: r.outcome, similarity };
}

/** Not recognised: no face found, "cannot tell" (the quality gate refuses to judge the obscured
 *  face: no similarity at all), or "different" with a stranger's similarity. */
function assertUnrecognised(result, what) {
  const unrecognised = !result.found || result.outcome === 'unsure' || (result.outcome === 'different' && result.similarity < STRANGER);
  assert.ok(unrecognised, `${what} is recognised by facegate: ${JSON.stringify(result)}`);
}

function assertRecognised(result, what) {
  assert.ok(result.found && result.outcome === 'same', `${what} (the control) is not recognised: ${JSON.stringify(result)}`);
}

test('TM-8 a bystander is never shown sharp, in a photo or the live camera view, and what is shown cannot be recognised by facegate', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { camera: null });
  try {
    await stageCamera(page);
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Emmanuel', { other: 'Emmanuel' });
    await addReference(page, 'person_b_1.jpg', 'Jacinda', { other: 'Jacinda' });

    // 1. A photo of the two: the preview with one face chosen, then the other.
    await goTo(page, 'references');
    const photo = await twoPeoplePng(page, LEFT, RIGHT);
    const previews = {};
    for (const side of ['left', 'right']) {
      await page.setInputFiles('#file-reference', photo);
      await page.waitForSelector('#reference-face-buttons [data-face]', { timeout: TIMEOUT });
      await page.$$eval('#reference-face-buttons [data-face]', (bs, s) => bs.find((b) => (Number(b.dataset.cx) < 0.5) === (s === 'left')).click(), side);
      await page.waitForSelector('#reference-form:not([hidden])');
      assert.match(await page.textContent('#reference-faces'), /never turned into a template/);
      previews[side] = Buffer.from((await page.$eval('#reference-canvas', (c) => c.toDataURL('image/png'))).split(',')[1], 'base64');
      await page.click('#reference-cancel');
    }

    // 2. The live camera view of the two: nobody picked, then the right face, then the left.
    await page.evaluate(([a, b]) => window.__scene([a, b]), [dataUrl(LEFT), dataUrl(RIGHT)]);
    await page.click('#camera-reference');
    const view = page.locator('.photo-source[data-for="reference"] .camera-view');
    const hint = (key) => page.waitForFunction((k) => document.getElementById('camera-hint-reference').dataset.hint === `cameraHint_${k}`, key, { timeout: TIMEOUT });
    const settle = () => page.waitForTimeout(600); // a few detections and frames
    await hint('oneFace');
    await settle();
    const live = { none: await view.screenshot() };
    await screenshot(page, 'camera-two-faces-none-picked');
    for (const [rank, side] of [[1, 'right'], [0, 'left']]) {
      await page.click(`.photo-source[data-for="reference"] .camera-faces [data-rank="${rank}"]`);
      await hint('good');
      await settle();
      live[side] = await view.screenshot();
    }
    await screenshot(page, 'camera-two-faces-left-picked');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.selectOption('#language', 'fr');
    await screenshot(page, 'camera-two-faces-left-picked-phone-fr');
    await page.selectOption('#language', 'en');
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.match(await page.textContent('.photo-source[data-for="reference"] .camera-note'), /Only the face that will be used is shown sharp/);
    await page.click('.photo-source[data-for="reference"] .camera-stop');

    // Sharp only where chosen: the face patches of each capture against the sharp one.
    const at = [[0.25, 0.45], [0.75, 0.45]];
    const [sharpLeft] = await sharpnessAt(page, live.left, at);
    const [, sharpRight] = await sharpnessAt(page, live.right, at);
    const none = await sharpnessAt(page, live.none, at);
    const leftPicked = await sharpnessAt(page, live.left, at);
    const rightPicked = await sharpnessAt(page, live.right, at);
    const figures = JSON.stringify({ none, leftPicked, rightPicked });
    assert.ok(none[0] < sharpLeft / 3 && none[1] < sharpRight / 3, `nobody picked: both faces must be blurred: ${figures}`);
    assert.ok(leftPicked[1] < sharpRight / 3, `left picked: the right face must stay blurred: ${figures}`);
    assert.ok(rightPicked[0] < sharpLeft / 3, `right picked: the left face must stay blurred: ${figures}`);

    // What facegate makes of each half.
    const reference = { left: 'Emmanuel', right: 'Jacinda' };
    const other = { left: 'right', right: 'left' };
    for (const [name, shots] of [['photo preview', previews], ['live view', live]]) {
      for (const chosen of ['left', 'right']) {
        const bystander = other[chosen];
        assertRecognised(await recognise(page, await half(page, shots[chosen], chosen), reference[chosen]), `${name}, ${chosen} chosen: the chosen face`);
        assertUnrecognised(await recognise(page, await half(page, shots[chosen], bystander), reference[bystander]), `${name}, ${chosen} chosen: the bystander`);
      }
    }
    for (const side of ['left', 'right']) {
      assertUnrecognised(await recognise(page, await half(page, live.none, side), reference[side]), `live view, nobody picked: the ${side} face`);
    }

    // The words say what happens, in French too.
    await page.selectOption('#language', 'fr');
    const fr = await page.textContent('#screen-references > p');
    assert.match(fr, /jamais transformés en gabarit/);
    assert.doesNotMatch(fr, /jamais traités/);
    await page.selectOption('#language', 'en');
    assert.doesNotMatch(await page.textContent('#screen-references > p'), /never processed/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
