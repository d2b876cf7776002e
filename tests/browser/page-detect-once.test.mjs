// One user action decodes and detects once (issue 15, item 5): the page detects a photo to show
// its faces with `keep: true`, and the check, the enrolment and the teaching view that follow use
// that kept detection (`{ detection }`) instead of sending the photo through the detector again.
// The worker counts its detector passes (`stats`, FaceGateCore.detectionsRun); these tests read
// the count around each action. The same check with the kept detection refused (the page then
// falls back to its bitmap, as before this change) makes two: the count can tell them apart.
// Also prints the time one check saves (ms, median of alternating rounds), a figure, not a gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { openApp, pageEnvironment, giveConsent, goTo, addReference, checkPhoto, fixtureFile, TIMEOUT } from './page-helpers.mjs';

const env = pageEnvironment();

/** From now on, remembers the facegate worker the page posts to (window.__fgWorker). */
function captureWorker(page) {
  return page.evaluate(() => {
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message && typeof message.method === 'string' && message.method !== 'stats') window.__fgWorker = this;
      // With window.__refuseKeep, detect is asked not to keep: the page's path before this change.
      if (window.__refuseKeep && message?.method === 'detect') message = { ...message, args: [message.args[0], { keep: false }] };
      return post.call(this, message, ...rest);
    };
  });
}

/** The worker's detector passes so far (after every call queued before this one). */
function detections(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const worker = window.__fgWorker;
    if (!worker) return reject(new Error('no facegate worker seen yet'));
    const id = `stats-${Math.random()}`;
    const listener = (event) => {
      if (event.data?.id !== id) return;
      worker.removeEventListener('message', listener);
      if (event.data.ok) resolve(event.data.result.detections);
      else reject(new Error(event.data.error?.message));
    };
    worker.addEventListener('message', listener);
    worker.postMessage({ id, method: 'stats', args: [] });
  }));
}

/** The image-taking methods the page sent the worker since `from` (index in window.__workerCalls). */
function callsSince(page, from) {
  const imageMethods = ['detect', 'enroll', 'verify', 'identify', 'explain'];
  return page.evaluate(([n, methods]) => window.__workerCalls.slice(n).filter((m) => methods.includes(m)), [from, imageMethods]);
}

const callCount = (page) => page.evaluate(() => window.__workerCalls.length);

