// Every screen of the real page at phone (390x844) and desktop (1280x900) width, in English and
// French: on a phone the header takes at most 15 % of the height and no screen is wider than
// the viewport (nothing scrolls sideways), and a screenshot of each screen in each size and
// language is saved to out/screenshots/screens/ (look at them: they are the UI's review).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  openApp, pageEnvironment, screenshot, giveConsent, goTo, addReference, checkPhoto, fixtureFile, twoPeoplePng, TIMEOUT,
} from './page-helpers.mjs';

const env = pageEnvironment();
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const SIZES = { phone: PHONE, desktop: DESKTOP };
const LANGUAGES = ['en', 'fr'];

/** What overflows sideways on the current screen: the page's extra width and the widest culprits. */
function overflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const extra = root.scrollWidth - root.clientWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => el.offsetParent !== null || el.tagName === 'DIALOG')
      .filter((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= root.clientWidth + 0.5) return false;
        // Inside a box that scrolls sideways on purpose (wide tables) or clips: not an overflow.
        for (let p = el.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return false;
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`);
    return { extra, culprits };
  });
}

/**
 * Visits each screen with content on it (a chosen photo, a result, references, the teaching
 * steps), calling `visit(name)` on each; `open(name)` shows it again.
 */
async function tour(page, visit) {
  await visit('consent');
  await page.check('#purpose-self');
  await page.check('#consent-affirm');
  await page.click('#consent-continue');
  await visit('confirm');
  await page.click('#confirm-back');
  await page.uncheck('#purpose-self');
  await page.uncheck('#consent-affirm');
  await giveConsent(page);
  await addReference(page, 'person_a_1.jpg', 'Alice');
  await addReference(page, 'person_b_1.jpg', 'Bob', { other: 'Bob' });
  // A group photo, a face chosen, the form filled in: the reference screen at its fullest.
  await goTo(page, 'references');
  await page.setInputFiles('#file-reference', await twoPeoplePng(page, 'obama.jpg', 'person_a_2.jpg'));
  await page.click('#reference-face-buttons [data-face]', { timeout: TIMEOUT });
  await page.fill('#reference-label', 'Barack');
  await visit('references');
  await page.click('#reference-cancel');
  const verified = await checkPhoto(page, 'person_a_2.jpg', 'Alice');
  assert.equal(verified.outcome, 'same', verified.text ?? verified.error);
  await visit('check');
  const found = await checkPhoto(page, 'person_a_2.jpg', null);
  assert.ok(found.best, found.text ?? found.error);
  await visit('check-all');
  await goTo(page, 'data');
  await visit('data');
  await goTo(page, 'teach');
  await page.setInputFiles('#file-teach-a', fixtureFile('person_a_1.jpg'));
  await page.setInputFiles('#file-teach-b', fixtureFile('person_a_2.jpg'));
  await page.waitForSelector('#teach-cosine-value', { timeout: TIMEOUT });
  await visit('teach');
  await page.click('#erase-all');
  await page.waitForSelector('#confirm-dialog[open]');
  await visit('erase-confirm');
  await page.click('#confirm-dialog-no');
}

test('phone and desktop, English and French: a short header, nothing wider than the screen, a screenshot of every screen', async () => {
  const { page, context, pageErrors } = await openApp(env.browser, env.site.origin, { viewport: PHONE });
  const problems = [];
  const shots = [];
  try {
    await tour(page, async (name) => {
      for (const lang of LANGUAGES) {
        await page.selectOption('#language', lang);
        for (const [size, viewport] of Object.entries(SIZES)) {
          await page.setViewportSize(viewport);
          // Let layout, the curve's redraw and the result card settle at this size.
          await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
          if (size === 'phone') {
            const header = await page.evaluate(() => document.querySelector('.top').getBoundingClientRect().height);
            if (header > 0.15 * viewport.height) problems.push(`${name} ${lang}: the header is ${Math.round(header)} px high (> 15 % of ${viewport.height})`);
            const o = await overflow(page);
            if (o.extra > 0 || o.culprits.length) problems.push(`${name} ${lang}: ${o.extra} px wider than the screen: ${o.culprits.join(', ')}`);
          }
          const dialog = name === 'erase-confirm';
          shots.push(await screenshot(page, `screens/${name}-${size}-${lang}`, { fullPage: !dialog }));
        }
      }
      await page.selectOption('#language', 'en');
      await page.setViewportSize(PHONE);
    });
    assert.deepEqual(problems, []);
    assert.equal(shots.length, 8 * 2 * 2);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});
