// Fetching the package's own static files with progress, and checking their SHA-256 before use.

/** Lower-case hex SHA-256 of bytes (WebCrypto; available in secure contexts and workers). */
export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Fetches `url`, streaming, calling `onBytes(n)` as chunks arrive; then checks the SHA-256.
 * Throws { code: 'modelIntegrity' } (or 'wasmIntegrity') when the bytes are not the expected
 * ones, and { code: 'fetchFailed' } when the file cannot be fetched.
 */
export async function fetchVerified(url, expected, onBytes, code) {
  const bytes = await fetchBytes(url, 'force-cache', onBytes);
  if ((await sha256Hex(bytes)) === expected.sha256) return bytes;
  // A copy cached before an upgrade at the same URL: fetch once more from the server, without
  // counting it in the progress, and only then judge.
  const fresh = await fetchBytes(url, 'reload', () => {});
  const actual = await sha256Hex(fresh);
  if (actual !== expected.sha256) {
    throw Object.assign(
      new Error(`${url} failed its integrity check: expected SHA-256 ${expected.sha256}, got ${actual}`),
      { code },
    );
  }
  return fresh;
}

async function fetchBytes(url, cache, onBytes) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin', cache });
  } catch (e) {
    throw Object.assign(new Error(`cannot fetch ${url}: ${e.message}`), { code: 'fetchFailed' });
  }
  if (!response.ok) {
    throw Object.assign(new Error(`cannot fetch ${url}: HTTP ${response.status}`), { code: 'fetchFailed' });
  }
  const chunks = [];
  let received = 0;
  if (response.body && response.body.getReader) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onBytes(value.byteLength);
    }
  } else {
    const buf = new Uint8Array(await response.arrayBuffer());
    chunks.push(buf);
    received = buf.byteLength;
    onBytes(received);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
