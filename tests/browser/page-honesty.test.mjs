// What the page asks the visitor to affirm, and what it says of its results, is true: the
// consent sentence recorded is the one confirmed (the box is unticked whenever the sentence
// changes), the retention it promises exists, a purpose is kept to (import keeps only what the
// consent covers; one purpose is withdrawn or added alone, as easily as it was given), refusing
// after Continue stops the engine's download, identification states its error rate for N
// references, and the small things: every form problem at once, focus after adding, no "-0.000",
// plurals, the counter's name on a phone. Claims: docs/privacy/dpia.md, threat-model.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launchBrowser, openPage } from './helpers.mjs';
import { TIMEOUT, WWW, addReference, checkPhoto, eraseEverything, fixtureFile, giveConsent, goTo, myData, openApp, screenshot, serveWww } from './page-helpers.mjs';
import { serveBare, waitInPage } from './privacy-helpers.mjs';

const env = { site: null, bare: null, browser: null, slow: false };
before(async () => {
  env.site = await serveWww();
  // A host with no header whose engine files come slowly when `env.slow` is set (1 MB/s each).
  env.bare = await serveBare(WWW, { throttle: (path) => (env.slow && /\/pkg\/.*\.(wasm|onnx)$/.test(path) ? 1_000_000 : 0) });
  env.browser = await launchBrowser();
});
after(async () => {
  await env.browser?.close();
  await env.site?.close();
  await env.bare?.close();
});

const sentence = (page) => page.textContent('#reference-consent-text');
/** The text of the confirmation dialog, once it is open. */
async function dialogText(page) {
  await page.waitForSelector('#confirm-dialog[open]');
  return page.textContent('#confirm-dialog-text');
}
const ticked = (page) => page.isChecked('#reference-confirm');

