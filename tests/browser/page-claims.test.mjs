// docs/privacy kept true, without a browser: every claim (TM-n in threat-model.md, DPIA-n in
// dpia.md) names tests that exist, one of which names the claim's id; no test and no page file
// names an id the docs do not define; requirements.md maps each of PRIVACY.md's 20 requirements
// to tests that exist (a renamed or deleted test breaks the map). Plus the static part of DPIA-5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const DOCS = join(REPO, 'docs/privacy');
const ID = /\b(?:TM|DPIA)-\d+\b/g;

/** The test references in a piece of markdown: `path#name`. */
function references(text) {
  return [...text.matchAll(/`((?:tests|src)\/[^`#]+\.(?:mjs|rs)#[^`]+)`/g)].map((m) => {
    const at = m[1].indexOf('#');
    return { path: m[1].slice(0, at), name: m[1].slice(at + 1) };
  });
}

/** Whether the referenced test exists: a Rust fn of that name, or a JS test of exactly that title. */
function exists({ path, name }) {
  const file = join(REPO, path);
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  if (path.endsWith('.rs')) return new RegExp(`fn ${name}\\(`).test(text);
  const unescaped = text.replace(/\\'/g, "'");
  return [`'${name}'`, `"${name}"`, `\`${name}\``].some((literal) => unescaped.includes(literal));
}

/** The claims of docs/privacy: `{ id, file, refs }`. */
function claims() {
  const out = [];
  for (const file of ['threat-model.md', 'dpia.md']) {
    const text = readFileSync(join(DOCS, file), 'utf8');
    const blocks = text.split(/\n(?=- \*\*|#)/);
    for (const block of blocks) {
      const m = /^- \*\*((?:TM|DPIA)-\d+)\*\*/.exec(block);
      if (m) out.push({ id: m[1], file, refs: references(block.split(/\n\n/)[0]) });
    }
  }
  return out;
}

function filesUnder(dir, keep) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== 'node_modules' && entry !== 'pkg' && entry !== 'fixtures' && entry !== 'fuzz-corpus') out.push(...filesUnder(p, keep));
    } else if (keep(p)) {
      out.push(p);
    }
  }
  return out;
}

test('every claim in docs/privacy names tests that exist and name it; no test or page file names an unknown claim', () => {
  const all = claims();
  const ids = all.map((c) => c.id);
  assert.ok(all.length >= 10, `only ${all.length} claims found: the parser is broken`);
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'claim ids defined twice');
  for (const family of ['TM', 'DPIA']) {
    const numbers = ids.filter((id) => id.startsWith(`${family}-`)).map((id) => Number(id.split('-')[1]));
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1), `${family} ids are not numbered 1..n in order`);
  }
  for (const claim of all) {
    assert.ok(claim.refs.length > 0, `${claim.id} (${claim.file}) names no test`);
    const missing = claim.refs.filter((r) => !exists(r));
    assert.deepEqual(missing, [], `${claim.id} names tests that do not exist`);
    assert.ok(claim.refs.some((r) => new RegExp(`\\b${claim.id}\\b`).test(r.name)), `${claim.id}: none of its tests names it in its title`);
  }
  // Ids named in the tests and in the page's code must be defined.
  const named = filesUnder(join(REPO, 'tests'), (p) => /\.(mjs|rs|js)$/.test(p))
    .concat(filesUnder(join(REPO, 'www'), (p) => /\.(js|html|css)$/.test(p)));
  const unknown = [];
  for (const file of named) {
    for (const m of readFileSync(file, 'utf8').matchAll(ID)) if (!ids.includes(m[0])) unknown.push(`${relative(REPO, file)}: ${m[0]}`);
  }
  assert.deepEqual(unknown, [], 'ids named in tests or page files that docs/privacy does not define');
});

test('requirements.md maps each of the 20 requirements of PRIVACY.md to tests that exist', () => {
  const text = readFileSync(join(DOCS, 'requirements.md'), 'utf8');
  const rows = [...text.matchAll(/^\| (\d+) \|([^\n]*)$/gm)].map((m) => ({ n: Number(m[1]), refs: references(m[2]) }));
  assert.deepEqual(rows.map((r) => r.n), Array.from({ length: 20 }, (_, i) => i + 1), 'one row per requirement, 1 to 20, in order');
  const covered = rows.filter((r) => r.refs.length > 0 && r.refs.every(exists));
  for (const row of rows) {
    assert.ok(row.refs.length > 0, `requirement ${row.n} names no test`);
    assert.deepEqual(row.refs.filter((r) => !exists(r)), [], `requirement ${row.n} names tests that do not exist`);
  }
  console.log(`privacy requirements covered: ${covered.length}/20 (${rows.reduce((n, r) => n + r.refs.length, 0)} test references)`);
  assert.equal(covered.length, 20);
});

test('DPIA-5 verification first: one reference by default, no URL, folder or multiple-file input', () => {
  const html = readFileSync(join(REPO, 'www/index.html'), 'utf8');
  const inputs = [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(inputs.length > 5, 'no inputs found: the scan is broken');
  assert.deepEqual(inputs.filter((i) => /type="url"|webkitdirectory|\bdirectory\b|\bmultiple\b/.test(i)), [], 'URL, folder or multiple-file inputs');
  const files = inputs.filter((i) => /type="file"/.test(i));
  assert.ok(files.length >= 2, 'the photo and import file inputs');
  assert.deepEqual(files.filter((i) => !/accept="/.test(i)), [], 'every file input names what it accepts');
  // The check screen compares with one reference unless the user chooses all of them.
  const modes = inputs.filter((i) => /name="check-mode"/.test(i));
  assert.deepEqual(modes.map((i) => [/value="(\w+)"/.exec(i)[1], /\bchecked\b/.test(i)]), [['verify', true], ['identify', false]]);
  // No code of the page fetches a user-given URL: every fetch() names one of the page's files.
  for (const f of readdirSync(join(REPO, 'www/js')).filter((n) => n.endsWith('.js'))) {
    const code = readFileSync(join(REPO, 'www/js', f), 'utf8');
    for (const m of code.matchAll(/\bfetch\(([^,)]*)/g)) {
      assert.match(m[1].trim(), /^'[\w./-]+'$/, `www/js/${f}: fetch(${m[1]}) is not a fixed file of the page`);
    }
  }
});
