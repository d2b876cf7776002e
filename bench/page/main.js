// The bench page: one stack per page load (?stack=facegate|ort|faceapi&...), in one browser session
// driven by bench/run.mjs. Photos are decoded before the clock starts (pixels in, as a camera
// frame or a canvas gives them); then cold start (library import to ready), the first result,
// one warm-up lap over every photo, and `runs` timed images cycling through the photos, each
// timed twice: detection alone, then the whole pipeline (detect + align + embed).

const params = new URLSearchParams(location.search);
const PHOTOS = (params.get('photos') ?? '').split(',').filter(Boolean);
const runs = Number(params.get('runs') ?? 27);

async function loadPhoto(name) {
  const blob = await (await fetch(`/fixtures/${name}`)).blob();
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const imageData = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { name, width: bitmap.width, height: bitmap.height, bitmap, canvas, imageData };
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.ceil(0.9 * s.length) - 1], n: s.length };
}

async function main() {
  const photos = await Promise.all(PHOTOS.map(loadPhoto));
  const stackName = params.get('stack');
  const t0 = performance.now();
  const { open } = await import(`./stacks/${stackName}.js`);
  const stack = await open(params, photos);
  const readyMs = performance.now() - t0;
  const f0 = performance.now();
  await stack.e2e(photos[0]);
  const firstResultMs = readyMs + (performance.now() - f0);
  await stack.afterFirst?.(photos);
  for (const p of photos) {
    await stack.detect(p);
    await stack.e2e(p);
  }
  const detect = [];
  const e2e = [];
  const rest = [];
  const stages = {};
  const faces = [];
  for (let i = 0; i < runs; i++) {
    const p = photos[i % photos.length];
    let t = performance.now();
    await stack.detect(p);
    const d = performance.now() - t;
    t = performance.now();
    const r = await stack.e2e(p);
    const e = performance.now() - t;
    detect.push(d);
    e2e.push(e);
    rest.push(e - d);
    faces.push(r?.faces ?? null);
    for (const [k, v] of Object.entries(r?.stages ?? {})) (stages[k] ??= []).push(v);
  }
  const stageStats = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, stats(v)]));
  return {
    stack: stackName,
    info: stack.info ?? {},
    readyMs,
    firstResultMs,
    detect: stats(detect),
    e2e: stats(e2e),
    alignEmbedDerived: stats(rest),
    stages: stageStats,
    facesFound: faces,
  };
}

main().then(
  (r) => { window.result = r; },
  (e) => { window.result = { error: `${e?.code ?? ''} ${e?.message ?? e}\n${e?.stack ?? ''}` }; },
);