test('DPIA-6 the consent sentence recorded is the one confirmed: any change unticks it; it promises only the retention that exists, in English and French', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page);
    await goTo(page, 'references');
    await page.setInputFiles('#file-reference', fixtureFile('person_a_1.jpg'));
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });

    // Every form problem at once, the first field focused and each one marked.
    await page.check('input[name="subject"][value="other"]');
    await page.click('#reference-add');
    const problems = await page.textContent('#reference-form-error');
    for (const p of [/Give this reference a label/, /Write the name of the person who agreed/, /Tick the box to confirm the sentence/]) assert.match(problems, p);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reference-label');
    assert.deepEqual(await page.$$eval('[aria-invalid="true"]', (els) => els.map((e) => e.id)), ['reference-label', 'reference-other-name', 'reference-confirm']);

    // Any change of the sentence unticks its confirmation: the name, how long, the language.
    await page.fill('#reference-label', 'Ana');
    await page.fill('#reference-other-name', 'Ana');
    await page.check('#reference-confirm');
    await page.fill('#reference-label', 'Ana (label only)');
    assert.equal(await ticked(page), true, 'the label is not in the sentence: the tick stays');
    await page.fill('#reference-other-name', 'Someone else entirely');
    assert.equal(await ticked(page), false, 'a new name: the box must be unticked');
    assert.match(await page.textContent('#reference-confirm-again'), /The sentence changed/);
    await page.check('#reference-confirm');
    assert.equal(await page.textContent('#reference-confirm-again'), '');
    await page.selectOption('#reference-expiry', '365');
    assert.equal(await ticked(page), false, 'a new duration: the box must be unticked');
    const en = await sentence(page);
    assert.match(en, /at most until .*2\d{3}.*, and only while this tab stays open unless I export it/, en);
    assert.doesNotMatch(await page.textContent('label:has(#reference-expiry)'), /for one year/);
    await page.check('#reference-confirm');
    await page.selectOption('#language', 'fr');
    assert.equal(await ticked(page), false, 'the sentence in another language: the box must be unticked');
    const fr = await sentence(page);
    assert.match(fr, /au plus tard jusqu'au .*, et seulement tant que cet onglet reste ouvert, sauf si je l'exporte/, fr);
    await page.selectOption('#language', 'en');
    await page.selectOption('#reference-expiry', '');
    assert.match(await sentence(page), /until I withdraw it, and only while this tab stays open unless I export it/);
    await page.selectOption('#reference-expiry', '7');

    // Submitted: the record's SHA-256 is that of the sentence on screen when the box was ticked.
    await page.check('#reference-confirm');
    const affirmed = await sentence(page);
    await page.click('#reference-add');
    await page.waitForFunction(() => document.querySelector('#reference-summary').textContent.includes('Ana (label only)'), null, { timeout: TIMEOUT });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'references-list-title', 'focus goes where the new reference shows');
    const expected = await page.evaluate(async (text) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join(''), affirmed);
    await goTo(page, 'data');
    assert.equal(await page.textContent('#data-table code.hash'), expected);
    const record = await page.textContent('#data-table .consent-words');
    assert.match(record, /Someone else entirely, who agreed; purpose: compare with a person who agreed; given .*, kept at most until /, record);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('DPIA-7 purposes kept to: an import keeps only references the consent covers; one purpose is withdrawn or added alone, in one confirmation', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  const dir = mkdtempSync(join(tmpdir(), 'facegate-purposes-'));
  try {
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Me');
    await addReference(page, 'person_b_1.jpg', 'Jacinda', { other: 'Jacinda' });
    await goTo(page, 'data');
    await page.fill('#export-passphrase', 'correct horse battery');
    await page.fill('#export-passphrase2', 'correct horse battery');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-button')]);
    const file = join(dir, 'both.facegate');
    await download.saveAs(file);
    await eraseEverything(page);

    // Consent to "check it is me" only: the other person's reference is not kept.
    await giveConsent(page, ['self']);
    await goTo(page, 'data');
    await page.setInputFiles('#import-file', file);
    await page.fill('#import-passphrase', 'correct horse battery');
    await page.click('#import-button');
    await page.waitForFunction(() => document.getElementById('import-status').textContent || document.getElementById('import-error').textContent, null, { timeout: TIMEOUT });
    const report = await page.textContent('#import-status');
    assert.match(report, /Imported: 1 added/, report);
    assert.match(report, /One reference was not kept: its purpose \(compare with a person who agreed\) is not one you agreed to/, report);
    assert.deepEqual((await myData(page)).map((r) => r.label), ['Me']);
    const found = await checkPhoto(page, 'person_b_2.jpg', null);
    assert.doesNotMatch(found.text, /Jacinda/, 'identification compared with a reference outside the consent');

    // "Your consent": each purpose alone, one confirmation each way.
    await goTo(page, 'data');
    const state = () => page.$$eval('#purpose-list li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.purpose, li.dataset.given === 'true'])));
    assert.deepEqual(await state(), { verifyItIsMe: true, compareWithConsentingPerson: false, learn: false });
    await page.click('#purpose-list li[data-purpose="learn"] button');
    assert.match(await dialogText(page), /You agree that facegate, on this device only, may: Show me, for learning/);
    await page.click('#confirm-dialog-yes');
    assert.deepEqual(await state(), { verifyItIsMe: true, compareWithConsentingPerson: false, learn: true });
    await goTo(page, 'teach');
    assert.equal(await page.isVisible('#teach-live'), true, 'the learning purpose added: the teaching steps are open');
    await goTo(page, 'data');
    await page.click('#purpose-list li[data-purpose="compareWithConsentingPerson"] button');
    await page.click('#confirm-dialog-yes');
    await goTo(page, 'references');
    await page.setInputFiles('#file-reference', fixtureFile('person_b_1.jpg'));
    await page.waitForSelector('#reference-form:not([hidden])', { timeout: TIMEOUT });
    assert.equal(await page.isDisabled('input[name="subject"][value="other"]'), false, 'a person who agreed can now be added');
    await page.click('#reference-cancel');

    // Withdraw "learning" alone: the references stay, the teaching steps close.
    await goTo(page, 'data');
    await page.click('#purpose-list li[data-purpose="learn"] button');
    assert.match(await dialogText(page), /References kept for "learn how face matching works": 0/);
    await page.click('#confirm-dialog-yes');
    assert.deepEqual(await state(), { verifyItIsMe: true, compareWithConsentingPerson: true, learn: false });
    assert.deepEqual((await myData(page)).map((r) => r.label), ['Me']);
    await goTo(page, 'teach');
    assert.equal(await page.isVisible('#teach-live'), false);
    assert.match(await page.textContent('#teach-needs-consent'), /agree to the learning purpose in My data/);
    // Withdraw "check it is me": its reference is erased with it, the other purpose stays.
    await goTo(page, 'data');
    await page.click('#purpose-list li[data-purpose="verifyItIsMe"] button');
    assert.match(await dialogText(page), /: 1\. They are erased at once/);
    await page.click('#confirm-dialog-yes');
    await page.waitForFunction(() => document.querySelector('#purpose-list li[data-purpose="verifyItIsMe"]').dataset.given === 'false');
    assert.deepEqual(await myData(page), []);
    // The last purpose: withdrawing it is erasing everything.
    await page.click('#purpose-list li[data-purpose="compareWithConsentingPerson"] button');
    assert.match(await dialogText(page), /only purpose you agreed to: withdrawing it erases everything/);
    await page.click('#confirm-dialog-yes');
    await page.waitForSelector('#screen-consent:not([hidden])');
    assert.equal(await page.isHidden('#tabs'), true);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TM-6 going back or refusing after Continue stops the engine\'s download and its worker, and keeps none of it', async () => {
  const context = await env.browser.newContext();
  const { page, workers } = await openPage(context);
  try {
    await page.goto(`${env.bare.origin}/`);
    await waitInPage(page, () => document.body?.dataset.ready === 'true');
    env.slow = true;
    const wireStart = env.bare.wire.length;
    await page.check('#purpose-self');
    await page.check('#consent-affirm');
    await page.click('#consent-continue');
    // The download is under way: some bytes of the engine went out.
    const engineOnWire = () => env.bare.wire.slice(wireStart).filter((w) => /\/pkg\/.*\.(wasm|onnx)$/.test(w.path));
    for (let i = 0; i < 200 && !engineOnWire().some((w) => w.sent > 500_000); i += 1) await page.waitForTimeout(50);
    assert.ok(engineOnWire().length >= 3, `the download did not start: ${JSON.stringify(engineOnWire())}`);
    await page.click('#confirm-back');
    await page.click('#consent-refuse');
    await waitInPage(page, () => document.body?.dataset.engine === 'idle', undefined, 20_000);
    const unfinished = engineOnWire().filter((w) => w.sent < w.bytes);
    assert.ok(unfinished.length >= 2, `the large files were still coming: ${JSON.stringify(engineOnWire())}`);
    // Each connection still coming must be cut off: the server sees it close within seconds
    // (polled for up to 10 s: the close can reach it late on a busy machine; a download that
    // goes on instead is refused below, by its bytes).
    const coming = () => engineOnWire().filter((w) => w.sent < w.bytes && !w.aborted);
    for (let i = 0; i < 200 && coming().length > 0; i += 1) await page.waitForTimeout(50);
    const engine = engineOnWire();
    assert.deepEqual(coming(), [], `every engine file still coming was cut off: ${JSON.stringify(engine)}`);
    const sent = engine.reduce((n, w) => n + w.sent, 0);
    assert.ok(sent < 0.5 * engine.reduce((n, w) => n + w.bytes, 0), `most of the engine was downloaded anyway: ${sent} bytes`);
    assert.equal(page.workers().filter((w) => w.url().endsWith('/js/facegate-worker.js')).length, 0, 'the facegate worker still runs');
    assert.ok(workers.some((u) => u.endsWith('/js/facegate-worker.js')), 'the worker had started');
    const cached = await page.evaluate(async () => (await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)))).flat());
    assert.deepEqual(cached.filter((p) => /\.(wasm|onnx)$|facegate-worker\.js$/.test(p)), [], 'engine files kept in the offline copy');
    assert.doesNotMatch(await page.textContent('#engine-state'), /ready|loading/);
    // Changing one's mind later works: the download starts again and completes.
    env.slow = false;
    await page.click('#teach-back');
    await page.check('#purpose-self');
    await page.check('#consent-affirm');
    await page.click('#consent-continue');
    await waitInPage(page, () => document.body?.dataset.engine === 'ready');
    await page.click('#confirm-yes');
    await page.waitForSelector('#tabs:not([hidden])');
  } finally {
    env.slow = false;
    await context.close();
  }
});

