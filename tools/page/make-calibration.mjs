// Writes www/calibration.json, the curves the teaching page draws, from the output of
//   cargo run --release -p facegate-cli -- eval --pairs ../shared/data/lfw-devtrain/pairs.tsv \
//     --root ../shared/data/lfw-devtrain --impostors all --select nearest-center --out out/eval-lfw-devtrain
// Usage: node tools/page/make-calibration.mjs [out/eval-lfw-devtrain/calibration.json]
// Only aggregate rates go into the page: no score, no image name.
import { readFileSync, writeFileSync } from 'node:fs';

const input = process.argv[2] ?? 'out/eval-lfw-devtrain/calibration.json';
const src = JSON.parse(readFileSync(input, 'utf8'));
const round = (x, digits) => Number(x.toPrecision(digits));
const curve = src.curve.map((p) => ({ threshold: round(p.threshold, 4), fmr: round(p.fmr, 4), fnmr: round(p.fnmr, 4) }));

// The thresholds facegate ships (src/decision.rs), with the rates measured at each.
const SHIPPED = [['fmr1e2', 0.300], ['fmr1e3', 0.366], ['fmr1e4', 0.423]];
function interpolate(t) {
  const i = src.curve.findIndex((p) => p.threshold >= t);
  const [p, q] = [src.curve[i - 1], src.curve[i]];
  const f = (t - p.threshold) / (q.threshold - p.threshold);
  const logMix = (a, b) => Math.exp(Math.log(a) + f * (Math.log(b) - Math.log(a)));
  return { fmr: logMix(p.fmr, q.fmr), fnmr: p.fnmr + f * (q.fnmr - p.fnmr) };
}
const shipped = SHIPPED.map(([name, threshold]) => {
  const exact = src.operatingPoints?.find((o) => Math.abs(o.threshold - threshold) < 1e-6);
  const r = exact ?? interpolate(threshold);
  return { name, threshold, fmr: round(r.fmr, 4), fnmr: round(r.fnmr, 4) };
});

const out = {
  about: 'facegate eval on the LFW View 1 train pairs (deep-funneled), impostor pairs formed across people. Rates only.',
  genuine: src.genuine,
  impostors: src.impostors,
  images: src.images,
  failureToDetect: src.failureToDetect,
  shipped,
  curve,
};
writeFileSync('www/calibration.json', `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote www/calibration.json: ${curve.length} curve points, shipped ${JSON.stringify(shipped)}`);
