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
 * well as colour. `labels`: `{ fmr, fnmr, threshold }`.
 */
export function drawCurve(canvas, calibration, threshold, shipped, labels) {
  const ctx = canvas.getContext('2d');
  const W = canvas.width;
  const H = canvas.height;
  const m = { left: 56, right: 16, top: 16, bottom: 40 };
  const x = (tv) => m.left + tv * (W - m.left - m.right);
  const y = (rate) => m.top + (-Math.log10(Math.max(FLOOR, rate)) / 6) * (H - m.top - m.bottom);
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.font = '12px system-ui, sans-serif';
  ctx.strokeStyle = '#ccc';
  ctx.fillStyle = '#333';
  ctx.lineWidth = 1;
  for (let e = 0; e <= 6; e += 1) {
    ctx.beginPath();
    ctx.moveTo(m.left, y(10 ** -e));
    ctx.lineTo(W - m.right, y(10 ** -e));
    ctx.stroke();
    ctx.fillText(e === 0 ? '1' : `1e-${e}`, 8, y(10 ** -e) + 4);
  }
  for (let k = 0; k <= 10; k += 1) {
    ctx.fillText((k / 10).toFixed(1), x(k / 10) - 8, H - m.bottom + 16);
  }
  ctx.fillText(labels.threshold, W / 2 - 30, H - 6);
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
  // Legend: line style and name.
  const legend = [[labels.fmr, '#b00020', []], [labels.fnmr, '#1457a8', [8, 5]]];
  legend.forEach(([name, colour, dash], i) => {
    const ly = m.top + 14 + i * 18;
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(W - m.right - 200, ly);
    ctx.lineTo(W - m.right - 170, ly);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#222';
    ctx.fillText(name, W - m.right - 164, ly + 4);
  });
}
