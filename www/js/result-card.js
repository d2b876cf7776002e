// The result of a comparison, in words first ("likely the same person" at a stated false-match
// rate; never "identified"), with a symbol and the similarity on a scaled bar against the
// threshold, so that colour is never the only signal. The heading names what was compared; the
// false-match rate is said once per card.
import { t, num, fixed } from './i18n.js';

/** "1 in 1,000" for a false-match rate of 0.001. */
export function oneIn(rate) {
  return t('oneIn', { n: num(Math.round(1 / rate)) });
}

/** The outcome of a match: 'same', 'different' or 'unsure' (facegate cannot tell). */
export function outcomeOf(m) {
  if (m.outcome === 'cannotTell') return 'unsure';
  return m.likelySamePerson ? 'same' : 'different';
}

const ICON = { same: '✓', different: '✗', unsure: '?' };
const WORDS = { same: 'likelySame', different: 'likelyDifferent', unsure: 'cannotTell' };

/** The heading of a decision: symbol + words. `outcome`: 'same' | 'different' | 'unsure' (or a boolean: same). */
export function verdict(outcome) {
  const o = typeof outcome === 'boolean' ? (outcome ? 'same' : 'different') : outcome;
  const p = document.createElement('p');
  p.className = `verdict ${o}`;
  const icon = document.createElement('span');
  icon.className = 'icon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = ICON[o];
  const words = document.createElement('strong');
  words.textContent = t(WORDS[o]);
  p.append(icon, words);
  p.dataset.outcome = o;
  return p;
}

/**
 * A bar showing `similarity` against `threshold` (cosine; drawn from 0 to 1), with its scale:
 * 0 and 1 at the ends and the threshold named at its mark.
 */
export function similarityBar(similarity, threshold) {
  const pct = (v) => `${(Math.max(0, Math.min(1, v)) * 100).toFixed(1)}%`;
  const wrap = document.createElement('div');
  wrap.className = 'bar-wrap';
  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', t('barLabel', { similarity: fixed(similarity, 3), threshold: fixed(threshold, 3) }));
  const fill = document.createElement('div');
  fill.className = similarity >= threshold ? 'fill above' : 'fill below';
  fill.style.width = pct(similarity);
  const mark = document.createElement('div');
  mark.className = 'mark';
  mark.style.left = pct(threshold);
  bar.append(fill, mark);
  const scale = document.createElement('div');
  scale.className = 'scale';
  scale.setAttribute('aria-hidden', 'true');
  const tick = (cls, text, at) => {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    if (at !== undefined) s.style.left = pct(at);
    return s;
  };
  scale.append(tick('min', num(0)), tick('at', t('thresholdAt', { threshold: fixed(threshold, 3) }), threshold), tick('max', num(1)));
  wrap.append(bar, scale);
  return wrap;
}

function para(className, text) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

/** Similarity and threshold in words, then the bar. */
function measure(m) {
  return [para('similarity', t('similarityLine', { similarity: fixed(m.similarity, 3), threshold: fixed(m.threshold, 3) })), similarityBar(m.similarity, m.threshold)];
}

/** Why facegate cannot tell, when it says so. */
function reason(m) {
  if (outcomeOf(m) !== 'unsure') return [];
  const key = `cannotTell_${m.reason}`;
  return [para('reason', t(key) === key ? t('cannotTellGeneric') : t(key))];
}

/** The card of a verification: `m` one MatchResult. */
export function verifyCard(m) {
  const h = document.createElement('h3');
  h.textContent = t('resultVerifyTitle', { label: m.label });
  const div = document.createElement('div');
  div.className = 'match';
  div.dataset.referenceId = m.referenceId;
  const unsure = outcomeOf(m) === 'unsure';
  div.append(verdict(outcomeOf(m)), ...reason(m), ...(unsure ? [] : measure(m)));
  // The false-match rate is a property of a decision: a photo facegate cannot judge gets none.
  return [h, div, ...(unsure ? [] : [para('rate', t('rateLine', { rate: oneIn(m.falseMatchRate) }))])];
}

/** The card of an identification: `found` an IdentifyResult. */
export function identifyCard(found) {
  const h = document.createElement('h3');
  h.textContent = t('resultIdentifyTitle', { n: num(found.candidates.length) });
  const best = para('best', found.best ? t('identifyBest', { label: found.best.label }) : t('identifyNone'));
  best.dataset.best = found.best?.referenceId ?? '';
  const list = document.createElement('ol');
  list.className = 'candidates';
  list.setAttribute('aria-label', t('candidatesLabel'));
  for (const m of found.candidates) {
    const li = document.createElement('li');
    li.className = 'candidate match';
    li.dataset.referenceId = m.referenceId;
    const name = document.createElement('h4');
    name.textContent = m.label;
    li.append(name, verdict(outcomeOf(m)), ...reason(m), ...(outcomeOf(m) === 'unsure' ? [] : measure(m)));
    list.append(li);
  }
  return [h, best, list, ...identifyRate(found.candidates)];
}

/**
 * The false-match rate of an identification, said honestly: each reference is one more chance
 * for a stranger to match, so with N references the chance that at least one wrongly matches is
 * 1 - (1 - rate)^N, about N times the rate of one comparison.
 */
function identifyRate(all) {
  // Only the comparisons that were decided can match wrongly (a photo facegate cannot judge
  // decides nothing).
  const candidates = all.filter((m) => outcomeOf(m) !== 'unsure');
  if (candidates.length === 0) return [];
  const rate = candidates[0].falseMatchRate;
  if (candidates.length === 1) return [para('rate', t('rateLine', { rate: oneIn(rate) }))];
  const anyOf = 1 - (1 - rate) ** candidates.length;
  const per = Math.round(1 / rate);
  const text = t('rateLineIdentify', { count: num(candidates.length), k: num(anyOf * per, { maximumSignificantDigits: 2 }), n: num(per), rate: oneIn(rate) });
  return [para('rate', text)];
}
