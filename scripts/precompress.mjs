// Writes precompressed copies of a static site's files, for servers that pick them by the
// request's Accept-Encoding (scripts/serve.mjs does; so do nginx's gzip_static/brotli_static
// and Caddy's `precompressed`):
//
//   node scripts/precompress.mjs DIR...
//
// Next to each compressible file (HTML, JS, CSS, JSON, wasm, ONNX models, SVG, text) it writes
// FILE.br (Brotli, quality 11) and FILE.gz (gzip, level 9), with Node's own zlib (Google's
// Brotli and zlib). A copy is written after its file, so it is newer; it is rewritten only when
// it is missing or older than its file (servers send no older copy), so a second run costs a few
// milliseconds; a copy that would save less than 5 % is not kept, so
// servers send the file itself. Prints one line per directory: files, bytes raw / gzip / br.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file types worth compressing (images and archives are compressed already). */
export const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.onnx', '.svg', '.txt', '.md', '.webmanifest', '.map']);
/** A copy is kept only when it is at most this fraction of the file. */
const KEEP_BELOW = 0.95;

const ENCODERS = {
  br: (bytes) => brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      [constants.BROTLI_PARAM_MODE]: /^[\x09\x0a\x0d\x20-\x7e]*$/.test(bytes.subarray(0, 512).toString('latin1')) ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
    },
  }),
  gz: (bytes) => gzipSync(bytes, { level: 9 }),
};

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile() && COMPRESSIBLE.has(extname(entry.name))) yield path;
  }
}

/** A copy's modification time: its source's, rounded up to the millisecond, plus one. A Date
 *  holds milliseconds and a file system nanoseconds, and utimes passes the time as seconds in a
 *  double (steps of about 240 ns today): a source written at ...565999249 ns, rounded up to
 *  ...566 ms, was stamped ...565999000 ns, older than its source, and never served. */
function sameOrLater(info) {
  return new Date(Math.ceil(info.mtimeMs) + 1);
}

/** Brings the .br and .gz copies under `dir` up to date; returns `{ files, raw, gz, br }` bytes on the wire. */
export function precompress(dir) {
  const total = { files: 0, raw: 0, gz: 0, br: 0 };
  for (const path of files(dir)) {
    const info = statSync(path);
    let bytes = null;
    total.files += 1;
    total.raw += info.size;
    for (const [suffix, encode] of Object.entries(ENCODERS)) {
      const copy = `${path}.${suffix}`;
      const old = statSync(copy, { throwIfNoEntry: false });
      const skipped = statSync(`${copy}.none`, { throwIfNoEntry: false });
      if (old && old.mtimeMs >= info.mtimeMs) {
        total[suffix] += old.size;
        continue;
      }
      if (skipped && skipped.mtimeMs >= info.mtimeMs) {
        total[suffix] += info.size;
        continue;
      }
      bytes ??= readFileSync(path);
      const packed = encode(bytes);
      // Each copy (or marker) carries its source's modification time: it is a copy of that
      // version, even when the source's time is ahead of the clock (a file copied from elsewhere).
      if (packed.length <= bytes.length * KEEP_BELOW) {
        writeFileSync(copy, packed);
        utimesSync(copy, info.atime, sameOrLater(info));
        rmSync(`${copy}.none`, { force: true });
        total[suffix] += packed.length;
      } else {
        // Not worth it: a marker remembers the decision until the file changes.
        rmSync(copy, { force: true });
        writeFileSync(`${copy}.none`, '');
        utimesSync(`${copy}.none`, info.atime, sameOrLater(info));
        total[suffix] += bytes.length;
      }
    }
  }
  return total;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    console.error('usage: node scripts/precompress.mjs DIR...');
    process.exit(2);
  }
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  for (const dir of dirs) {
    const started = Date.now();
    const t = precompress(dir);
    console.log(`facegate: precompressed ${dir}: ${t.files} files, raw ${mb(t.raw)}, gzip ${mb(t.gz)}, brotli ${mb(t.br)} (${Date.now() - started} ms)`);
  }
}
