// "Cannot tell" (issue 16): a photo facegate cannot judge gets neither verdict. On the page, the
// result card says so with the reason in words, the audit log in My data records it, and the same
// photo cannot become a reference (the enrolment is refused with the reason). Screens are saved
// at desktop width in English and phone width in French (out/screenshots/cannot-tell/).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { TIMEOUT, addReference, checkPhoto, dataUrl, giveConsent, goTo, openApp, pageEnvironment, screenshot } from './page-helpers.mjs';

const env = pageEnvironment();

/** A PNG (file payload) of fixture `name` with every channel at 6 % of its value: a photo taken in the dark. */
async function darkPng(page, name) {
  const bytes = await page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < pixels.data.length; i += 4) {
      for (let c = 0; c < 3; c += 1) pixels.data[i + c] = Math.floor(pixels.data[i + c] * 0.06);
    }
    ctx.putImageData(pixels, 0, 0);
    return [...new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())];
  }, dataUrl(name));
  return { name: `dark-${name.replace(/\.jpg$/, '.png')}`, mimeType: 'image/png', buffer: Buffer.from(bytes) };
}

test('cannot tell: a photo too dark to judge gets no verdict, says why, is logged, and is refused as a reference', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { viewport: { width: 1280, height: 900 } });
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    const dark = await darkPng(page, 'person_a_2.jpg');

    // Checked against Alice: neither "same" nor "different", the reason in words, no rate.
    const card = await checkPhoto(page, dark, 'Alice');
    assert.equal(card.outcome, 'unsure', `dark probe: ${card.text ?? card.error}`);
    assert.match(card.text, /Cannot tell/);
    assert.match(card.text, /The face is too dark/);
    assert.doesNotMatch(card.text, /Likely the same person|Likely different people|1 in 1,000/, card.text);
    await screenshot(page, 'cannot-tell/check-desktop-en');
    // The same photo of the same person, lit: decided (the refusal was the light, not the person).
    const lit = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(lit.outcome, 'same', lit.text ?? lit.error);

    // The audit log records the comparison that could not be decided, with its reason.
    await goTo(page, 'data');
    await page.waitForFunction(() => /cannot tell \(the face is too dark\)/.test(document.getElementById('screen-data').textContent), null, { timeout: TIMEOUT });

    // As a reference: refused, with the reason, and nothing added.
    await goTo(page, 'references');
    await page.setInputFiles('#file-reference', dark);
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
    await page.fill('#reference-label', 'Alice in the dark');
    await page.check('#reference-confirm');
    await page.click('#reference-add');
    await page.waitForFunction(() => /cannot be used as a reference: the face is too dark/.test(document.getElementById('reference-form-error').textContent), null, { timeout: TIMEOUT });
    assert.doesNotMatch(await page.textContent('#reference-summary'), /Alice in the dark/);
    await screenshot(page, 'cannot-tell/reference-refused-desktop-en');

    // A phone, in French: the card in words.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.selectOption('#language', 'fr');
    const fr = await checkPhoto(page, dark, 'Alice');
    assert.equal(fr.outcome, 'unsure');
    assert.doesNotMatch(fr.text, /Cannot tell|too dark/, 'the card follows the language');
    await screenshot(page, 'cannot-tell/check-phone-fr');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
