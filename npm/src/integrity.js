// Fetching the package's own static files with progress, and checking their SHA-256 before use.
//
// Each file is hashed once, here, with the browser's own SHA-256 (WebCrypto); the wasm engine is
// then told that its two models were checked (it does not hash them again). A wasm file may be
// compiled while it downloads (WebAssembly.compileStreaming): compiling runs none of its code,
// and the compiled module is only instantiated after its bytes passed the check.

import { CODE } from './protocol.js';

/** Lower-case hex SHA-256 of bytes (WebCrypto; available in secure contexts and workers). */
export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Fetches `url`, streaming, calling `onBytes(n, done)` as chunks arrive (`done` true once, with
 * the last count, when the file is in); then checks the SHA-256. `signal` (an AbortSignal)
 * gives the download up; it then rejects with { code: 'fetchFailed' }.
 * Throws { code: 'modelIntegrity' } (or 'wasmIntegrity') when the bytes are not the expected
 * ones, and { code: 'fetchFailed' } when the file cannot be fetched.
 *
 * With `compile: true` (a wasm file), the download is also compiled as it streams in and the
 * result is `{ bytes, module }` (`module` a WebAssembly.Module, or null when the browser or the
 * server's Content-Type does not allow streaming compilation: compile `bytes` then).
 */
export async function fetchVerified(url, expected, onBytes, code, { compile = false, signal } = {}) {
  const first = await fetchBytes(url, 'force-cache', onBytes, compile, signal);
  if ((await sha256Hex(first.bytes)) === expected.sha256) return compile ? first : first.bytes;
  // A copy cached before an upgrade at the same URL: fetch once more from the server, without
  // counting it in the progress, and only then judge.
  const fresh = await fetchBytes(url, 'reload', () => {}, compile, signal);
  const actual = await sha256Hex(fresh.bytes);
  if (actual !== expected.sha256) {
    throw Object.assign(
      new Error(`${url} failed its integrity check: expected SHA-256 ${expected.sha256}, got ${actual}`),
      { code },
    );
  }
  return compile ? fresh : fresh.bytes;
}

async function fetchBytes(url, cache, onBytes, compile, signal) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin', cache, signal });
  } catch (e) {
    throw Object.assign(new Error(`cannot fetch ${url}: ${e.message}`), { code: CODE.fetchFailed });
  }
  if (!response.ok) {
    throw Object.assign(new Error(`cannot fetch ${url}: HTTP ${response.status}`), { code: CODE.fetchFailed });
  }
  let module = Promise.resolve(null);
  let body = response.body;
  if (compile && body?.tee && typeof WebAssembly.compileStreaming === 'function'
    && /^application\/wasm\b/i.test(response.headers.get('Content-Type') ?? '')) {
    const [forCompile, forHash] = body.tee();
    body = forHash;
    const copy = new Response(forCompile, { headers: { 'Content-Type': 'application/wasm' } });
    // A failure here (a tampered or truncated file) is judged by the hash; compile the bytes then.
    module = WebAssembly.compileStreaming(copy).catch(() => null);
  }
  const chunks = [];
  let received = 0;
  let counted = 0;
  try {
    if (body && body.getReader) {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        counted += value.byteLength;
        onBytes(value.byteLength, false);
      }
    } else {
      const buf = new Uint8Array(await response.arrayBuffer());
      chunks.push(buf);
      received = buf.byteLength;
    }
  } catch (e) {
    // The connection dropped, or `signal` gave the download up, part-way.
    throw Object.assign(new Error(`cannot fetch ${url}: ${e.message}`), { code: CODE.fetchFailed });
  }
  onBytes(received - counted, true);
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes, module: await module };
}
