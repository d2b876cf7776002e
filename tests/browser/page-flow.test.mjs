// The real page in Chromium, used the way a visitor uses it: the full flow with real photos,
// withdrawal and "Erase everything", export -> reload -> import, the camera and drag-and-drop,
// teaching mode, and a phone-sized screen. Screenshots go to out/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { makeTempDir, removeDir } from './helpers.mjs';
import {
  openApp, pageEnvironment, screenshot, giveConsent, goTo, addReference, checkPhoto, myData, fullFlow, fixtureFile, dataUrl, TIMEOUT, waitReady, eraseEverything,
} from './page-helpers.mjs';

const env = pageEnvironment();
let tmp;

before(() => {
  tmp = makeTempDir('page');
});
after(() => removeDir(tmp));

test('full flow: enrol A, A matches, B does not, identify picks A, a group photo needs a choice', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    const refs = await fullFlow(page);
    assert.deepEqual(refs.map((r) => r.label), ['Alice', 'Bob', 'Barack']);
    await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    await screenshot(page, 'result');
    await myData(page);
    const row = await page.textContent('#data-table tbody tr');
    assert.match(row, /512 bytes/, 'the template size is listed');
    assert.match(row, /Mine; purpose: check it is me/);
    const events = await page.$$eval('#audit-log li', (li) => li.map((l) => l.dataset.event));
    assert.ok(events.includes('enrolled') && events.includes('compared'), `audit log: ${events}`);
    await screenshot(page, 'my-data');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('withdraw one reference, then verify against it: a clear message, not a crash', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
    const alice = (await myData(page)).find((r) => r.label === 'Alice').id;
    await page.click(`#data-table tr[data-reference-id="${alice}"] .withdraw`);
    await page.click('#confirm-dialog-yes');
    await page.waitForFunction((id) => !document.querySelector(`#data-table tr[data-reference-id="${id}"]`), alice);
    assert.deepEqual((await myData(page)).map((r) => r.label), ['Bob']);
    assert.ok((await page.$$eval('#audit-log li', (li) => li.map((l) => l.dataset.event))).includes('withdrawn'));
    // The check screen no longer offers Alice...
    await goTo(page, 'check');
    assert.deepEqual(await page.$$eval('#check-reference option', (o) => o.map((x) => x.textContent)), ['Bob']);
    // ...and a stale reference (a second tab, an old form) gets a clear message.
    await page.evaluate((id) => {
      const select = document.getElementById('check-reference');
      select.append(new Option('Alice', id));
      select.value = id;
    }, alice);
    await page.check('input[name="check-mode"][value="verify"]');
    await page.setInputFiles('#file-check', fixtureFile('person_a_2.jpg'));
    await page.waitForFunction(() => document.getElementById('check-error').textContent, null, { timeout: TIMEOUT });
    assert.match(await page.textContent('#check-error'), /no longer exists: it was withdrawn or erased/);
    assert.equal(await page.isHidden('#check-result'), true);
    // The page still works afterwards.
    const bob = await checkPhoto(page, 'person_b_2.jpg', 'Bob');
    assert.equal(bob.outcome, 'same', bob.text ?? bob.error);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('Erase everything: one click, nothing held, no storage, camera off', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    await page.click('#camera-check');
    await page.waitForSelector('#snap-check:visible');
    assert.equal(await page.evaluate(() => window.__camera.streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length), 1);
    await eraseEverything(page);
    await page.waitForFunction(() => document.body.dataset.erased === '1');
    const state = await page.evaluate(async () => ({
      liveTracks: window.__camera.streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState !== 'ended').length,
      videos: [...document.querySelectorAll('video')].filter((v) => v.srcObject).length,
      canvases: [...document.querySelectorAll('canvas:not(#curve)')].filter((c) => c.width > 0).length,
      local: localStorage.length,
      session: sessionStorage.length,
      idb: (await indexedDB.databases()).length,
      cookie: document.cookie,
      results: document.getElementById('check-result').children.length,
      tabs: document.getElementById('tabs').hidden,
    }));
    assert.deepEqual(state, { liveTracks: 0, videos: 0, canvases: 0, local: 0, session: 0, idb: 0, cookie: '', results: 0, tabs: true });
    // Consent again: My data is empty, the audit log too.
    await giveConsent(page);
    assert.deepEqual(await myData(page), []);
    assert.equal(await page.isVisible('#data-empty'), true);
    assert.equal(await page.$$eval('#audit-log li', (li) => li.length), 0);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('export -> reload -> import with the passphrase gives the same references; a wrong one is refused', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
    const before = await myData(page);
    await page.fill('#export-passphrase', 'correct horse battery');
    await page.fill('#export-passphrase2', 'correct horse battery');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-button')]);
    const file = join(tmp, download.suggestedFilename());
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^facegate-\d{4}-\d\d-\d\d\.facegate$/);

    await page.reload();
    await waitReady({ page, consoleLines: [], pageErrors });
    await giveConsent(page);
    assert.deepEqual(await myData(page), [], 'a reload holds nothing');
    await page.setInputFiles('#import-file', file);
    await page.fill('#import-passphrase', 'wrong horse battery');
    await page.click('#import-button');
    await page.waitForFunction(() => document.getElementById('import-error').textContent, null, { timeout: TIMEOUT });
    assert.match(await page.textContent('#import-error'), /Wrong passphrase: nothing was imported/);
    assert.deepEqual(await myData(page), []);
    await page.setInputFiles('#import-file', file);
    await page.fill('#import-passphrase', 'correct horse battery');
    await page.click('#import-button');
    await page.waitForFunction(() => document.getElementById('import-status').textContent, null, { timeout: TIMEOUT });
    assert.match(await page.textContent('#import-status'), /2 added/);
    assert.deepEqual(await myData(page), before, 'the same references, same ids');
    const match = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(match.outcome, 'same', 'the imported template still matches');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('camera snapshot and drag-and-drop are sources too', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { camera: 'person_a_2.jpg' });
  try {
    await giveConsent(page);
    await goTo(page, 'references');
    await page.click('#camera-reference');
    await page.click('#snap-reference');
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
    assert.equal(await page.evaluate(() => window.__camera.streams.flatMap((s) => s.getTracks()).every((t) => t.readyState === 'ended')), true, 'the camera stops after the snapshot');
    await page.fill('#reference-label', 'From the camera');
    await page.check('#reference-confirm');
    await page.click('#reference-add');
    await page.waitForFunction(() => document.querySelector('#reference-summary').textContent.includes('From the camera'), null, { timeout: TIMEOUT });
    // Drop a photo of the same person on the check screen.
    await goTo(page, 'check');
    await page.selectOption('#check-reference', { label: 'From the camera' });
    await page.evaluate(async (url) => {
      // (fetch() of a data: URL is blocked by the page's CSP: draw it instead.)
      const bytes = await new Promise((ok) => {
        const img = new Image();
        img.onload = () => {
          const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
          c.getContext('2d').drawImage(img, 0, 0);
          c.convertToBlob({ type: 'image/png' }).then(ok);
        };
        img.src = url;
      });
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.png', { type: bytes.type }));
      const zone = document.querySelector('.photo-source[data-for="check"] .drop');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, dataUrl('person_a_1.jpg'));
    await page.waitForFunction(() => !document.getElementById('check-result').hidden || document.getElementById('check-error').textContent, null, { timeout: TIMEOUT });
    assert.equal(await page.textContent('#check-error'), '');
    assert.equal(await page.getAttribute('#check-result .verdict', 'data-outcome'), 'same');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('teaching mode: box and landmarks, aligned crop, 512-byte template, cosine step by step, threshold', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    const verified = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    const similarity = Number(verified.text.match(/similarity ([0-9.]+)/i)[1]);
    await goTo(page, 'teach');
    await page.setInputFiles('#file-teach-a', fixtureFile('person_a_1.jpg'));
    await page.setInputFiles('#file-teach-b', fixtureFile('person_a_2.jpg'));
    await page.waitForSelector('#teach-cosine-value', { timeout: TIMEOUT });
    const view = await page.evaluate(() => ({
      bytes: [...document.querySelectorAll('.teach-view .steps')].map((s) => s.dataset.templateBytes),
      aligned: [...document.querySelectorAll('canvas.aligned')].map((c) => [c.width, c.height]),
      strip: document.querySelector('.teach-view canvas.strip').width,
      numbers: (document.querySelector('.teach-view pre.numbers').textContent.match(/-?\d+\.\d+/g) ?? []).length,
      cosine: Number(document.getElementById('teach-cosine-value').dataset.cosine),
    }));
    assert.deepEqual(view.bytes, ['512', '512']);
    assert.deepEqual(view.aligned, [[112, 112], [112, 112]]);
    assert.equal(view.strip, 128 * 6);
    assert.equal(view.numbers, 5, 'a few printed values, never the 128 numbers of the template');
    assert.ok(Math.abs(view.cosine - similarity) < 0.0015, `the step-by-step cosine ${view.cosine} equals the matcher's similarity ${similarity}`);
    assert.equal(await page.getAttribute('#teach-cosine .verdict', 'data-outcome'), 'same');
    await page.fill('#threshold', '0.8');
    assert.equal(await page.getAttribute('#teach-cosine .verdict', 'data-outcome'), 'different', 'above the similarity, the same pair is rejected');
    assert.match(await page.textContent('#threshold-rates'), /At 0\.800/);
    await page.fill('#threshold', '0.366');
    await screenshot(page, 'teaching');
    // Nothing of the teaching view survives Erase everything.
    await eraseEverything(page);
    assert.equal(await page.$$eval('.teach-view canvas, .teach-view pre', (els) => els.length), 0);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('a phone-sized screen: nothing overflows sideways, the flow still works', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { viewport: { width: 390, height: 844 } });
  try {
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(await overflow() <= 0, 'consent screen overflows');
    await screenshot(page, 'phone-consent');
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    const r = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(r.outcome, 'same');
    assert.ok(await overflow() <= 0, 'result screen overflows');
    await screenshot(page, 'phone-result');
    for (const screen of ['data', 'teach']) {
      await goTo(page, screen);
      assert.ok(await overflow() <= 0, `${screen} overflows`);
    }
    assert.equal(await page.isVisible('#erase-all'), true, 'Erase everything is on screen');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