test('a check, an enrolment and a teaching view each detect their photo once in the worker', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await captureWorker(page);
    await giveConsent(page);

    // Enrolment: the photo is detected to show its faces; enroll uses that detection.
    let calls = await callCount(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    const afterEnrol = await detections(page);
    assert.equal(afterEnrol, 1, `one enrolment, one detection (calls: ${await callsSince(page, calls)})`);

    // A check (verify): one detection, and the answer is right.
    calls = await callCount(page);
    const same = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(same.outcome, 'same', `A vs A: ${same.text ?? same.error}`);
    const afterCheck = await detections(page);
    assert.deepEqual(await callsSince(page, calls), ['detect', 'verify']);
    assert.equal(afterCheck - afterEnrol, 1, 'one check, one detection');

    // The same check where the detection is not kept (the page's path before): two.
    await page.evaluate(() => { window.__refuseKeep = true; });
    const again = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    await page.evaluate(() => { window.__refuseKeep = false; });
    assert.equal(again.outcome, 'same');
    const afterOld = await detections(page);
    assert.equal(afterOld - afterCheck, 2, 'detecting again in verify is counted: the count can fail');

    // Identify: one detection too. (Switching the mode first compares the photo on screen again,
    // an action of its own: wait for it before counting.)
    await page.check('input[name="check-mode"][value="identify"]');
    await page.waitForFunction(() => document.getElementById('check-result').dataset.kind === 'identify' && !document.getElementById('check-result').hidden, null, { timeout: TIMEOUT });
    const beforeIdentify = await detections(page);
    const who = await checkPhoto(page, 'person_a_2.jpg', null);
    assert.ok(who.best, `identify picks Alice: ${who.text ?? who.error}`);
    const afterIdentify = await detections(page);
    assert.equal(afterIdentify - beforeIdentify, 1, 'one identification, one detection');

    // The teaching view: two photos, explained and compared: one detection each.
    await goTo(page, 'teach');
    await page.setInputFiles('#file-teach-a', fixtureFile('person_a_1.jpg'));
    await page.setInputFiles('#file-teach-b', fixtureFile('person_a_2.jpg'));
    await page.waitForSelector('#teach-cosine-value', { timeout: TIMEOUT });
    assert.equal(await page.getAttribute('#teach-cosine .verdict', 'data-outcome'), 'same');
    const afterTeach = await detections(page);
    assert.equal(afterTeach - afterIdentify, 2, 'two photos explained, two detections');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('a kept detection serves one call: the next comparison of the same photo falls back to the photo, correctly', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin);
  try {
    await captureWorker(page);
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
    const first = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
    assert.equal(first.outcome, 'same');
    const before = await detections(page);
    // Choosing another reference compares the same photo again: its detection was used, so the
    // page sends the photo (one detection), and the answer is still right.
    await page.evaluate(() => { document.getElementById('check-result').hidden = true; });
    await page.selectOption('#check-reference', { label: 'Bob' });
    await page.waitForFunction(() => !document.getElementById('check-result').hidden, null, { timeout: TIMEOUT });
    assert.equal(await page.getAttribute('#check-result .verdict', 'data-outcome'), 'different');
    assert.equal((await detections(page)) - before, 1);
    // A handle that is not kept is refused with a typed error, whose message is translated.
    const code = await page.evaluate(() => new Promise((resolve) => {
      const worker = window.__fgWorker;
      const id = `probe-${Math.random()}`;
      const listener = (event) => {
        if (event.data?.id !== id) return;
        worker.removeEventListener('message', listener);
        resolve(event.data.ok ? 'ok' : event.data.error.code);
      };
      worker.addEventListener('message', listener);
      worker.postMessage({ id, method: 'verify', args: [{ detection: '0123456789abcdef' }, { referenceId: '0000000000000001' }] });
    }));
    assert.equal(code, 'unknownDetection');
    const messages = await page.evaluate(async () => {
      const [en, fr] = await Promise.all([import('./i18n/en.js'), import('./i18n/fr.js')]);
      return [en.default.error_unknownDetection, fr.default.error_unknownDetection];
    });
    assert.ok(messages[0] && messages[1] && messages[0] !== messages[1], `English and French messages: ${messages}`);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('figure: the time one check saves by detecting once (ms, browser; printed, not asserted)', async () => {
  const { page, context } = await openApp(env.browser, env.site.origin);
  try {
    await captureWorker(page);
    await giveConsent(page);
    await addReference(page, 'person_a_1.jpg', 'Alice');
    await checkPhoto(page, 'person_a_2.jpg', 'Alice'); // warm
    const rounds = Number(process.env.DETECT_ONCE_ROUNDS ?? 5);
    const times = { once: [], twice: [] };
    for (let i = 0; i < rounds; i += 1) {
      for (const mode of i % 2 ? ['twice', 'once'] : ['once', 'twice']) {
        await page.evaluate((refuse) => { window.__refuseKeep = refuse; }, mode === 'twice');
        const t0 = performance.now();
        const r = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
        times[mode].push(performance.now() - t0);
        assert.equal(r.outcome, 'same');
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const where = await page.evaluate(() => `crossOriginIsolated ${self.crossOriginIsolated}, ${navigator.hardwareConcurrency} cores`);
    console.log(`detect-once figure (${rounds} rounds, Chromium, ${where}): one check median ${median(times.once).toFixed(0)} ms `
      + `detecting once vs ${median(times.twice).toFixed(0)} ms detecting twice: saves ${(median(times.twice) - median(times.once)).toFixed(0)} ms`);
  } finally {
    await context.close();
  }
});
