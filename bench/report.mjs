// The markdown table and the chart of one bench/run.mjs run (results.json in, text out).

const ms = (v) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const mp = (s) => (s ? `${ms(s.median)} (${ms(s.p90)})` : '–');
const mb = (b) => (b == null ? '–' : (b / 1e6).toFixed(1));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '–');

function find(report, pred) {
  return report.browser.results.find(pred);
}

/** The rows the targets are judged on: facegate as a user gets it (no options), and the peers. */
export function headline(report) {
  const fg = find(report, (r) => r.group === 'facegate' && r.params.pkg === 'pkg' && r.params.variant === 'auto')
    ?? find(report, (r) => r.group === 'facegate' && r.params.pkg === 'pkg');
  const ort = find(report, (r) => r.group === 'ort' && Number(r.params.threads ?? 1) === 1);
  const tiny = find(report, (r) => r.group === 'faceapi-tiny');
  const ssd = find(report, (r) => r.group === 'faceapi-ssd');
  return { fg, ort, tiny, ssd };
}

function settings(r) {
  if (r.group === 'facegate') {
    const inputs = Object.entries(r.info.detectorInputs ?? {}).map(([k, n]) => `${k}: ${n}`).join(', ');
    return `${r.info.build}, ${r.info.threads} thread${r.info.threads > 1 ? 's' : ''}, detector input ≤ ${r.info.inputSize}, quick look ${r.info.quick}${inputs ? ` (inputs used ${inputs})` : ''}`;
  }
  if (r.group === 'ort') return `wasm, ${r.info.threads} thread${r.info.threads > 1 ? 's' : ''}, detector input ≤ ${r.info.geometry?.maxSide}`;
  return `${r.info.detector}, tfjs ${r.info.tfjs} ${r.info.backend}, SIMD ${r.info.simd ? 'on' : 'off'}, ${r.info.threads} thread`;
}

