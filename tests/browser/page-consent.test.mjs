// The consent gate of the real page in Chromium: before consent, no camera request and no model
// inference; "Continue" stays disabled until the required boxes are ticked; refusing still
// explains everything; and the gate works with the keyboard alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { openApp, pageEnvironment, screenshot, giveConsent, fixtureFile } from './page-helpers.mjs';

const INFERENCE = ['detect', 'enroll', 'verify', 'identify', 'explain'];
const env = pageEnvironment();

test('before consent: no camera, no inference, Continue disabled until every required box is ticked', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await screenshot(page, 'consent');
    const disabled = () => page.isDisabled('#consent-continue');
    assert.equal(await disabled(), true, 'nothing ticked');
    await page.check('#purpose-self');
    assert.equal(await disabled(), true, 'a purpose but no affirmation');
    await page.uncheck('#purpose-self');
    await page.check('#consent-affirm');
    assert.equal(await disabled(), true, 'the affirmation but no purpose');
    await page.check('#purpose-others');
    assert.equal(await disabled(), false, 'a purpose and the affirmation');
    await page.uncheck('#consent-affirm');
    assert.equal(await disabled(), true, 'affirmation unticked again');
    // Every box starts unticked.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    assert.deepEqual(await page.$$eval('#screen-consent input[type=checkbox]', (boxes) => boxes.map((b) => b.checked)), [false, false, false, false]);

    // Nothing a visitor can reach before consent turns on the camera or runs a model.
    assert.equal(await page.isHidden('#tabs'), true, 'the app is not reachable');
    assert.deepEqual(await page.$$eval('.photo-source', (els) => els.filter((e) => e.offsetParent !== null).length), 0, 'no photo input is visible');
    // Even a file forced into a hidden input before consent is not processed.
    await page.setInputFiles('#file-reference', fixtureFile('person_a_1.jpg'));
    await page.waitForTimeout(500);
    const calls = await page.evaluate(() => ({ camera: window.__camera.calls, worker: window.__workerCalls }));
    assert.equal(calls.camera, 0, 'getUserMedia was called before consent');
    assert.deepEqual(calls.worker.filter((m) => INFERENCE.includes(m)), [], `inference before consent: ${calls.worker}`);
    assert.deepEqual(calls.worker, [], 'no engine before Continue, not even its download');
    assert.match(await page.textContent('#reference-error'), /consent/i, 'the forced file is refused with a consent message');

    // Step 2 lists what was ticked, and only "Yes, I agree" opens the app.
    await page.check('#purpose-self');
    await page.check('#consent-affirm');
    await page.click('#consent-continue');
    assert.equal(await page.isVisible('#screen-confirm'), true);
    assert.equal(await page.$$eval('#confirm-list li', (li) => li.length), 1);
    await screenshot(page, 'consent-confirm');
    await page.click('#confirm-back');
    assert.equal(await page.isVisible('#screen-consent'), true);
    assert.equal(await page.isHidden('#tabs'), true);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('DPIA-2 refusing is free: the explanations, curve and nutrition labels, and no photo input', async () => {
  const { page, context } = await openApp(env.browser, env.site.origin);
  try {
    await page.click('#consent-refuse');
    assert.equal(await page.isVisible('#screen-teach'), true);
    assert.equal(await page.isVisible('#teach-refused'), true);
    assert.equal(await page.isHidden('#teach-live'), true, 'no photo can be given after refusing');
    assert.equal(await page.isHidden('#tabs'), true);
    assert.match(await page.textContent('#screen-teach'), /biometric template/);
    const shas = await page.$$eval('#nutrition td.hash', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(shas, ['49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10', 'fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee']);
    const before = await page.textContent('#threshold-rates');
    await page.fill('#threshold', '0.3');
    const after = await page.textContent('#threshold-rates');
    assert.notEqual(after, before);
    assert.match(after, /0\.97%/, `the rate at 0.300 is the measured 9.7e-3: ${after}`);
    assert.deepEqual(await page.evaluate(() => window.__workerCalls), [], 'refusing starts no engine');
    await page.click('#teach-back');
    assert.equal(await page.isVisible('#screen-consent'), true);
  } finally {
    await context.close();
  }
});

test('the gate and the first screens work with the keyboard alone, in French too', async () => {
  const { page, context } = await openApp(env.browser, env.site.origin);
  try {
    await page.selectOption('#language', 'fr');
    assert.equal(await page.textContent('#consent-title'), 'Avant toute chose');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    await page.focus('#purpose-self');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // purpose-others
    await page.keyboard.press('Tab'); // purpose-learn
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // affirmation
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'consent-continue');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-yes', 'focus moves to the confirmation');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#tabs:not([hidden])');
    assert.equal(await page.textContent('#references-title'), 'Ajouter une photo de référence');
    // Every form control on the visible screens has an accessible name.
    const unlabelled = await page.$$eval('input, select, button', (els) => els
      .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
  } finally {
    await context.close();
  }
});

test('consent given: the camera starts only on request, and the app opens', async () => {
  const { page, context } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page, ['self']);
    assert.equal(await page.evaluate(() => window.__camera.calls), 0, 'consent alone does not start the camera');
    assert.equal(await page.isHidden('#tabs [data-screen="check"]'), false);
    await page.click('#camera-reference');
    await page.waitForSelector('#snap-reference:visible');
    assert.equal(await page.evaluate(() => window.__camera.calls), 1);
  } finally {
    await context.close();
  }
});
