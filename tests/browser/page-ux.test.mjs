// The visitor's experience on the real page in Chromium, one test per problem found by trying it
// as a new user (issue 13): errors always visible, results never stale, a busy indicator at once,
// one confirmation before erasing, a result card that says things once and names what it
// compared, no status bar over the controls, and the polish of "My data" and the teaching view.
// (The phone layout is page-phone.test.mjs; the camera guide page-guidance.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { openPage } from './helpers.mjs';
import {
  openApp, pageEnvironment, giveConsent, goTo, addReference, checkPhoto, myData, fixtureFile, twoPeoplePng, eraseEverything, TIMEOUT,
} from './page-helpers.mjs';

const env = pageEnvironment();

/** A grey PNG without any face (made in the page). */
async function noFacePng(page) {
  const bytes = await page.evaluate(async () => {
    const c = new OffscreenCanvas(320, 240);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#8a8f96';
    ctx.fillRect(0, 0, 320, 240);
    return [...new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer())];
  });
  return { name: 'wall.png', mimeType: 'image/png', buffer: Buffer.from(bytes) };
}
const NOT_AN_IMAGE = { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are my notes, not a photo\n'.repeat(20)) };

/** The visible role="alert" element's text after `act()`, waiting for it; fails when none is visible. */
async function visibleAlert(page, selector, act) {
  await act();
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && el.textContent.trim() && el.offsetParent !== null;
  }, selector, { timeout: TIMEOUT }).catch(() => {});
  const state = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const r = el.getBoundingClientRect();
    return { role: el.closest('[role="alert"]')?.getAttribute('role') ?? null, text: el.textContent.trim(), visible: el.offsetParent !== null && r.width > 0 && r.height > 0 };
  }, selector);
  assert.equal(state.role, 'alert', `${selector} is not in a role="alert" element`);
  assert.ok(state.visible, `${selector} is not visible (text: "${state.text}")`);
  return state.text;
}