export function markdownReport(report) {
  const { fg, ort, tiny, ssd } = headline(report);
  const L = [];
  const m = report.machine;
  L.push(`# facegate side-by-side benchmark`);
  L.push('');
  L.push(`Run ${report.started} (\`${report.command}\`, git ${report.git}) on ${m.cpus} × ${m.model}; ` +
    `load average ${m.loadavgBefore.map((x) => x.toFixed(2)).join(' / ')} before, ${m.loadavgAfter.map((x) => x.toFixed(2)).join(' / ')} after. ` +
    `Chromium ${report.browser.version}, headless, one browser session, a fresh context per stack. ` +
    `${report.runs} timed images per row cycling through the ${report.browser.results[0]?.facesFound?.length ? 'tests/fixtures' : ''} photos after one warm-up lap; ` +
    `pixels in (photos decoded before timing). Times in ms: median (p90).`);
  L.push('');
  L.push('## Browser');
  L.push('');
  L.push('| stack | settings | cold start to ready | first result | detect | detect + align + embed | MB raw | MB gzip | other load (cores) |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  const rows = report.browser.results.filter((r) => r.group !== 'paired');
  for (const r of rows) {
    L.push(`| ${r.label} | ${settings(r)} | ${ms(r.readyMs)} | ${ms(r.firstResultMs)} | ${mp(r.detect)} | **${mp(r.e2e)}** | ${mb(r.bytes.raw)} | ${mb(r.bytes.gzip)} | ${r.load.otherCores.toFixed(2)} |`);
  }
  L.push('');
  L.push('"other load": CPU used by processes other than this benchmark (and its browser) while the row ran, in cores of the machine; near 0 on a quiet machine.');
  L.push('');
  L.push('## Ratios (facegate / peer, same run)');
  L.push('');
  L.push('| facegate row | e2e vs onnxruntime-web (1 thread) | e2e vs face-api Tiny 416 | e2e vs face-api SSD | cold start vs onnxruntime-web | cold start vs face-api Tiny |');
  L.push('|---|---|---|---|---|---|');
  for (const r of report.browser.results.filter((x) => x.group === 'facegate')) {
    const o = ort;
    L.push(`| ${r.label} | ${ratio(r.e2e.median, o?.e2e.median)} | ${ratio(r.e2e.median, tiny?.e2e.median)} | ${ratio(r.e2e.median, ssd?.e2e.median)} | ${ratio(r.readyMs, o?.readyMs)} | ${ratio(r.readyMs, tiny?.readyMs)} |`);
  }
  L.push('');
  const paired = report.browser.results.filter((r) => r.group === 'paired');
  if (paired.length) {
    L.push('Paired in one page (each image through both, alternating which goes first; detect + align + embed):');
    L.push('');
    L.push('| pair (A vs B) | A | B | ratio of medians | median of per-image ratios (p90) | other load (cores) |');
    L.push('|---|---|---|---|---|---|');
    for (const r of paired) {
      L.push(`| ${r.label} | ${mp(r.stages.A)} | ${mp(r.stages.B)} | ${ratio(r.stages.A?.median, r.stages.B?.median)} | ${r.stages.ratio ? `${r.stages.ratio.median.toFixed(2)} (${r.stages.ratio.p90.toFixed(2)})` : '–'} | ${r.load.otherCores.toFixed(2)} |`);
    }
    L.push('');
  }
  L.push('## Stages (browser)');
  L.push('');
  L.push('| stack | detect | align | embed | align + embed (e2e − detect, per image) |');
  L.push('|---|---|---|---|---|');
  for (const r of rows) {
    L.push(`| ${r.label} | ${mp(r.stages.detect ?? r.detect)} | ${mp(r.stages.align)} | ${mp(r.stages.embed)} | ${mp(r.alignEmbedDerived)} |`);
  }
  L.push('');
  const phased = report.browser.results.filter((r) => r.info?.loadPhasesMs);
  if (phased.length) {
    L.push('facegate cold start by phase, ms from the worker\'s start of loading (the three files are fetched at once, each SHA-256-checked as it completes; the wasm compiles while it streams in; the engine build then parses the files; the networks are planned after ready, between calls), and `FaceGate.load` resolved, from the page\'s call:');
    L.push('');
    for (const r of phased) {
      const p = r.info.loadPhasesMs;
      L.push(`- ${r.label}: ${Object.entries(p).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
    }
    L.push('');
  }
  L.push('facegate and face-api time their whole calls (facegate: `detect`, and `verify` = detect + align + embed + compare, both with the pixel copy to the worker); onnxruntime-web\'s stages are timed inside its JS pipeline.');
  if (report.native) {
    const n = report.native;
    L.push('');
    L.push('## Native (one thread, same models, same photos)');
    L.push('');
    L.push('| stage | facegate 640 | onnxruntime 640 | ratio | facegate 320 | onnxruntime 320 | ratio |');
    L.push('|---|---|---|---|---|---|---|');
    for (const s of ['detect', 'align', 'embed', 'e2e']) {
      const f = (k) => n.facegate.results[k]?.[s];
      const o = (k) => n.ort.results[k]?.[s];
      L.push(`| ${s === 'e2e' ? '**detect + align + embed**' : s} | ${mp(f('640'))} | ${mp(o('640'))} | ${ratio(f('640')?.median, o('640')?.median)} | ${mp(f('320'))} | ${mp(o('320'))} | ${ratio(f('320')?.median, o('320')?.median)} |`);
    }
    L.push('');
    L.push(`facegate: \`cargo bench --bench pipeline\` (tract, release build); onnxruntime ${n.ort.info.onnxruntime} (Python ${n.ort.info.python}, CPU, 1 thread) with the pre- and post-processing in numpy (bench/peers.py). ` +
      `Other load during the native runs: ${n.load.facegate.otherCores.toFixed(2)} and ${n.load.ort.otherCores.toFixed(2)} cores.`);
  }
  L.push('');
  L.push('## Targets');
  L.push('');
  L.push('| target | measured | holds |');
  L.push('|---|---|---|');
  const row = (name, value, ok) => L.push(`| ${name} | ${value} | ${ok == null ? '–' : ok ? 'yes' : '**no**'} |`);
  const pair = (pred) => find(report, (r) => r.group === 'paired' && pred(r));
  const pr = (p) => (p ? p.stages.A.median / p.stages.B.median : null);
  const pairedText = (p) => (p ? `paired ${pr(p).toFixed(2)} × (${ms(p.stages.A.median)} vs ${ms(p.stages.B.median)} ms; per image ${p.stages.ratio?.median.toFixed(2)})` : '–');
  const pairOrt = pair((r) => r.params.B === 'ort' && Number(r.params.threads) === 1 && r.params.quick === undefined);
  const pairTiny = pair((r) => r.params.B === 'faceapi' && Number(r.params.threads) === 1);
  row('1 thread: facegate e2e ≤ 0.8 × onnxruntime-web', pairedText(pairOrt), pairOrt ? pr(pairOrt) <= 0.8 : null);
  row('1 thread: facegate e2e ≤ 0.5 × face-api Tiny 416', pairedText(pairTiny), pairTiny ? pr(pairTiny) <= 0.5 : null);
  const peers = report.browser.results.filter((r) => ['ort', 'faceapi-tiny', 'faceapi-ssd'].includes(r.group));
  const fastest = peers.reduce((a, b) => (!a || b.e2e.median < a.e2e.median ? b : a), null);
  const rBest = fg && fastest ? fg.e2e.median / fastest.e2e.median : null;
  const pairBest = pair((r) => r.params.variant === 'auto' && r.params.threads === undefined);
  row('best defaults: facegate e2e ≤ 0.6 × the fastest peer', `${rBest == null ? '–' : `rows ${rBest.toFixed(2)} × (${fg.label} ${ms(fg.e2e.median)} vs ${fastest.label} ${ms(fastest.e2e.median)} ms)`}; ${pairBest ? `${pairBest.label}: ${pairedText(pairBest)}` : ''}`, rBest == null ? null : rBest <= 0.6);
  row('cold start to ready ≤ 800 ms', fg ? `${ms(fg.readyMs)} ms (${fg.label})` : '–', fg ? fg.readyMs <= 800 : null);
  row('first visit ≤ 10 MB gzip', fg ? `${mb(fg.bytes.gzip)} MB gzip (${mb(fg.bytes.raw)} MB raw)` : '–', fg ? fg.bytes.gzip <= 10e6 : null);
  if (report.native) {
    const f = report.native.facegate.results['640']?.e2e?.median;
    const o = report.native.ort.results['640']?.e2e?.median;
    row('native e2e ≤ 1.5 × onnxruntime', f && o ? `${(f / o).toFixed(2)} × (${ms(f)} vs ${ms(o)} ms)` : '–', f && o ? f / o <= 1.5 : null);
  }
  L.push('');
  L.push('Files each stack fetched (bytes raw):');
  L.push('');
  for (const r of rows) {
    L.push(`- ${r.label}: ${r.bytes.files.map(([u, b]) => `${u} ${b}`).join(', ')}`);
  }
  L.push('');
  return L.join('\n');
}

/** A self-contained page drawing the chart (SVG, presentation attributes only). */
export function chartHtml(report) {
  const rows = report.browser.results.filter((r) => r.group !== 'paired');
  const W = 1000;
  // Room for the longest label (13 px sans-serif: about 7 px a character).
  const left = Math.max(230, 20 + 7 * Math.max(...rows.map((r) => r.label.length)));
  const barH = 22;
  const gap = 8;
  const colour = { facegate: '#2f6fb0', ort: '#8a8a8a', 'faceapi-tiny': '#c47a2c', 'faceapi-ssd': '#b05050' };
  const panel = (title, y0, value, p90, unit, max) => {
    const scale = (W - left - 90) / max;
    let s = `<text x="10" y="${y0}" font-size="16" font-weight="bold" font-family="sans-serif">${title}</text>`;
    rows.forEach((r, i) => {
      const y = y0 + 14 + i * (barH + gap);
      const v = value(r);
      const p = p90 ? p90(r) : null;
      s += `<text x="${left - 8}" y="${y + 16}" font-size="13" text-anchor="end" font-family="sans-serif">${r.label}</text>`;
      s += `<rect x="${left}" y="${y}" width="${Math.max(1, v * scale)}" height="${barH}" fill="${colour[r.group] ?? '#555'}"/>`;
      if (p != null) s += `<line x1="${left + p * scale}" x2="${left + p * scale}" y1="${y - 2}" y2="${y + barH + 2}" stroke="#000" stroke-width="2"/>`;
      s += `<text x="${left + Math.max(p ?? 0, v) * scale + 6}" y="${y + 16}" font-size="13" font-family="sans-serif">${v.toFixed(0)} ${unit}</text>`;
    });
    return [s, y0 + 14 + rows.length * (barH + gap) + 30];
  };
  const maxE2e = Math.max(...rows.map((r) => r.e2e.p90));
  const maxCold = Math.max(...rows.map((r) => r.readyMs));
  const [a, y1] = panel('detect + align + embed per image, ms (bar: median, tick: p90)', 24, (r) => r.e2e.median, (r) => r.e2e.p90, 'ms', maxE2e);
  const [b, y2] = panel('cold start to ready, ms', y1, (r) => r.readyMs, null, 'ms', maxCold);
  const note = `<text x="10" y="${y2}" font-size="12" fill="#444" font-family="sans-serif">headless Chromium ${report.browser.version}, ${report.runs} images after warm-up; ${report.started}; other load up to ${Math.max(...rows.map((r) => r.load.otherCores)).toFixed(2)} cores</text>`;
  const H = y2 + 20;
  return `<!doctype html><meta charset="utf-8"><body bgcolor="#ffffff"><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#fff"/>${a}${b}${note}</svg></body>`;
}
