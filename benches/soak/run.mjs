// The browser soak (issue 7): enroll / verify / withdraw cycles through the npm API in headless
// Chromium, memory sampled every 100 cycles; fails (exit 1) unless memory plateaus after the
// warm-up and no handle leaks. Prints the numbers and draws docs/soak-memory.png.
//
//   node benches/soak/run.mjs [--cycles 1000] [--every 100] [--warmup 100]
//                             [--png docs/soak-memory.png] [--json out/soak/soak.json]
//   node benches/soak/run.mjs --page [--cycles 200] ...   the page (www/), driven through its UI
//
// Uses the packed package (target/npm/facegate-<version>.tgz, built with
// `bash scripts/build-package.sh --pack` when missing; FACEGATE_TARBALL overrides), Debian's
// /usr/bin/chromium and a fresh profile. About 0.3 s a cycle on a 2-core machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { packageTarball, REPO } from '../../tests/browser/helpers.mjs';
import { openSoakPage, openWwwSoakPage, plateauProblems, soak, soakThePage, table } from './soak.mjs';

const { values: opt } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    every: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '100' },
    png: { type: 'string', default: 'docs/soak-memory.png' },
    json: { type: 'string' },
    page: { type: 'boolean', default: false },
    'heap-tolerance': { type: 'string', default: String(1 << 20) },
  },
});
const cycles = Number(opt.cycles);
const every = Number(opt.every);
const warmup = Number(opt.warmup);

