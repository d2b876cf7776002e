// The calibration curves (false-match and false-non-match rate against the threshold, measured
// by `facegate eval` on the LFW development pairs) and the rates at any threshold.

/** FMR and FNMR at `threshold`, interpolated between the curve's points (log scale where > 0). */
export function ratesAt(curve, threshold) {
  if (threshold <= curve[0].threshold) return { fmr: curve[0].fmr, fnmr: curve[0].fnmr };
  const last = curve[curve.length - 1];
  if (threshold >= last.threshold) return { fmr: last.fmr, fnmr: last.fnmr };
  let i = 0;
  while (curve[i + 1].threshold < threshold) i += 1;
  const [p, q] = [curve[i], curve[i + 1]];
  const f = (threshold - p.threshold) / (q.threshold - p.threshold);
  const mix = (a, b) => (a > 0 && b > 0 ? Math.exp(Math.log(a) + f * (Math.log(b) - Math.log(a))) : a + f * (b - a));
  return { fmr: mix(p.fmr, q.fmr), fnmr: mix(p.fnmr, q.fnmr) };
}

const FLOOR = 1e-6; // rates below this (including 0) sit on the bottom line

/**
 * Draws both curves for thresholds 0..1 on a log scale, the current `threshold` as a vertical
 * line and the `shipped` operating points as marks. The two curves differ by line style as
 * well as colour; the legend is the figure's caption (HTML, so that it wraps and reads in any
 * language). The canvas is drawn at its size on screen, so its labels stay readable on a phone.
 * `labels`: `{ threshold, percent(rate), number(value, digits) }` (the axis title and how the
 * current language writes rates and numbers).
 */
export function drawCurve(canvas, calibration, threshold, shipped, labels) {
  const box = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const W = box.width > 0 ? box.width : 640;
  const H = box.width > 0 ? box.height : 320;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const font = W < 420 ? 12 : 13;
  ctx.font = `${font}px system-ui, sans-serif`;
  const yLabel = (e) => labels.percent(10 ** -e);
  const m = { left: 10 + Math.max(...[0, 1, 2, 3, 4, 5, 6].map((e) => ctx.measureText(yLabel(e)).width)), right: 12, top: 10, bottom: 2.6 * font + 8 };
  const x = (tv) => m.left + tv * (W - m.left - m.right);
  const y = (rate) => m.top + (-Math.log10(Math.max(FLOOR, rate)) / 6) * (H - m.top - m.bottom);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = '#ccc';
  ctx.fillStyle = '#333';
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (let e = 0; e <= 6; e += 1) {
    ctx.beginPath();
    ctx.moveTo(m.left, y(10 ** -e));
    ctx.lineTo(W - m.right, y(10 ** -e));
    ctx.stroke();
    ctx.fillText(yLabel(e), m.left - 5, y(10 ** -e));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const step = W < 420 ? 2 : 1;
  for (let k = 0; k <= 10; k += step) ctx.fillText(labels.number(k / 10, 1), x(k / 10), H - m.bottom + 4);
  ctx.fillText(labels.threshold, (m.left + W - m.right) / 2, H - font - 4);
  const points = calibration.curve.filter((p) => p.threshold >= 0 && p.threshold <= 1);
  const line = (key, colour, dash) => {
    ctx.beginPath();
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2.5;
    points.forEach((p, i) => (i ? ctx.lineTo(x(p.threshold), y(p[key])) : ctx.moveTo(x(p.threshold), y(p[key]))));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line('fmr', '#b00020', []);
  line('fnmr', '#1457a8', [8, 5]);
  for (const s of shipped) {
    ctx.fillStyle = '#555';
    ctx.beginPath();
    ctx.arc(x(s.threshold), y(s.fmr), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.strokeStyle = '#0a7d32';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x(threshold), m.top);
  ctx.lineTo(x(threshold), H - m.bottom);
  ctx.stroke();
}
