// Runs in the page: cold start, then detect and detect+align+embed+compare (verify) over the photos.
import { FaceGate } from './pkg/index.js';

const PHOTOS = ['person_a_2.jpg', 'person_b_1.jpg', 'person_b_2.jpg', 'impostor_1.jpg', 'impostor_2.jpg', 'obama.jpg'];
const params = new URLSearchParams(location.search);
const runs = Number(params.get('runs') ?? 24);
const inputSize = Number(params.get('inputSize') ?? 640);
const wasmVariant = params.get('variant') ?? 'auto';

async function imageData(name) {
  const bitmap = await createImageBitmap(await (await fetch(`./fixtures/${name}`)).blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

function stats(v) {
  const s = [...v].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.ceil(0.9 * s.length) - 1], n: s.length };
}

try {
  const t0 = performance.now();
  const fg = await FaceGate.load({ detector: { inputSize }, wasmVariant });
  const coldStartMs = performance.now() - t0;
  const images = await Promise.all(PHOTOS.map(imageData));
  const consent = { subject: 'self', purpose: 'verifyItIsMe', consentText: 'benchmark' };
  const { referenceId } = await fg.enroll(images[1], { consent, label: 'bench' });
  for (let i = 0; i < 3; i++) await fg.verify(images[i % images.length], referenceId); // warm-up
  const detect = [];
  const verify = [];
  for (let i = 0; i < runs; i++) {
    const img = images[i % images.length];
    let t = performance.now();
    await fg.detect(img);
    detect.push(performance.now() - t);
    t = performance.now();
    await fg.verify(img, referenceId);
    verify.push(performance.now() - t);
  }
  await fg.dispose();
  window.result = { build: fg.wasmBuild, coldStartMs, detect: stats(detect), verify: stats(verify) };
} catch (e) {
  window.result = { error: `${e.code}: ${e.message}` };
}