let soakPage;
if (opt.page) {
  soakPage = await openWwwSoakPage();
} else {
  const tarball = packageTarball();
  for (const w of tarball.warnings) console.error(`warning: ${w}`);
  soakPage = await openSoakPage(tarball.path);
}
let exitCode = 0;
try {
  const t0 = Date.now();
  const run = await (opt.page ? soakThePage : soak)(soakPage, {
    cycles,
    every,
    onSample: (s) => console.error(`cycle ${s.cycle}: wasm ${(s.wasmBytes / 1048576).toFixed(2)} MiB, worker heap ${(s.workerHeap / 1048576).toFixed(2)} MiB`),
  });
  const minutes = ((Date.now() - t0) / 60000).toFixed(1);
  const problems = plateauProblems(run.samples, { warmup, heapTolerance: Number(opt['heap-tolerance']) });
  console.log(`facegate soak${opt.page ? ' of the page (www/)' : ''}: ${cycles} enroll/verify/withdraw cycles in headless ${run.browser}, ` +
    (opt.page ? `${minutes} min in all` : `wasm build ${run.build}, load ${(run.loadMs / 1000).toFixed(2)} s, ${minutes} min in all`));
  console.log(table(run.samples));
  console.log(problems.length ? `FAILED:\n  ${problems.join('\n  ')}` : `plateau after ${warmup} cycles: wasm memory flat, heaps within ${(Number(opt['heap-tolerance']) / 1048576).toFixed(1)} MiB, no leaked handle`);
  if (soakPage.errors.length) console.log(`page errors:\n  ${soakPage.errors.join('\n  ')}`);
  if (problems.length || soakPage.errors.length) exitCode = 1;
  if (opt.json) {
    const path = resolve(REPO, opt.json);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify({ cycles, every, warmup, build: run.build, loadMs: run.loadMs, samples: run.samples, problems }, null, 2)}\n`);
  }
  if (opt.png) {
    const path = resolve(REPO, opt.png);
    mkdirSync(dirname(path), { recursive: true });
    await drawChart(soakPage.context, run, path, { cycles, warmup });
    console.log(`wrote ${path}`);
  }
} finally {
  await soakPage.close();
}
process.exit(exitCode);

/** Draws the memory curves on a canvas in a blank page and screenshots it to `path`. */
async function drawChart(context, run, path, { cycles, warmup }) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 900, height: 620 });
  await page.setContent('<!doctype html><body style="margin:0;background:#fff"><canvas id="c" width="900" height="620"></canvas></body>');
  await page.evaluate(({ samples, cycles, warmup, build }) => {
    const ctx = document.getElementById('c').getContext('2d');
    const W = 900;
    const mib = (b) => b / 1048576;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, 620);
    ctx.fillStyle = '#111';
    ctx.font = 'bold 17px sans-serif';
    ctx.fillText(`facegate soak: ${cycles} enroll / verify / withdraw cycles, headless Chromium (${build})`, 20, 28);
    ctx.font = '13px sans-serif';
    ctx.fillStyle = '#444';
    ctx.fillText(`memory after forced GC, sampled every ${samples[1]?.cycle ?? '?'} cycles; warm-up: ${warmup} cycles (shaded)`, 20, 48);

    function panel(top, height, title, series, unit) {
      const left = 80;
      const right = W - 30;
      const values = series.flatMap((s) => samples.map(s.value));
      let lo = Math.min(...values);
      let hi = Math.max(...values);
      const pad = Math.max((hi - lo) * 0.15, hi * 0.02, 0.1);
      lo = Math.max(0, lo - pad);
      hi += pad;
      const x = (c) => left + (c / cycles) * (right - left);
      const y = (v) => top + height - ((v - lo) / (hi - lo)) * height;
      ctx.fillStyle = '#f1f1f1';
      ctx.fillRect(x(0), top, x(warmup) - x(0), height);
      ctx.strokeStyle = '#999';
      ctx.lineWidth = 1;
      ctx.strokeRect(left, top, right - left, height);
      ctx.fillStyle = '#222';
      ctx.font = 'bold 14px sans-serif';
      ctx.fillText(title, left, top - 8);
      ctx.font = '12px sans-serif';
      for (let k = 0; k <= 4; k += 1) {
        const v = lo + ((hi - lo) * k) / 4;
        ctx.fillStyle = '#555';
        ctx.fillText(`${v.toFixed(hi - lo < 5 ? 2 : 1)} ${unit}`, 8, y(v) + 4);
        ctx.strokeStyle = '#e3e3e3';
        ctx.beginPath();
        ctx.moveTo(left, y(v));
        ctx.lineTo(right, y(v));
        ctx.stroke();
      }
      for (const s of samples) {
        const step = cycles >= 500 ? 200 : Math.max(samples[1]?.cycle ?? 1, Math.ceil(cycles / 8));
        if (s.cycle % step === 0) {
          ctx.fillStyle = '#555';
          ctx.fillText(String(s.cycle), x(s.cycle) - 10, top + height + 16);
        }
      }
      let legendX = left + 10;
      for (const s of series) {
        ctx.strokeStyle = s.color;
        ctx.fillStyle = s.color;
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        samples.forEach((p, i) => (i ? ctx.lineTo(x(p.cycle), y(s.value(p))) : ctx.moveTo(x(p.cycle), y(s.value(p)))));
        ctx.stroke();
        for (const p of samples) {
          ctx.beginPath();
          ctx.arc(x(p.cycle), y(s.value(p)), 3.5, 0, 2 * Math.PI);
          ctx.fill();
        }
        const last = samples.at(-1);
        const label = `${s.name}: ${s.value(samples[0]).toFixed(2)} -> ${s.value(last).toFixed(2)} ${unit}`;
        ctx.font = '12px sans-serif';
        ctx.fillText(label, legendX, top + 16);
        legendX += ctx.measureText(label).width + 30;
      }
    }
    panel(90, 200, 'wasm linear memory (worker)', [{ name: 'wasm', color: '#1f5fbf', value: (s) => mib(s.wasmBytes) }], 'MiB');
    panel(350, 200, 'JS heap in use', [
      { name: 'worker', color: '#c0392b', value: (s) => mib(s.workerHeap) },
      { name: 'page', color: '#27884a', value: (s) => mib(s.pageHeap) },
    ], 'MiB');
    ctx.fillStyle = '#222';
    ctx.font = '12px sans-serif';
    ctx.fillText('cycles', W / 2 - 15, 612);
  }, { samples: run.samples, cycles, warmup, build: run.build });
  await page.locator('#c').screenshot({ path });
  await page.close();
}
