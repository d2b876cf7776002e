// A tiny static file server for facegate's page and tests: 127.0.0.1 only, no dependencies,
// with the security headers the page promises (www/policy.js: strict CSP, no referrer, camera
// limited to self, cross-origin isolation), and the precompressed copies scripts/precompress.mjs
// writes (FILE.br, FILE.gz) chosen by the request's Accept-Encoding.
//
//   node scripts/serve.mjs [--root DIR] [--port N]     (defaults: www, 8080; port 0 = any free)
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { runInNewContext } from 'node:vm';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** www/policy.js's FACEGATE_POLICY: the one source of the security headers (the service worker reads it too). */
export const POLICY = (() => {
  const context = {};
  runInNewContext(readFileSync(new URL('../www/policy.js', import.meta.url), 'utf8'), context);
  return JSON.parse(JSON.stringify(context.FACEGATE_POLICY)); // plain objects of this realm
})();

/** Every response carries these: strict CSP, no referrer, camera for this site only, cross-origin isolation. */
export const SECURITY_HEADERS = { ...POLICY.headers };

/** Content codings of precompressed copies, most preferred first: [coding, file suffix]. */
const CODINGS = [['br', '.br'], ['gzip', '.gz']];

/** The q-value `accept` (an Accept-Encoding header) gives `coding` (0 when refused or absent). */
export function acceptQ(accept, coding) {
  let star = 0;
  for (const part of String(accept ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';').map((x) => x.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (name === coding) return Number.isFinite(q) ? q : 0;
    if (name === '*') star = Number.isFinite(q) ? q : 0;
  }
  return star;
}

/**
 * The copy of `path` to send for `accept`: `{ path, info, coding }` of a current precompressed
 * copy (not older than the file) the client accepts, preferring br then gzip; else the file.
 */
export async function pickEncoding(path, info, accept, codings = ['br', 'gzip']) {
  for (const [coding, suffix] of CODINGS) {
    if (!codings.includes(coding) || acceptQ(accept, coding) <= 0) continue;
    const copy = await stat(path + suffix).catch(() => null);
    if (copy?.isFile() && copy.mtimeMs >= info.mtimeMs) return { path: path + suffix, info: copy, coding };
  }
  return { path, info, coding: null };
}

/**
 * Starts serving `root`; resolves to the http.Server once listening. `codings`: the
 * precompressed copies it may send (default br and gzip; [] sends every file as it is).
 */
export function serve({ root, port = 8080, host = '127.0.0.1', headers = SECURITY_HEADERS, quiet = false, codings = ['br', 'gzip'] }) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let path = normalize(join(base, decodeURIComponent(url.pathname)));
      if (path !== base && !path.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      let info = await stat(path).catch(() => null);
      if (info?.isDirectory()) {
        path = join(path, 'index.html');
        info = await stat(path).catch(() => null);
      }
      if (!info?.isFile() || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(info ? 405 : 404, headers).end();
        return;
      }
      // The precompressed copy the client accepts, if there is a current one.
      const sent = await pickEncoding(path, info, req.headers['accept-encoding'], codings);
      const encoding = sent.coding ? { 'Content-Encoding': sent.coding } : {};
      // Validators, as any static host sends: a revisit revalidates instead of downloading.
      // Each encoding of a file is its own representation, with its own validator.
      const etag = `"${sent.info.size.toString(16)}-${Math.floor(sent.info.mtimeMs).toString(16)}${sent.coding ? `-${sent.coding}` : ''}"`;
      const vary = { Vary: 'Accept-Encoding' };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ...headers, ...vary, ETag: etag, 'Cache-Control': 'no-cache' }).end();
        return;
      }
      const body = await readFile(sent.path);
      res.writeHead(200, {
        ETag: etag,
        ...headers,
        ...vary,
        ...encoding,
        'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((ok) => server.listen(port, host, () => {
    if (!quiet) console.log(`facegate: serving ${base} at http://${host}:${server.address().port}/ (Ctrl-C to stop)`);
    ok(server);
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  await serve({ root: arg('--root', 'www'), port: Number(arg('--port', 8080)) });
}
