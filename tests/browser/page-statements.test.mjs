// What the page says and keeps, checked on the real page: the consent screen's required
// statements in English and French, nothing about the user stored in the browser (the offline
// copy listed and removed in one click), and no EXIF/GPS of a photo in anything the page shows or
// exports. Claims: docs/privacy/dpia.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FIXTURES } from './helpers.mjs';
import { TIMEOUT, addReference, checkPhoto, eraseEverything, giveConsent, goTo, openApp, pageEnvironment, screenshot } from './page-helpers.mjs';

const env = pageEnvironment();

// Each required statement, as the page must say it in each language (PRIVACY.md requirement 7).
const STATEMENTS = {
  en: {
    dataTypes: /turns the faces in the photos you choose into templates: 128 numbers/,
    onDevice: /This happens on this device, in this browser tab/,
    recipients: /Nobody receives your photos, templates or results/,
    retention: /kept in memory only, until you close the tab, unless you export it/,
    withdrawal: /withdraw any reference, or erase everything with one button, at any time/,
    others: /Photos of other people need their agreement/,
    purposes: /check it is me[\s\S]*other people who have agreed[\s\S]*for learning/,
    affirmation: /I agree that facegate processes faces in the photos I add, on this device only/,
  },
  fr: {
    dataTypes: /transforme les visages des photos que vous choisissez en gabarits : 128 nombres/,
    onDevice: /Cela se passe sur cet appareil, dans cet onglet/,
    recipients: /Personne ne reçoit vos photos, gabarits ou résultats/,
    retention: /Tout reste en mémoire seulement, jusqu'à la fermeture de l'onglet, sauf si vous l'exportez/,
    withdrawal: /retirer une référence, ou tout effacer d'un seul bouton, à tout moment/,
    others: /Les photos d'autres personnes demandent leur accord/,
    purposes: /vérifier que c'est moi[\s\S]*d'autres personnes qui ont donné leur accord[\s\S]*pour apprendre/,
    affirmation: /J'accepte que facegate traite les visages des photos que j'ajoute, sur cet appareil uniquement/,
  },
};

