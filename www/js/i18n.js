// The page's two string sets, English and French, and how they are applied.
//
// Markup names its strings: `data-i18n="key"` sets the text, `data-i18n-attr="attr:key,attr:key"`
// sets attributes. Code calls `t('key', { name: value })`; `{name}` placeholders are filled in.
import en from '../i18n/en.js';
import fr from '../i18n/fr.js';

export const STRINGS = { en, fr };
let current = 'en';
const listeners = new Set();

/** The language to start in: French when the browser prefers it, else English. */
export function preferredLanguage() {
  const wanted = (navigator.languages ?? [navigator.language ?? 'en']).map((l) => String(l).slice(0, 2).toLowerCase());
  return wanted.find((l) => l in STRINGS) ?? 'en';
}

export function language() {
  return current;
}

/**
 * The string `key` in the current language, placeholders filled from `vars`: `{name}` is the
 * value; `{name|one|other}` is `one` or `other` by the language's plural rule for the number in
 * the value, with `#` standing for the value ("{n|one face|# faces}").
 */
export function t(key, vars = {}) {
  const s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)(?:\|([^|}]*)\|([^|}]*))?\}/g, (m, name, one, other) => {
    if (!(name in vars)) return m;
    const value = String(vars[name]);
    if (one === undefined) return value;
    const n = Number(value.replace(/[^\d.,-]/g, '').replace(',', '.'));
    return (new Intl.PluralRules(current).select(n) === 'one' ? one : other).replace('#', value);
  });
}

/** A number written the current language's way. */
export function num(value, options) {
  return new Intl.NumberFormat(current, options).format(value);
}

/** A date and time written the current language's way. */
export function dateTime(ms) {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** A number with exactly `digits` decimals (similarities, thresholds), written the current language's way. */
export function fixed(value, digits) {
  // A value that rounds to zero is written 0, never "-0.000".
  const shown = Math.abs(value) < 0.5 * 10 ** -digits ? 0 : value;
  return num(shown, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A percentage of `fraction` (0..1) with up to `digits` significant digits: "0.97%" / "0,97 %". */
export function percent(fraction, digits = 2) {
  return num(fraction, { style: 'percent', maximumSignificantDigits: digits });
}

/** A date (no time) written the current language's way. */
export function dateOnly(ms) {
  return new Intl.DateTimeFormat(current, { dateStyle: 'long' }).format(new Date(ms));
}

// Texts written by code (messages, reports) re-render after a language switch: `liveText(el, f)`
// sets `el.textContent = f()` now and after each switch; `liveText(el, null)` clears it.
const live = new Map();

/** Shows `render()` in `el`, again after every language switch; `render = null` empties `el`. */
export function liveText(el, render) {
  if (render) {
    live.set(el, render);
    el.textContent = render();
  } else {
    live.delete(el);
    el.textContent = '';
  }
}

/** Translates the marked elements under `root`. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/** Switches language, retranslates the page and tells the screens (which redraw their text). */
export function setLanguage(lang) {
  current = lang in STRINGS ? lang : 'en';
  document.documentElement.lang = current;
  applyTranslations();
  for (const [el, render] of live) el.textContent = render();
  for (const f of listeners) f(current);
}

/** Calls `f(lang)` after every language switch; returns a function that stops it. */
export function onLanguageChange(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}
