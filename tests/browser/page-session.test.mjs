// A visit's life on the page: it ends when the visitor leaves (the back/forward cache gives
// nothing back), Erase everything leaves no name on the page, a reload that bypassed the service
// worker or a visit offline is neither a long wait nor a false explanation, the consent boxes
// wait until the page's protections are settled, each blocked request is counted once, the
// offline copy's size is what is stored, and the forms ask the browser to remember nothing.
// Chromium runs with its back/forward cache ON (Playwright turns it off by default).
// Claims: docs/privacy/threat-model.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, openPage } from './helpers.mjs';
import { TIMEOUT, WWW, addReference, checkPhoto, eraseEverything, fixtureFile, giveConsent, goTo, openApp, serveWww } from './page-helpers.mjs';
import { serveBare, serveOtherOrigin, waitInPage } from './privacy-helpers.mjs';

const env = { site: null, bare: null, other: null, browser: null };
before(async () => {
  env.site = await serveWww();
  env.bare = await serveBare(WWW);
  env.other = await serveOtherOrigin({ '/elsewhere.html': '<!doctype html><title>elsewhere</title><p>another site</p>' });
  env.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
});
after(async () => {
  await env.browser?.close();
  await env.site?.close();
  await env.bare?.close();
  await env.other?.close();
});

/** Everything of the page a person could read: the markup (with attributes), form values, and
 *  the texts of options and dialogs. */
function pageText(page) {
  return page.evaluate(() => [
    document.documentElement.outerHTML,
    ...[...document.querySelectorAll('input, select, textarea')].map((e) => e.value),
    ...[...document.querySelectorAll('option')].map((o) => `${o.text} ${o.value}`),
  ].join('\n'));
}

