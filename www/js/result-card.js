// The result of a comparison, in words first ("likely the same person" at a stated false-match
// rate; never "identified"), with a symbol and the similarity on a bar against the threshold, so
// that colour is never the only signal.
import { t, num } from './i18n.js';

/** "1 in 1,000" for a false-match rate of 0.001. */
export function oneIn(rate) {
  return t('oneIn', { n: num(Math.round(1 / rate)) });
}

/** A bar showing `similarity` against `threshold` (both cosine, -1..1; drawn from 0 to 1). */
export function similarityBar(similarity, threshold) {
  const pct = (v) => `${(Math.max(0, Math.min(1, v)) * 100).toFixed(1)}%`;
  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', t('barLabel', { similarity: num(similarity, { maximumFractionDigits: 3 }), threshold: num(threshold, { maximumFractionDigits: 3 }) }));
  const fill = document.createElement('div');
  fill.className = similarity >= threshold ? 'fill above' : 'fill below';
  fill.style.width = pct(similarity);
  const mark = document.createElement('div');
  mark.className = 'mark';
  mark.style.left = pct(threshold);
  mark.title = t('threshold');
  bar.append(fill, mark);
  return bar;
}

/** The heading of a decision: symbol + words. */
export function verdict(likelySamePerson) {
  const p = document.createElement('p');
  p.className = `verdict ${likelySamePerson ? 'same' : 'different'}`;
  const icon = document.createElement('span');
  icon.className = 'icon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = likelySamePerson ? '✓' : '✗';
  const words = document.createElement('strong');
  words.textContent = likelySamePerson ? t('likelySame') : t('likelyDifferent');
  p.append(icon, ' ', words);
  p.dataset.outcome = likelySamePerson ? 'same' : 'different';
  return p;
}

/** One comparison: verdict, numbers, bar. */
export function matchBlock(m) {
  const div = document.createElement('div');
  div.className = 'match';
  div.dataset.referenceId = m.referenceId;
  const detail = document.createElement('p');
  detail.textContent = t('matchDetail', {
    label: m.label,
    similarity: num(m.similarity, { maximumFractionDigits: 3 }),
    threshold: num(m.threshold, { maximumFractionDigits: 3 }),
    rate: oneIn(m.falseMatchRate),
  });
  div.append(verdict(m.likelySamePerson), detail, similarityBar(m.similarity, m.threshold));
  return div;
}