test('1. every failure shows, in a visible role="alert", on every screen that can fail', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    const wall = await noFacePng(page);
    for (const [screen, input, alert] of [['references', '#file-reference', '#reference-error'], ['check', '#file-check', '#check-error'], ['teach', '#file-teach-a', '#teach-error']]) {
      await goTo(page, screen);
      assert.match(await visibleAlert(page, alert, () => page.setInputFiles(input, wall)), /No face was found/, `${screen}: no face`);
      assert.match(await visibleAlert(page, alert, () => page.setInputFiles(input, NOT_AN_IMAGE)), /not supported|could not be read|cannot read/i, `${screen}: not an image`);
    }
    // No camera: getUserMedia fails as it does on a machine without one.
    await page.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    for (const [screen, button, alert] of [['references', '#camera-reference', '#reference-error'], ['check', '#camera-check', '#check-error'], ['teach', '#camera-teach-b', '#teach-error']]) {
      await goTo(page, screen);
      assert.match(await visibleAlert(page, alert, () => page.click(button)), /camera could not be used/, `${screen}: no camera`);
    }
    // My data: importing without a file, exporting with a short passphrase (once there is something).
    await goTo(page, 'data');
    assert.match(await visibleAlert(page, '#import-error', () => page.click('#import-button')), /Choose an exported file/);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await goTo(page, 'data');
    assert.match(await visibleAlert(page, '#export-error', () => page.click('#export-button')), /Type a passphrase/);
    // A guessable passphrase is refused by the engine's estimator, with what to do instead.
    await page.fill('#export-passphrase', 'password1');
    await page.fill('#export-passphrase2', 'password1');
    assert.match(await visibleAlert(page, '#export-error', () => page.click('#export-button')), /too easy to guess/);
    // A suggested one: six words, in both fields, shown to write down; it exports.
    await page.click('#export-suggest');
    await page.waitForSelector('#export-suggested:not([hidden])', { timeout: TIMEOUT });
    const words = await page.inputValue('#export-passphrase');
    assert.equal(words.split(/\s+/).length, 6, `six words: ${words}`);
    assert.equal(await page.inputValue('#export-passphrase2'), words);
    assert.ok((await page.textContent('#export-suggested')).includes(words), 'the suggestion is shown to write down');
    const download = page.waitForEvent('download', { timeout: TIMEOUT });
    await page.click('#export-button');
    await download;
    await page.waitForFunction(() => document.getElementById('export-suggested').hidden && !document.getElementById('export-passphrase').value, null, { timeout: TIMEOUT });
    // The reference form's own checks show inside the form, next to its button.
    await goTo(page, 'references');
    await page.setInputFiles('#file-reference', fixtureFile('person_b_1.jpg'));
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
    assert.match(await visibleAlert(page, '#reference-form-error', () => page.click('#reference-add')), /label/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('2. the result follows every change: another reference, the mode, the same photo again, a withdrawn reference', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
    const first = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(first.outcome, 'same');
    const card = () => page.evaluate(() => {
      const c = document.getElementById('check-result');
      return { hidden: c.hidden, kind: c.dataset.kind, heading: c.querySelector('h3')?.textContent, outcome: c.querySelector('.verdict')?.dataset.outcome, ids: [...c.querySelectorAll('.match')].map((m) => m.dataset.referenceId) };
    });
    const settled = (f) => page.waitForFunction(f, null, { timeout: TIMEOUT });
    // Another reference: compared again at once, with the heading naming it.
    await page.selectOption('#check-reference', { label: 'Bob' });
    await settled(() => document.querySelector('#check-result h3')?.textContent.includes('Bob') && !document.getElementById('check-result').hidden);
    assert.deepEqual((await card()).outcome, 'different');
    // The mode: all references.
    await page.check('input[name="check-mode"][value="identify"]');
    await settled(() => document.getElementById('check-result').dataset.kind === 'identify' && !document.getElementById('check-result').hidden);
    assert.equal((await card()).ids.length, 2);
    // The same photo chosen again compares again: the file input does not keep the file (a
    // browser fires no change for the file an input already holds).
    assert.equal(await page.inputValue('#file-check'), '');
    const calls = () => page.evaluate(() => window.__workerCalls.filter((m) => m === 'identify').length);
    const before = await calls();
    await page.setInputFiles('#file-check', fixtureFile('person_a_2.jpg'));
    await page.waitForFunction((n) => window.__workerCalls.filter((m) => m === 'identify').length > n, before, { timeout: TIMEOUT });
    await settled(() => !document.getElementById('check-result').hidden);
    // A reference withdrawn elsewhere: the comparison with all of them runs again without it.
    const alice = (await myData(page)).find((r) => r.label === 'Alice').id;
    await page.click(`#data-table tr[data-reference-id="${alice}"] .withdraw`);
    await page.click('#confirm-dialog-yes');
    await page.waitForFunction((id) => !document.querySelector(`#data-table tr[data-reference-id="${id}"]`), alice);
    await goTo(page, 'check');
    await settled(() => !document.getElementById('check-result').hidden && document.querySelectorAll('#check-result .match').length === 1);
    assert.ok(!(await card()).ids.includes(alice), 'the withdrawn reference is gone from the card');
    // A verification against the withdrawn one is cleared, not left on screen.
    await page.check('input[name="check-mode"][value="verify"]');
    await settled(() => !document.getElementById('check-result').hidden);
    assert.match((await card()).heading, /Bob/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('3. busy at once: aria-busy="true" on the working region within 100 ms of an action, and the load percentage while the engine downloads', async () => {
  // The engine's files are held back for a few seconds, as on a slow link.
  const context = await env.browser.newContext({ serviceWorkers: 'block' });
  let release;
  const held = new Promise((ok) => {
    release = ok;
  });
  await context.route(/\/pkg\/models\/.*\.onnx$/, async (route) => {
    await held;
    await route.continue();
  });
  const { page, pageErrors } = await openPage(context);
  try {
    await page.goto(`${env.site.origin}/`);
    await page.waitForFunction(() => document.body.dataset.screen === 'consent');
    assert.notEqual(await page.evaluate(() => document.body.dataset.engine), 'ready', 'the engine must still be loading');
    await giveConsent(page);
    await goTo(page, 'references');
    // Time from the file input's change to the busy mark, measured in the page.
    await page.evaluate(() => {
      window.__busy = {};
      document.getElementById('file-reference').addEventListener('change', () => {
        window.__busy.action = performance.now();
      }, { capture: true });
      new MutationObserver(() => {
        if (document.getElementById('reference-work').getAttribute('aria-busy') === 'true') window.__busy.marked ??= performance.now();
      }).observe(document.getElementById('reference-work'), { attributes: true, attributeFilter: ['aria-busy'] });
    });
    await page.setInputFiles('#file-reference', fixtureFile('person_a_1.jpg'));
    await page.waitForSelector('#reference-work .busy-note');
    const timing = await page.evaluate(() => window.__busy);
    assert.ok(timing.marked - timing.action < 100, `aria-busy after ${timing.marked - timing.action} ms`);
    const note = await page.textContent('#reference-work .busy-note');
    assert.match(note, /Looking for faces/);
    assert.match(note, /still loading: \d+\s?%/, `the note shows the download percentage: "${note}"`);
    assert.equal(await page.isVisible('#reference-work .busy-note progress'), true);
    release();
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
    assert.equal(await page.getAttribute('#reference-work', 'aria-busy'), 'false');
    assert.equal(await page.$$eval('#reference-work .busy-note', (n) => n.length), 0);
    // A comparison marks its region at once too.
    await page.fill('#reference-label', 'Alice');
    await page.check('#reference-confirm');
    await page.click('#reference-add');
    await page.waitForFunction(() => document.querySelector('#reference-summary').textContent.includes('Alice'), null, { timeout: TIMEOUT });
    await goTo(page, 'check');
    await page.evaluate(() => {
      window.__busy = {};
      document.getElementById('file-check').addEventListener('change', () => {
        window.__busy.action = performance.now();
      }, { capture: true });
      new MutationObserver(() => {
        if (document.getElementById('check-work').getAttribute('aria-busy') === 'true') window.__busy.marked ??= performance.now();
      }).observe(document.getElementById('check-work'), { attributes: true, attributeFilter: ['aria-busy'] });
    });
    await page.setInputFiles('#file-check', fixtureFile('person_a_2.jpg'));
    await page.waitForSelector('#check-result:not([hidden])', { timeout: TIMEOUT });
    const t2 = await page.evaluate(() => window.__busy);
    assert.ok(t2.marked - t2.action < 100, `check: aria-busy after ${t2.marked - t2.action} ms`);
    assert.deepEqual(pageErrors, []);
  } finally {
    release();
    await context.close();
  }
});

test('5. Erase everything and Withdraw ask once: hidden before consent, kept on "keep", done on confirm', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    assert.equal(await page.isVisible('#erase-all'), false, 'nothing to erase on the consent screen');
    await giveConsent(page);
    assert.equal(await page.isVisible('#erase-all'), true);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
    // Keep: nothing happens.
    await page.click('#erase-all');
    assert.equal(await page.isVisible('#confirm-dialog'), true);
    assert.match(await page.textContent('#confirm-dialog'), /cannot be undone/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-dialog-no', 'the button that keeps has the focus');
    await page.click('#confirm-dialog-no');
    assert.equal((await myData(page)).length, 2, 'keeping erased something');
    // Escape keeps too.
    await page.click('#erase-all');
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#confirm-dialog'), false);
    assert.equal((await myData(page)).length, 2);
    // Withdraw one: one confirmation naming it.
    const bob = (await myData(page)).find((r) => r.label === 'Bob').id;
    await page.click(`#data-table tr[data-reference-id="${bob}"] .withdraw`);
    assert.match(await page.textContent('#confirm-dialog-title'), /Withdraw "Bob"\?/);
    await page.click('#confirm-dialog-no');
    assert.equal((await myData(page)).length, 2);
    await page.click(`#data-table tr[data-reference-id="${bob}"] .withdraw`);
    await page.click('#confirm-dialog-yes');
    await page.waitForFunction((id) => !document.querySelector(`#data-table tr[data-reference-id="${id}"]`), bob);
    assert.match(await page.textContent('#status'), /"Bob" withdrawn/);
    // Erase: one click, one confirmation.
    await eraseEverything(page);
    assert.equal(await page.isVisible('#erase-all'), false, 'hidden again once everything is erased');
    assert.match(await page.textContent('#status'), /Everything was erased/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('6. the result card: the rate said once, headings naming the reference, one photo, a scaled bar; French numbers and reports in French', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
    const verified = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.match(verified.text, /Compared with "Alice"/);
    const found = await checkPhoto(page, 'person_a_2.jpg', null);
    assert.equal((found.text.match(/1 in 1,000/g) ?? []).length, 1, `the rate is said once: ${found.text}`);
    const card = await page.evaluate(() => ({
      candidates: [...document.querySelectorAll('#check-result .candidate h4')].map((h) => h.textContent),
      canvases: document.querySelectorAll('#check-result canvas').length,
      scale: [...document.querySelectorAll('#check-result .candidate')].map((c) => [...c.querySelectorAll('.scale span')].map((s) => s.textContent)),
    }));
    assert.deepEqual(card.candidates, ['Alice', 'Bob'], 'each candidate is headed by its reference');
    assert.equal(card.canvases, 0, 'the photo is drawn once, beside the card, not again inside it');
    assert.deepEqual(card.scale[0], ['0', 'threshold 0.366', '1']);
    // French: every number the French way, and texts already shown follow the switch.
    await goTo(page, 'data');
    await page.fill('#export-passphrase', 'correct horse battery');
    await page.fill('#export-passphrase2', 'correct horse battery');
    await Promise.all([page.waitForEvent('download'), page.click('#export-button')]);
    await page.waitForFunction(() => document.getElementById('export-status').textContent);
    await page.selectOption('#language', 'fr');
    assert.match(await page.textContent('#export-status'), /2 références exportées/, 'the export report follows the language');
    await goTo(page, 'check');
    const fr = await page.innerText('#check-result');
    assert.match(fr, /1 sur 1\u202f000|1 sur 1 000/, fr);
    assert.match(fr, /seuil 0,366/);
    assert.doesNotMatch(fr, /\d\.\d/, `a number written the English way in French: ${fr}`);
    await goTo(page, 'teach');
    await page.fill('#threshold', '0.3');
    const rates = await page.textContent('#threshold-rates');
    assert.match(rates, /0,97\s?%/);
    assert.doesNotMatch(rates, /\d\.\d/, rates);
    await goTo(page, 'data');
    const dates = await page.$$eval('#data-table tbody td[data-label]', (tds) => tds.map((td) => td.textContent));
    assert.match(dates[0], /\d{1,2} [a-zéû]+\.? \d{4}/, `a French date: ${dates[0]}`);
    assert.doesNotMatch(dates[0], /\d\/\d|AM|PM/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('7. no status bar over the controls: messages sit in the page, every control of a screen can be reached', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { viewport: { width: 1000, height: 600 } });
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await page.waitForFunction(() => document.getElementById('status').textContent);
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('status')).position), 'static');
    await goTo(page, 'references');
    await page.setInputFiles('#file-reference', fixtureFile('person_b_1.jpg'));
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
    await page.check('input[name="subject"][value="other"]');
    await goTo(page, 'check');
    await goTo(page, 'references');
    // Each control, scrolled to the bottom edge of the window (as WebDriver clicks do), is the
    // element under its own centre: nothing fixed covers it.
    const covered = await page.evaluate(() => [...document.querySelectorAll('#screen-references input, #screen-references button, #screen-references select')]
      .filter((el) => el.offsetParent !== null && !el.closest('.drop'))
      .filter((el) => {
        el.scrollIntoView({ block: 'end' });
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return !(hit === el || el.contains(hit) || hit?.closest('label')?.contains(el));
      })
      .map((el) => el.id || el.name || el.textContent));
    assert.deepEqual(covered, []);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('8. My data and teaching polish: aligned fields, consent proof on request, nothing to export, faces numbered left to right, A and B level, no empty heading', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { viewport: { width: 1280, height: 900 } });
  try {
    // Refusing: the teaching page has no heading without content under it.
    await page.click('#consent-refuse');
    const emptyHeadings = await page.$$eval('#screen-teach h3, #screen-teach h4', (hs) => hs.filter((h) => h.offsetParent !== null)
      .filter((h) => {
        const next = h.nextElementSibling;
        return !next || next.offsetParent === null || !next.textContent.trim() && !next.querySelector('canvas, input');
      }).map((h) => h.textContent));
    assert.deepEqual(emptyHeadings, []);
    await page.click('#teach-back');
    await giveConsent(page);
    // Nothing held: export says so and cannot write an empty file.
    await goTo(page, 'data');
    assert.equal(await page.isDisabled('#export-button'), true);
    assert.equal(await page.isVisible('#export-nothing'), true);
    // Fields line up: in each card the text fields share their left edge and width.
    for (const card of ['#export-form', '#import-form']) {
      const boxes = await page.$$eval(`${card} input[type="password"]`, (els) => els.map((e) => {
        const r = e.getBoundingClientRect();
        return [Math.round(r.left), Math.round(r.width)];
      }));
      assert.ok(boxes.every((b) => b[0] === boxes[0][0] && b[1] === boxes[0][1]), `${card}: ${JSON.stringify(boxes)}`);
    }
    // A group photo: "Face 1" is the left-hand face.
    await goTo(page, 'references');
    await page.setInputFiles('#file-reference', await twoPeoplePng(page, 'obama.jpg', 'person_a_2.jpg'));
    await page.waitForSelector('#reference-face-buttons [data-face]', { timeout: TIMEOUT });
    const buttons = await page.$$eval('#reference-face-buttons [data-face]', (bs) => bs.map((b) => [b.textContent, Number(b.dataset.cx)]));
    assert.equal(buttons[0][0], 'Face 1');
    assert.ok(buttons[0][1] < 0.5 && buttons[1][1] > 0.5, `Face 1 is on the left: ${JSON.stringify(buttons)}`);
    await page.click('#reference-face-buttons [data-face]');
    await page.click('#reference-cancel');
    // The consent column: words first, the SHA-256 only on request.
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await goTo(page, 'data');
    const consentCell = '#data-table tbody tr td:nth-of-type(2)';
    assert.match(await page.innerText(consentCell), /Mine; purpose: check it is me/);
    assert.doesNotMatch(await page.innerText(consentCell), /SHA-256|[0-9a-f]{12}/);
    await page.click(`${consentCell} summary`);
    assert.match(await page.innerText(consentCell), /SHA-256[^]*[0-9a-f]{64}/);
    assert.equal(await page.isDisabled('#export-button'), false);
    // Teaching: photos A and B of different shapes, their steps level with each other.
    await goTo(page, 'teach');
    await page.setInputFiles('#file-teach-a', fixtureFile('person_a_1.jpg'));
    await page.setInputFiles('#file-teach-b', fixtureFile('obama.jpg'));
    await page.waitForFunction(() => document.querySelectorAll('.teach-view canvas.aligned').length === 2, null, { timeout: TIMEOUT });
    const tops = await page.evaluate(() => ['canvas.preview', 'canvas.aligned', 'canvas.strip'].map((sel) => [...document.querySelectorAll(`.teach-view ${sel}`)].map((c) => Math.round(c.getBoundingClientRect().top))));
    for (const [a, b] of tops) assert.ok(Math.abs(a - b) <= 1, `A and B are not level: ${JSON.stringify(tops)}`);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