test('identification states its error rate for N references; no "-0.000", plurals, the counter named on a phone, in English and French', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { viewport: { width: 390, height: 844 } });
  try {
    // The counter says what it counts, on a phone too.
    for (const [lang, word] of [['en', 'requests'], ['fr', 'requêtes']]) {
      await page.selectOption('#language', lang);
      assert.equal((await page.innerText('.netmeter-short')).trim(), word);
      assert.equal(await page.isVisible('.netmeter-short'), true);
      await screenshot(page, `header-phone-${lang}`, { fullPage: false });
    }
    await page.selectOption('#language', 'en');
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.equal(await page.isVisible('.netmeter-short'), false, 'on a wide screen the full name shows instead');

    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
    const found = await checkPhoto(page, 'person_a_2.jpg', null);
    assert.match(found.text, /With 2 references, the chances of a wrong match add up: .* about 2 times in 1,000 \(1 in 1,000 for each reference, at this threshold\)/, found.text);
    const none = await checkPhoto(page, 'impostor_1.jpg', null);
    await page.selectOption('#language', 'fr');
    const fr = await page.innerText('#check-result');
    assert.match(fr, /Avec 2 références, les risques d'erreur s'additionnent : .* environ 2 fois sur 1[\u202f\u00a0 ]000 \(1 sur 1[\u202f\u00a0 ]000 pour chaque référence/, fr);
    if (!none.best) assert.match(fr, /Aucune de vos références ne semble être la même personne/);
    assert.doesNotMatch(fr, /n'est probablement/);

    const words = await page.evaluate(async () => {
      const { fixed, setLanguage, t } = await import('./js/i18n.js');
      setLanguage('en');
      const out = { zero: fixed(-0.0004, 3), negative: fixed(-0.0123, 3) };
      for (const lang of ['fr', 'en']) {
        setLanguage(lang);
        out[lang] = [t('teachStep1', { n: '1' }), t('teachStep1', { n: '2' })].map((s) => s.split(/\. |:/)[1]);
      }
      return out;
    });
    assert.equal(words.zero, '0.000');
    assert.equal(words.negative, '-0.012');
    assert.deepEqual(words.fr, [' le détecteur a trouvé un visage', ' le détecteur a trouvé 2 visages']);
    assert.deepEqual(words.en, [' the detector found one face', ' the detector found 2 faces']);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
