// What a wasm build is made of: bytes per section (raw and gzip -9), and with --crates the code
// bytes per Rust crate (from the function names of a build that kept its name section).
//
//   node bench/wasm-size.mjs target/npm/facegate/wasm/facegate_bg.wasm
//   node bench/wasm-size.mjs --crates [--top N (default 25)] target/wasm32-unknown-unknown/wasm/facegate_wasm.wasm
//
// The package's wasm files have their name section removed (wasm-bindgen
// --remove-name-section), so per-crate figures need cargo's output before wasm-bindgen.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const SECTIONS = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count', 'tag'];

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** Sections of a wasm module: `{ id, name, start, size }` (start of the payload). */
export function sections(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    let name = SECTIONS[id] ?? `unknown ${id}`;
    if (id === 0) {
      const [len, p] = leb(bytes, start);
      name = `custom "${bytes.subarray(p, p + len).toString('utf8')}"`;
    }
    out.push({ id, name, start, size });
    at = start + size;
  }
  return out;
}

/** Function names from the name section: index -> name. */
function functionNames(bytes, secs) {
  const names = new Map();
  const s = secs.find((x) => x.name === 'custom "name"');
  if (!s) return names;
  let [len, at] = leb(bytes, s.start);
  at += len;
  const end = s.start + s.size;
  while (at < end) {
    const kind = bytes[at];
    const [size, p] = leb(bytes, at + 1);
    if (kind === 1) {
      let [count, q] = leb(bytes, p);
      for (let i = 0; i < count; i++) {
        let idx;
        let n;
        [idx, q] = leb(bytes, q);
        [n, q] = leb(bytes, q);
        names.set(idx, bytes.subarray(q, q + n).toString('utf8'));
        q += n;
      }
    }
    at = p + size;
  }
  return names;
}

/** Imported functions come first in the function index space. */
function importedFunctions(bytes, secs) {
  const s = secs.find((x) => x.id === 2);
  if (!s) return 0;
  let [count, at] = leb(bytes, s.start);
  let funcs = 0;
  for (let i = 0; i < count; i++) {
    let n;
    [n, at] = leb(bytes, at);
    at += n;
    [n, at] = leb(bytes, at);
    at += n;
    const kind = bytes[at++];
    if (kind === 0) {
      funcs++;
      [, at] = leb(bytes, at);
    } else if (kind === 1) {
      at += 1;
      const flags = bytes[at++];
      [, at] = leb(bytes, at);
      if (flags & 1) [, at] = leb(bytes, at);
    } else if (kind === 2) {
      const flags = bytes[at++];
      [, at] = leb(bytes, at);
      if (flags & 1) [, at] = leb(bytes, at);
    } else if (kind === 3) {
      at += 2;
    } else {
      at += 1;
      [, at] = leb(bytes, at);
    }
  }
  return funcs;
}

/** The crate a (demangled or mangled) Rust symbol belongs to. */
function crateOf(name) {
  // Legacy mangling: `_ZN` then length-prefixed path components; the first names the crate, or
  // is an impl `_$LT$Type$u20$as$u20$Trait$GT$`.
  const legacy = name.match(/^_ZN(\d+)/);
  if (legacy) name = `${name.substr(legacy[0].length, Number(legacy[1]))}..`;
  // `<tract_core::ops::Foo as tract_core::ops::EvalOp>::eval`, also as `_$LT$tract_core..ops..Foo$u20$as...`:
  // the crate of the type.
  const m = name.replace(/^_?(?:\$LT\$|<|&)+/, '').match(/^([a-z_][a-z0-9_]*)(?:::|\.\.)/);
  return m ? m[1] : '(unnamed)';
}

/** Code bytes per crate: `[[crate, bytes], ...]`, largest first. */
function codePerCrate(bytes, secs) {
  const code = secs.find((x) => x.id === 10);
  const names = functionNames(bytes, secs);
  const first = importedFunctions(bytes, secs);
  const per = new Map();
  let [count, at] = leb(bytes, code.start);
  for (let i = 0; i < count; i++) {
    const [size, body] = leb(bytes, at);
    const crate = crateOf(names.get(first + i) ?? '');
    per.set(crate, (per.get(crate) ?? 0) + size + (body - at));
    at = body + size;
  }
  return [...per].sort((a, b) => b[1] - a[1]);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const crates = args.includes('--crates');
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  if (!Number.isInteger(top) || top < 1) throw new Error('--top needs a whole number of crates, 1 or more');
  const file = args.find((a) => !a.startsWith('--'));
  const bytes = readFileSync(file);
  const secs = sections(bytes);
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  console.log(`${file}: ${bytes.length} bytes raw, ${gz(bytes)} gzip -9`);
  console.log('| section | bytes | share | gzip -9 alone |');
  console.log('|---|---|---|---|');
  for (const s of secs) {
    console.log(`| ${s.name} | ${s.size} | ${((100 * s.size) / bytes.length).toFixed(1)} % | ${gz(bytes.subarray(s.start, s.start + s.size))} |`);
  }
  if (crates) {
    const per = codePerCrate(bytes, secs);
    const total = per.reduce((n, [, b]) => n + b, 0);
    console.log('\n| crate | code bytes | share of code |');
    console.log('|---|---|---|');
    for (const [c, b] of per.slice(0, top)) console.log(`| ${c} | ${b} | ${((100 * b) / total).toFixed(1)} % |`);
  }
}
