// The camera under control, with Chromium's fake camera (a real getUserMedia, a real stream):
// every stream the page ever opened is recorded, and after leaving the screen, hiding the tab,
// leaving the page, a double click then "Turn the camera off", a stream that arrives after its
// screen was left, and a snapshot, zero tracks are live. Claims: docs/privacy/threat-model.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { openPage } from './helpers.mjs';
import { giveConsent, goTo, serveWww, waitReady } from './page-helpers.mjs';
import { launchWithFakeCamera } from './privacy-helpers.mjs';

const env = { site: null, browser: null };

before(async () => {
  env.site = await serveWww();
  env.browser = await launchWithFakeCamera();
});

after(async () => {
  await env.browser?.close();
  await env.site?.close();
});

/** Before any page script: record every stream getUserMedia returns; `__cameraDelay` ms makes
 *  the stream arrive late, as it does while a permission prompt waits for the user. */
function recordStreams() {
  window.__streams = [];
  window.__cameraDelay = 0;
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await real(constraints);
    window.__streams.push(stream);
    if (window.__cameraDelay) await new Promise((r) => setTimeout(r, window.__cameraDelay));
    return stream;
  };
}

async function openWithCamera() {
  const context = await env.browser.newContext();
  const opened = await openPage(context);
  await opened.page.addInitScript(recordStreams);
  await opened.page.goto(`${env.site.origin}/`);
  await waitReady(opened);
  await giveConsent(opened.page, ['self']);
  await goTo(opened.page, 'references');
  return opened;
}

const tracks = (page) => page.evaluate(() => ({
  opened: window.__streams.length,
  live: window.__streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length,
}));

async function cameraOn(page) {
  await page.click('#camera-reference');
  await page.waitForSelector('#snap-reference:visible');
  assert.deepEqual(await tracks(page), { opened: 1, live: 1 }, 'the camera is on');
}

async function waitNoLiveTrack(page, what) {
  await page.waitForFunction(() => window.__streams.flatMap((s) => s.getTracks()).every((t) => t.readyState === 'ended'), null, { timeout: 5000 })
    .catch(async () => assert.fail(`${what}: live tracks remain: ${JSON.stringify(await tracks(page))}`));
}

test('TM-7 leaving the camera\'s screen stops it, and its controls say so', async () => {
  const { page, context, pageErrors } = await openWithCamera();
  try {
    await cameraOn(page);
    await goTo(page, 'check');
    await waitNoLiveTrack(page, 'after leaving the screen');
    await goTo(page, 'references');
    assert.equal(await page.isVisible('#camera-reference'), true, '"Use the camera" is offered again');
    assert.equal(await page.isHidden('#snap-reference'), true);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('TM-7 hiding the tab or leaving the page stops the camera', async () => {
  const { page, context } = await openWithCamera();
  try {
    await cameraOn(page);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitNoLiveTrack(page, 'after the tab was hidden');
    await page.evaluate(() => {
      delete document.visibilityState;
    });
    assert.equal(await page.evaluate(() => document.visibilityState), 'visible');
    await page.click('#camera-reference');
    await page.waitForSelector('#snap-reference:visible');
    assert.equal((await tracks(page)).live, 1);
    await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
    await waitNoLiveTrack(page, 'after pagehide');
  } finally {
    await context.close();
  }
});

test('TM-7 a double click while permission is pending opens one stream, and "Turn the camera off" stops it', async () => {
  const { page, context } = await openWithCamera();
  try {
    await page.evaluate(() => {
      window.__cameraDelay = 600;
    });
    await page.dblclick('#camera-reference');
    assert.equal(await page.isDisabled('#camera-reference'), true, 'the start button is disabled while permission is pending');
    await page.waitForSelector('#snap-reference:visible');
    await page.waitForTimeout(800);
    assert.deepEqual(await tracks(page), { opened: 1, live: 1 }, 'one stream for two clicks');
    await page.click('.photo-source[data-for="reference"] .camera-stop');
    await waitNoLiveTrack(page, 'after "Turn the camera off"');
  } finally {
    await context.close();
  }
});

test('TM-7 a stream that arrives after its screen was left is stopped at once; a snapshot stops the camera', async () => {
  const { page, context } = await openWithCamera();
  try {
    await page.evaluate(() => {
      window.__cameraDelay = 800;
    });
    await page.click('#camera-reference');
    await goTo(page, 'check');
    await page.waitForFunction(() => window.__streams.length === 1, null, { timeout: 5000 });
    await page.waitForTimeout(1200);
    await waitNoLiveTrack(page, 'a late stream after the screen was left');
    await goTo(page, 'references');
    assert.equal(await page.isEnabled('#camera-reference'), true);
    assert.equal(await page.textContent('#reference-error'), '', 'a cancelled start is not an error');
    await page.evaluate(() => {
      window.__cameraDelay = 0;
    });
    await page.click('#camera-reference');
    await page.waitForSelector('#snap-reference:visible');
    await page.click('#snap-reference');
    await waitNoLiveTrack(page, 'after the snapshot');
  } finally {
    await context.close();
  }
});