test('TM-9 leaving the page ends the visit: with the back/forward cache on, Back brings nothing back', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.enable');
    const navigations = [];
    cdp.on('Page.frameNavigated', ({ frame, type }) => {
      if (!frame.parentId) navigations.push(type);
    });
    const notCached = [];
    cdp.on('Page.backForwardCacheNotUsed', (e) => notCached.push(e));
    await giveConsent(page, ['self']);
    await goTo(page, 'references'); await page.setInputFiles('#file-reference', fixtureFile('person_a_1.jpg')); await page.waitForTimeout(8000); console.log('DEBUG', await page.textContent('#reference-error'), await page.textContent('#engine-state'), await page.evaluate(() => document.body.dataset.engine));
    await addReference(page, 'person_a_1.jpg', 'BackTest-LABEL');
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    await page.goto(`${env.other.origin}/elsewhere.html`);
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForTimeout(1000);
    await waitInPage(page, () => document.body?.dataset.ready === 'true', undefined, 30_000);
    assert.ok(navigations.includes('BackForwardCacheRestore'), `the page never went through the back/forward cache (the test would prove nothing): ${JSON.stringify({ navigations, notCached })}`);
    assert.equal(await page.evaluate(() => window.__sameDocument ?? null), null, 'the same document came back');
    assert.doesNotMatch(await pageText(page), /BackTest-LABEL/, 'the reference is shown again after Back');
    assert.equal(await page.isVisible('#screen-consent'), true, 'Back must start afresh, at the consent screen');
    assert.equal(await page.isHidden('#tabs'), true);
    assert.deepEqual(pageErrors.filter((e) => !/disposed/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('TM-10 Erase everything leaves no label, name, file name or passphrase anywhere on the page', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    const secrets = ['Alice-LABEL', 'Bob-LABEL', 'Bob-NAME', 'Zoe-Holiday', 'secret-PASSPHRASE'];
    await giveConsent(page);
    await addReference(page, { ...fixtureFile('person_a_1.jpg'), name: 'Zoe-Holiday-photo.jpg' }, 'Alice-LABEL');
    await addReference(page, 'person_b_1.jpg', 'Bob-LABEL', { other: 'Bob-NAME' });
    await checkPhoto(page, 'person_b_2.jpg', 'Bob-LABEL');
    await checkPhoto(page, { ...fixtureFile('person_a_2.jpg'), name: 'Zoe-Holiday-2.jpg' }, null);
    await goTo(page, 'data');
    await page.click('#data-table .withdraw');
    await page.waitForSelector('#confirm-dialog[open]');
    await page.click('#confirm-dialog-no');
    await page.fill('#export-passphrase', 'secret-PASSPHRASE');
    await page.fill('#export-passphrase2', 'secret-PASSPHRASE');
    await Promise.all([page.waitForEvent('download'), page.click('#export-button')]);
    await page.fill('#import-passphrase', 'secret-PASSPHRASE');
    const before = await pageText(page);
    for (const s of secrets.slice(0, 4)) assert.match(before, new RegExp(s), `the test did not show ${s}: it would prove nothing`);
    await eraseEverything(page);
    const text = await pageText(page);
    assert.deepEqual(secrets.filter((s) => text.includes(s)), [], 'left on the page after Erase everything');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('TM-5 each blocked attempt counts once: two policies report it twice, and a blocked image leaves a timing entry', async () => {
  const { page, context } = await openApp(env.browser, env.site.origin);
  try {
    await page.check('#purpose-learn');
    await page.check('#consent-affirm');
    await page.click('#consent-continue');
    await page.waitForFunction(() => document.body?.dataset.engine === 'ready', null, { timeout: TIMEOUT });
    const target = env.other.origin;
    const hitsBefore = env.other.hits.length;
    await page.evaluate(async (url) => {
      const attempt = (u) => fetch(u, { mode: 'no-cors' }).catch(() => 'blocked');
      await attempt(`${url}/twice`);
      await attempt(`${url}/twice`);
      await new Promise((ok) => {
        const img = new Image();
        img.onload = img.onerror = ok;
        img.src = `${url}/image.png`;
      });
    }, target);
    const worker = page.workers().find((w) => w.url().endsWith('/js/facegate-worker.js'));
    await worker.evaluate((url) => fetch(url).catch(() => 'blocked'), `${target}/from-the-worker`);
    await page.waitForTimeout(1500);
    const meter = await page.evaluate(() => {
      const out = document.getElementById('net-count');
      return { shown: out.textContent, requests: Number(out.dataset.requests), blocked: Number(out.dataset.blocked), title: document.getElementById('netmeter').title };
    });
    assert.deepEqual({ shown: meter.shown, requests: meter.requests, blocked: meter.blocked }, { shown: '4', requests: 0, blocked: 4 }, meter.title);
    assert.deepEqual(env.other.hits.slice(hitsBefore), [], 'nothing reached the other origin');
  } finally {
    await context.close();
  }
});

test('TM-1 a reload that bypassed the service worker, or a visit offline: no long wait, and the real reason in words', async () => {
  for (const [host, origin] of [['with headers', env.site.origin], ['with no header', env.bare.origin]]) {
    const { page, context } = await openPage(await env.browser.newContext());
    try {
      await page.goto(`${origin}/`);
      await waitInPage(page, () => document.body?.dataset.ready === 'true');
      await giveConsent(page, ['self']);
      await page.waitForFunction(() => document.body?.dataset.engine === 'ready', null, { timeout: TIMEOUT });
      // Shift+Reload: the page is not controlled by its service worker.
      const cdp = await context.newCDPSession(page);
      const started = Date.now();
      await cdp.send('Page.reload', { ignoreCache: true });
      await waitInPage(page, () => document.body?.dataset.ready === 'true', undefined, 30_000);
      const ms = Date.now() - started;
      const state = await page.evaluate(() => ({ policy: JSON.parse(document.body?.dataset.policy), engine: document.getElementById('engine-state').textContent, controlled: Boolean(navigator.serviceWorker.controller), isolated: crossOriginIsolated }));
      console.log(`hard reload, host ${host}: ready in ${ms} ms (${JSON.stringify(state.policy)})`);
      assert.ok(ms < 8_000, `${host}: ready ${ms} ms after a hard reload (the page waited for nothing)`);
      assert.deepEqual([state.policy.reason, state.controlled, state.isolated], ['covered', true, true], `${host}: ${JSON.stringify(state)}`);
      await giveConsent(page, ['self']);
      await page.waitForFunction(() => document.body?.dataset.engine === 'ready', null, { timeout: TIMEOUT });
    } finally {
      await context.close();
    }
  }

  // A visitor who never went past the consent screen, now offline: the engine was never
  // downloaded, and the page says so; back online, it comes.
  const { page, context } = await openPage(await env.browser.newContext());
  try {
    await page.goto(`${env.bare.origin}/`);
    await waitInPage(page, () => document.body?.dataset.ready === 'true');
    await page.click('#consent-refuse');
    await context.setOffline(true);
    await page.reload();
    await waitInPage(page, () => document.body?.dataset.ready === 'true', undefined, 30_000);
    const offline = await page.textContent('#engine-state');
    assert.match(offline, /engine not downloaded yet, and this device is offline/, offline);
    await page.check('#purpose-self');
    await page.check('#consent-affirm');
    await page.click('#consent-continue');
    assert.match(await page.textContent('#engine-pct'), /never downloaded on this device, and it is offline now/);
    assert.doesNotMatch(await page.textContent('body'), /private window|service workers are blocked/);
    await page.click('#confirm-back');
    await context.setOffline(false);
    await page.waitForFunction(() => /it starts when you continue/.test(document.getElementById('engine-state').textContent), null, { timeout: TIMEOUT });
    await page.click('#consent-continue');
    await page.waitForFunction(() => document.body?.dataset.engine === 'ready', null, { timeout: TIMEOUT });
  } finally {
    await context.close();
  }
});

test('the consent boxes wait, saying so, until the page\'s protections are settled (a first visit may reload once)', async () => {
  const { page, context } = await openPage(await env.browser.newContext());
  try {
    await page.goto(`${env.bare.origin}/`, { waitUntil: 'domcontentloaded' });
    const early = await page.evaluate(() => ({
      disabled: [...document.querySelectorAll('#screen-consent input[type=checkbox]')].map((b) => b.disabled),
      preparing: document.getElementById('consent-preparing').hidden === false && document.getElementById('consent-preparing').textContent,
      ready: document.body?.dataset.ready ?? null,
    }));
    assert.equal(early.ready, null, 'the page was ready at once: the test saw nothing');
    assert.deepEqual(early.disabled, [true, true, true, true], 'a box can be ticked before the page may reload');
    assert.match(early.preparing, /Preparing this page's protections/);
    await waitInPage(page, () => document.body?.dataset.ready === 'true');
    assert.deepEqual(await page.$$eval('#screen-consent input[type=checkbox]', (bs) => bs.map((b) => b.disabled)), [false, false, false, false]);
    assert.equal(await page.isHidden('#consent-preparing'), true);
  } finally {
    await context.close();
  }
});

test('DPIA-3 the offline copy\'s size in My data is what is stored, not what a compressing host sent', async () => {
  const { page, context } = await openApp(env.browser, env.site.origin);
  try {
    await giveConsent(page, ['self']);
    await page.waitForFunction(() => document.body?.dataset.engine === 'ready', null, { timeout: TIMEOUT });
    await goTo(page, 'data');
    await page.waitForFunction(() => /\d/.test(document.getElementById('offline-size').textContent), null, { timeout: 10_000 });
    const shown = await page.textContent('#offline-size');
    const paths = await page.evaluate(async () => (await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)))).flat());
    const bytes = paths.reduce((n, p) => n + statSync(join(WWW, p === '/' ? 'index.html' : p)).size, 0);
    const mb = (bytes / 1e6).toFixed(1);
    assert.ok(bytes > 20e6, `the engine is in the copy: ${bytes} bytes`);
    assert.match(shown, new RegExp(`${paths.length} files, ${mb.replace('.', '\\.')} MB`), `${shown} (stored: ${paths.length} files, ${mb} MB)`);
  } finally {
    await context.close();
  }
});

test('the forms ask the browser to remember nothing; the passphrase fields do not invite saving the passphrase', () => {
  const html = readFileSync(join(WWW, 'index.html'), 'utf8');
  const forms = [...html.matchAll(/<form\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(forms.length >= 3);
  assert.deepEqual(forms.filter((f) => !/autocomplete="off"/.test(f)), [], 'a form lets the browser autofill');
  const fields = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*>/g)].map((m) => m[0]).filter((f) => !/type="(?:checkbox|radio|file|range)"/.test(f));
  assert.ok(fields.length >= 8);
  assert.deepEqual(fields.filter((f) => !/autocomplete="off"/.test(f)), [], 'a field without autocomplete="off"');
  assert.doesNotMatch(html, /new-password|current-password/, 'a passphrase field invites a password manager');
});
