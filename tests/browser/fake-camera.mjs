// A face for Chromium's fake camera: `--use-file-for-fake-video-capture=FILE.y4m` plays a Y4M
// file (looped) as the camera. This writes one from a test photo, decoded and scaled by Chromium
// itself (node has no JPEG decoder), so that the page's live guidance sees a real face.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS } from './helpers.mjs';
import { dataUrl } from './page-helpers.mjs';

/** I420 planes of RGBA `data` (`width` x `height`, both even), BT.601 full range as Y4M's C420jpeg. */
export function rgbaToI420(data, width, height) {
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (x) => Math.max(0, Math.min(255, Math.round(x)));
  for (let j = 0; j < height; j += 1) {
    for (let i = 0; i < width; i += 1) {
      const k = (j * width + i) * 4;
      y[j * width + i] = clamp(0.299 * data[k] + 0.587 * data[k + 1] + 0.114 * data[k + 2]);
    }
  }
  for (let j = 0; j < height; j += 2) {
    for (let i = 0; i < width; i += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [di, dj] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const k = ((j + dj) * width + i + di) * 4;
        r += data[k] / 4;
        g += data[k + 1] / 4;
        b += data[k + 2] / 4;
      }
      const c = (j / 2) * (width / 2) + i / 2;
      u[c] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      v[c] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return Buffer.concat([y, u, v]);
}

/**
 * The path of a 640x480 one-frame Y4M showing `photo` (a fixture) centred on grey, written to
 * the temp folder once per photo.
 */
export async function faceVideo(photo = 'person_a_2.jpg') {
  const path = join(tmpdir(), `facegate-fake-camera-${photo.replace(/\W/g, '_')}.y4m`);
  if (existsSync(path)) return path;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const rgba = await page.evaluate(async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = new OffscreenCanvas(640, 480);
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#777';
      ctx.fillRect(0, 0, 640, 480);
      const s = Math.min(640 / img.naturalWidth, 480 / img.naturalHeight);
      ctx.drawImage(img, (640 - img.naturalWidth * s) / 2, (480 - img.naturalHeight * s) / 2, img.naturalWidth * s, img.naturalHeight * s);
      return [...ctx.getImageData(0, 0, 640, 480).data];
    }, dataUrl(photo));
    const header = Buffer.from('YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg\n');
    writeFileSync(path, Buffer.concat([header, Buffer.from('FRAME\n'), rgbaToI420(rgba, 640, 480)]));
  } finally {
    await browser.close();
  }
  return path;
}