test('DPIA-1 the consent screen states who receives data, purposes, data types, on-device processing, retention, withdrawal and others\' agreement, in English and French', async () => {
  const { page, context } = await openApp(env.browser, env.site.origin);
  try {
    for (const lang of ['en', 'fr']) {
      await page.selectOption('#language', lang);
      const text = (await page.textContent('#screen-consent')).replace(/\s+/g, ' ');
      for (const [what, pattern] of Object.entries(STATEMENTS[lang])) assert.match(text, pattern, `${lang}: the consent screen does not state ${what}`);
      // One unticked box per purpose, an affirmation, and a second step that lists what was ticked.
      const boxes = await page.$$eval('#screen-consent input[type=checkbox]', (b) => b.map((x) => [x.id, x.checked]));
      assert.deepEqual(boxes, [['purpose-self', false], ['purpose-others', false], ['purpose-learn', false], ['consent-affirm', false]]);
      await page.check('#purpose-others');
      await page.check('#consent-affirm');
      await page.click('#consent-continue');
      const listed = (await page.textContent('#confirm-list')).replace(/\s+/g, ' ');
      assert.match(listed, lang === 'en' ? /other people who have agreed/ : /d'autres personnes qui ont donné leur accord/);
      assert.doesNotMatch(listed, lang === 'en' ? /my own face/ : /mon propre visage/, 'only what was ticked is listed');
      await page.click('#confirm-back');
      await page.uncheck('#purpose-others');
      await page.uncheck('#consent-affirm');
    }
  } finally {
    await context.close();
  }
});

test('DPIA-3 nothing about the user is stored in the browser; the offline copy is listed in My data and removed in one click', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    const storage = () => page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      idb: (await indexedDB.databases()).length,
      cookie: document.cookie,
    }));
    const empty = { local: 0, session: 0, idb: 0, cookie: '' };
    assert.deepEqual(await storage(), empty, 'before consent');
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.deepEqual(await storage(), empty, 'after enrolling and checking');
    await goTo(page, 'data');
    await page.waitForFunction(() => /\d+/.test(document.getElementById('offline-size').textContent), null, { timeout: 10_000 });
    const before = await page.evaluate(async () => ({ caches: (await caches.keys()).length, workers: (await navigator.serviceWorker.getRegistrations()).length }));
    assert.ok(before.caches >= 1 && before.workers === 1, JSON.stringify(before));
    assert.match(await page.textContent('#offline-size'), /\d+ files, [\d.]+ MB/);
    await page.click('#offline-clear');
    await page.waitForFunction(() => document.getElementById('offline-status').textContent, null, { timeout: 10_000 });
    const after = await page.evaluate(async () => ({ caches: (await caches.keys()).length, workers: (await navigator.serviceWorker.getRegistrations()).length }));
    assert.deepEqual(after, { caches: 0, workers: 0 }, 'the offline copy and the service worker are gone');
    assert.match(await page.textContent('#offline-status'), /removed/);
    // The tab goes on working, and the old worker copies nothing any more.
    const r = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(r.outcome, 'same');
    assert.equal(await page.evaluate(async () => (await caches.keys()).length), 0, 'nothing was copied again');
    assert.deepEqual(await storage(), empty);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('DPIA-3 Erase everything offers to remove the offline copy too, in one click', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    assert.equal(await page.isHidden('#erase-offline'), true, 'no offer before erasing');
    await eraseEverything(page);
    await page.waitForSelector('#erase-offline:not([hidden])', { timeout: 10_000 });
    assert.ok(await page.evaluate(async () => (await caches.keys()).length) > 0, 'the copy is still there until asked');
    for (const [lang, width] of [['fr', 390], ['en', 1280]]) {
      await page.setViewportSize({ width, height: 800 });
      await page.selectOption('#language', lang);
      await screenshot(page, `privacy-erase-offer-${lang}-${width}`);
    }
    await page.click('#erase-offline-yes');
    await page.waitForSelector('#erase-offline-done:not([hidden])', { timeout: 10_000 });
    assert.match(await page.textContent('#erase-offline-done'), /removed/);
    const left = await page.evaluate(async () => ({ caches: (await caches.keys()).length, workers: (await navigator.serviceWorker.getRegistrations()).length }));
    assert.deepEqual(left, { caches: 0, workers: 0 });
    await giveConsent(page);
    assert.equal(await page.isHidden('#erase-offline'), true, 'the offer goes once consent is given again');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

/** person_a_1.jpg with an EXIF segment holding GPS coordinates and a marker text. */
function photoWithGps() {
  const jpeg = readFileSync(join(FIXTURES, 'person_a_1.jpg'));
  const marker = Buffer.from('FACEGATE-GPS-MARKER 48.8584N 2.2945E\0');
  // TIFF, little-endian: IFD0 { ImageDescription (ASCII), GPSInfo -> GPS IFD { LatitudeRef 'N', Latitude 48/1 51/1 30/1 } }.
  const ifd0 = 8;
  const ifd0Size = 2 + 2 * 12 + 4;
  const gpsIfd = ifd0 + ifd0Size;
  const gpsSize = 2 + 2 * 12 + 4;
  const latitude = gpsIfd + gpsSize;
  const text = latitude + 24;
  const tiff = Buffer.alloc(text + marker.length);
  tiff.write('II', 0, 'ascii');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifd0, 4);
  const entry = (at, tag, type, count, value) => {
    tiff.writeUInt16LE(tag, at);
    tiff.writeUInt16LE(type, at + 2);
    tiff.writeUInt32LE(count, at + 4);
    tiff.writeUInt32LE(value, at + 8);
  };
  tiff.writeUInt16LE(2, ifd0);
  entry(ifd0 + 2, 0x010e, 2, marker.length, text);
  entry(ifd0 + 14, 0x8825, 4, 1, gpsIfd);
  tiff.writeUInt16LE(2, gpsIfd);
  entry(gpsIfd + 2, 0x0001, 2, 2, 0x4e); // 'N'
  entry(gpsIfd + 14, 0x0002, 5, 3, latitude);
  [48, 1, 51, 1, 30, 1].forEach((v, i) => tiff.writeUInt32LE(v, latitude + 4 * i));
  marker.copy(tiff, text);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'ascii'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

test('DPIA-4 a photo with EXIF and GPS leaves no trace of them in what the page shows or exports', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    const photo = photoWithGps();
    assert.ok(photo.includes('FACEGATE-GPS-MARKER'), 'the test photo carries the marker');
    await giveConsent(page);
    await addReference(page, { name: 'gps.jpg', mimeType: 'image/jpeg', buffer: photo }, 'Alice');
    const r = await checkPhoto(page, { name: 'gps-probe.jpg', mimeType: 'image/jpeg', buffer: photo }, 'Alice');
    assert.equal(r.outcome, 'same', JSON.stringify(r));
    // Everything the page shows: canvases (re-encoded here to look at their bytes) and any image
    // element, whatever its URL (blob:, data:).
    const shown = await page.evaluate(async () => {
      const out = [];
      const bytes = async (blob) => new Uint8Array(await blob.arrayBuffer());
      for (const c of document.querySelectorAll('canvas')) {
        if (c.width && c.height) out.push({ what: `canvas#${c.id || c.className}`, bytes: [...await bytes(await new Promise((ok) => c.toBlob(ok, 'image/jpeg')))] });
      }
      for (const img of document.querySelectorAll('img')) {
        if (img.src) out.push({ what: `img ${img.src.slice(0, 30)}`, bytes: [...await bytes(await (await fetch(img.src)).blob())] });
      }
      return out;
    });
    assert.ok(shown.length >= 1, 'the page shows the photo somewhere');
    for (const { what, bytes } of shown) {
      const b = Buffer.from(bytes);
      assert.ok(!b.includes('FACEGATE-GPS-MARKER') && !b.includes('Exif\0\0'), `${what} carries the photo's EXIF`);
    }
    // The export: an encrypted file with no image in it (far smaller than the photo).
    await goTo(page, 'data');
    await page.fill('#export-passphrase', 'correct horse battery');
    await page.fill('#export-passphrase2', 'correct horse battery');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('#export-button')]);
    const file = readFileSync(await download.path());
    assert.ok(!file.includes('FACEGATE-GPS-MARKER') && !file.includes('Exif'), 'the export carries the EXIF');
    // Its size tells nothing any more (format version 2 pads every gallery of up to about 25
    // references to 16 KiB), so what it holds is the format's: references and audit events, no
    // image field (docs/export-format.md, tested in Rust).
    assert.equal(file.length, 98 + 16 * 1024 + 16, 'one reference: the first padding bucket');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('screenshots: the download at consent and the offline copy in My data, phone and desktop, English and French', async () => {
  for (const [width, height] of [[390, 844], [1280, 800]]) {
    const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { viewport: { width, height } });
    try {
      await page.check('#purpose-self');
      await page.check('#consent-affirm');
      await page.click('#consent-continue');
      await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: TIMEOUT });
      for (const lang of ['en', 'fr']) {
        await page.selectOption('#language', lang);
        await screenshot(page, `privacy-confirm-${lang}-${width}`);
      }
      await page.click('#confirm-yes');
      await page.waitForSelector('#tabs:not([hidden])');
      await goTo(page, 'data');
      await page.waitForFunction(() => /\d/.test(document.getElementById('offline-size').textContent), null, { timeout: 10_000 });
      for (const lang of ['en', 'fr']) {
        await page.selectOption('#language', lang);
        await page.locator('.offline-copy').scrollIntoViewIfNeeded();
        await screenshot(page, `privacy-offline-copy-${lang}-${width}`);
      }
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), `overflows sideways at ${width}`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  }
});
