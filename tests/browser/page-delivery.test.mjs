// Compressed delivery: scripts/serve.mjs sends the precompressed copy a request accepts (Brotli
// first, then gzip, else the file), with its own validator and Vary, never a copy older than its
// file; and a first visit in Chromium gets the wasm and the models as Brotli, each file's body
// once (the service worker's install revalidates, it does not download again), with the engine's
// SHA-256 checks still passing on the decoded bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';

import { acceptQ, serve } from '../../scripts/serve.mjs';
import { precompress } from '../../scripts/precompress.mjs';
import { launchPersistent, makeTempDir, removeDir } from './helpers.mjs';
import { WWW, ensurePageBuilt, giveConsent } from './page-helpers.mjs';

test('Accept-Encoding: q-values, the wildcard and refusals', () => {
  assert.equal(acceptQ('gzip, deflate, br, zstd', 'br'), 1);
  assert.equal(acceptQ('gzip;q=0.5, br;q=0', 'br'), 0);
  assert.equal(acceptQ('gzip;q=0.5, br;q=0', 'gzip'), 0.5);
  assert.equal(acceptQ('*', 'br'), 1);
  assert.equal(acceptQ('*;q=0, gzip', 'br'), 0);
  assert.equal(acceptQ('identity', 'gzip'), 0);
  assert.equal(acceptQ(undefined, 'gzip'), 0);
});

// Once seen in CI: a file written at ...32.565999249 s got copies stamped ...32.565999000 s (utimes
// takes seconds as a double, about 240 ns apart at today's dates), so serve.mjs found every copy
// older than its file and sent the file itself.
test('precompress: no copy is ever older than its file, even a file written just below a millisecond', () => {
  const root = makeTempDir('delivery-mtime');
  try {
    const base = Math.floor(Date.now() / 1000) - 60;
    const older = [];
    for (let k = 0; k < 40; k += 1) {
      const path = join(root, `f${k}.js`);
      writeFileSync(path, 'const facegate = "private face matching";\n'.repeat(200));
      // Just below a millisecond boundary (its last microsecond, in steps of 25 ns), to the
      // nanosecond as a copy or an editor leaves it (touch; Node's utimes cannot say nanoseconds).
      execFileSync('touch', ['-d', `@${base}.${String(565_999_000 + k * 25).padStart(9, '0')}`, path]);
    }
    precompress(root);
    for (let k = 0; k < 40; k += 1) {
      const path = join(root, `f${k}.js`);
      const file = statSync(path, { bigint: true }).mtimeNs;
      for (const suffix of ['.br', '.gz']) {
        const copy = statSync(path + suffix, { bigint: true }).mtimeNs;
        if (copy < file) older.push(`f${k}.js${suffix}: ${copy} < ${file}`);
      }
    }
    assert.deepEqual(older, [], 'copies stamped older than their file');
  } finally {
    removeDir(root);
  }
});

test('serve.mjs picks the copy the request accepts, with its own ETag and Vary; a stale copy is never sent', async () => {
  const root = makeTempDir('delivery');
  const text = 'const facegate = "private face matching";\n'.repeat(400);
  writeFileSync(join(root, 'app.js'), text);
  const t = precompress(root);
  assert.equal(t.files, 1);
  const site = await serve({ root, port: 0, quiet: true });
  const url = `http://127.0.0.1:${site.address().port}/app.js`;
  const get = (enc, extra = {}) => fetch(url, { headers: { 'Accept-Encoding': enc, ...extra } });
  try {
    const br = await get('gzip, br');
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(br.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(br.headers.get('vary'), 'Accept-Encoding');
    assert.equal(await br.text(), text, 'fetch decodes it to the file');
    const gz = await get('gzip');
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.equal(await gz.text(), text);
    const raw = await get('identity');
    assert.equal(raw.headers.get('content-encoding'), null);
    assert.equal(Number(raw.headers.get('content-length')), text.length);
    await raw.text();
    assert.notEqual(br.headers.get('etag'), raw.headers.get('etag'), 'each encoding has its own validator');
    const again = await get('br', { 'If-None-Match': br.headers.get('etag') });
    assert.equal(again.status, 304);
    // The file changes after its copies were written: the copies are stale and not sent.
    const newer = `${text}// changed\n`;
    writeFileSync(join(root, 'app.js'), newer);
    const future = new Date(Date.now() + 5000);
    utimesSync(join(root, 'app.js'), future, future);
    const fresh = await get('br, gzip');
    assert.equal(fresh.headers.get('content-encoding'), null);
    assert.equal(await fresh.text(), newer);
    // precompress brings them up to date; an incompressible file gets no copy.
    mkdirSync(join(root, 'm'));
    writeFileSync(join(root, 'm/noise.onnx'), randomBytes(4096));
    precompress(root);
    const after = await get('br');
    assert.equal(after.headers.get('content-encoding'), 'br');
    assert.equal(await after.text(), newer);
    const noise = await fetch(`http://127.0.0.1:${site.address().port}/m/noise.onnx`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(noise.headers.get('content-encoding'), null, 'a copy that saves less than 5 % is not kept');
    await noise.arrayBuffer();
    assert.ok(brotliCompressSync(Buffer.from(text)).length < text.length && gzipSync(text).length < text.length);
  } finally {
    site.closeAllConnections?.();
    site.close();
    removeDir(root);
  }
});

test('a first visit: the engine arrives as Brotli, every body is sent once, the SHA-256 checks pass', async () => {
  ensurePageBuilt();
  const site = await serve({ root: WWW, port: 0, quiet: true });
  const sent = [];
  site.on('request', (req, res) => {
    let encoding = 'identity';
    const { writeHead } = res;
    res.writeHead = function (status, headers, ...rest) {
      encoding = headers?.['Content-Encoding'] ?? encoding;
      return writeHead.call(this, status, headers, ...rest);
    };
    res.on('finish', () => sent.push({ path: new URL(req.url, 'http://x').pathname, method: req.method, status: res.statusCode, encoding }));
  });
  const context = await launchPersistent(); // a disk HTTP cache, as a visitor's browser has
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
    await giveConsent(page, ['self']);
    await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'failed', null, { timeout: 300_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready', 'the engine loaded (its SHA-256 checks passed on the decoded bytes)');
    const bodies = sent.filter((r) => r.method === 'GET' && r.status === 200);
    const count = new Map();
    for (const r of bodies) count.set(r.path, (count.get(r.path) ?? 0) + 1);
    assert.deepEqual([...count].filter(([, n]) => n > 1), [], 'a file whose body was sent twice');
    const engine = bodies.filter((r) => /\.(wasm|onnx)$/.test(r.path));
    assert.equal(engine.length, 3, `one wasm and two models: ${engine.map((r) => r.path)}`);
    assert.deepEqual([...new Set(engine.map((r) => r.encoding))], ['br'], 'the engine arrives as Brotli');
    const plain = bodies.filter((r) => r.path.endsWith('.js') && r.encoding !== 'br').map((r) => r.path);
    assert.deepEqual(plain, [], 'scripts that did not arrive as Brotli');
  } finally {
    await context.close();
    site.closeAllConnections?.();
    site.close();
  }
});
