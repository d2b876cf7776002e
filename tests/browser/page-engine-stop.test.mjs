// When the engine stops on the page (a trap inside it; once seen in WebKitGTK, where it used to
// leave every later action failing with "recursive use of an object"): the visitor sees a plain
// sentence where the result would be, the reference the stopped engine held is gone from every
// list, and the next check works. The page runs from a copy of www/ whose facegate worker also
// carries a test trap, armed from the page over a BroadcastChannel (the first worker only): its
// first verify throws a WebAssembly RuntimeError, as a trap inside the engine does
// (package-engine-stop makes real ones; here what counts is what the visitor sees). Screens at
// desktop width in English and phone width in French (out/screenshots/engine-stop/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { assertOnlyLocalRequests, launchBrowser, makeTempDir, removeDir, serveDir } from './helpers.mjs';
import { WWW, addReference, checkPhoto, ensurePageBuilt, giveConsent, goTo, myData, openApp, screenshot } from './page-helpers.mjs';
import EN from '../../www/i18n/en.js';
import FR from '../../www/i18n/fr.js';

const TRAP = `
// A test trap (tests/browser/page-engine-stop.test.mjs): armed by the page, the first verify throws.
import { FaceGateCore as SingleCore } from '../pkg/wasm/facegate.js';

const trap = new BroadcastChannel('facegate-test-trap');
let armed = false;
trap.onmessage = ({ data }) => { if (data === 'arm') armed = true; };
trap.postMessage('hello');
function withTrap(Core) {
  const verify = Core.prototype.verify;
  Core.prototype.verify = function (...args) {
    if (!armed) return verify.apply(this, args);
    armed = false;
    throw new WebAssembly.RuntimeError('unreachable (a test trap)');
  };
}
withTrap(SingleCore);
import('../pkg/wasm/threads/facegate.js').then((m) => withTrap(m.FaceGateCore), () => {});
`;

let dir;
let site;
let browser;

before(async () => {
  ensurePageBuilt();
  dir = makeTempDir('page-engine-stop');
  // The page's files as built, without their precompressed copies (the worker below changes).
  cpSync(WWW, dir, { recursive: true, filter: (src) => !/\.(br|gz)$/.test(src) });
  const worker = join(dir, 'js/facegate-worker.js');
  writeFileSync(worker, readFileSync(worker, 'utf8') + TRAP);
  site = await serveDir(dir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  removeDir(dir);
});

test('the engine stops during a check: a plain sentence, the reference gone from every list, and the next check works', async () => {
  const { page, context, pageErrors, consoleLines, requests } = await openApp(browser, site.origin, { viewport: { width: 1280, height: 900 } });
  try {
    // The first facegate worker is armed as soon as it says hello (after the consent).
    await page.evaluate(() => {
      const channel = new BroadcastChannel('facegate-test-trap');
      let hellos = 0;
      channel.onmessage = ({ data }) => {
        if (data === 'hello' && ++hellos === 1) channel.postMessage('arm');
      };
      window.__trapChannel = channel;
    });
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');

    const requestsBefore = requests.length;
    const stopped = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(stopped.error, EN.error_engineRestarted, `the check should say the engine stopped: ${JSON.stringify(stopped)}`);
    await page.waitForFunction(() => document.body.dataset.engineRestarts === '1', null, { timeout: 60_000 });
    // The reference went with the stopped engine: no list offers it any more.
    await page.waitForFunction(() => document.getElementById('check-reference').options.length === 0, null, { timeout: 30_000 });
    assert.equal(await page.textContent('#check-error'), EN.error_engineRestarted, 'the sentence stays after the lists refresh');
    await screenshot(page, 'engine-stop/check-desktop-en');
    assert.deepEqual(await myData(page), [], 'My data lists nothing');
    // The new worker loads its own script files again (from the cache or the service worker, as
    // the page's counter shows); the wasm and the models were handed over, not fetched.
    const restartRequests = requests.slice(requestsBefore).map(({ url }) => new URL(url).pathname);
    assertOnlyLocalRequests(requests, 'during the visit');
    assert.deepEqual(restartRequests.filter((p) => !p.endsWith('.js')), [], 'the restart fetched only script files');
    console.error(`page-engine-stop: the restart loaded ${restartRequests.length} script files: ${[...new Set(restartRequests)].join(' ')}`);
    assert.ok(consoleLines.some((l) => /engine stopped \(RuntimeError: unreachable \(a test trap\)\)/.test(l)), 'the cause is in the console');

    // A phone, in French: the sentence follows the language.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.selectOption('#language', 'fr');
    await goTo(page, 'check');
    assert.equal(await page.textContent('#check-error'), FR.error_engineRestarted);
    await screenshot(page, 'engine-stop/check-phone-fr');
    await page.selectOption('#language', 'en');

    // The visitor adds the reference again; the check works, on the new engine.
    await addReference(page, 'person_a_1.jpg', 'Alice');
    const again = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(again.outcome, 'same', JSON.stringify(again));
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
