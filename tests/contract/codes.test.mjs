// The JS contract's error codes, compared across every layer without a browser or a build:
// the engine's (Rust: the arms of `Error::code` in src/error.rs, and `EngineErrorCode` in
// npm/types/generated.d.ts, which the Rust test `generated_typescript_is_up_to_date` keeps equal
// to `Error::CODES`), the package's own (`PACKAGE_CODES` in npm/src/protocol.js, the one place
// they are written), the codes the wasm boundary, the worker, the wrapper and the file loader
// raise, the `.d.ts` union users see, and the messages of both of the page's languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CODE, PACKAGE_CODES } from '../../npm/src/protocol.js';
import en from '../../www/i18n/en.js';
import fr from '../../www/i18n/fr.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (p) => readFileSync(join(REPO, p), 'utf8');
/** The string literals of a TypeScript union `export type NAME = | 'a' | 'b';`. */
const union = (source, name) => {
  const m = source.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(m, `no union type ${name}`);
  return [...m[1].matchAll(/'([A-Za-z]+)'/g)].map((x) => x[1]);
};
const sorted = (xs) => [...xs].sort();

const rustArms = [...read('src/error.rs').matchAll(/Error::\w+(?: \{ \.\. \})? => "([a-zA-Z]+)",/g)].map((m) => m[1]);
const generated = read('npm/types/generated.d.ts');
const engine = union(generated, 'EngineErrorCode');
const declarations = read('npm/index.d.ts');
const all = new Set([...engine, ...PACKAGE_CODES]);

test('the engine codes: Rust and the generated TypeScript agree', () => {
  assert.ok(rustArms.length > 30, `only ${rustArms.length} arms of Error::code found: the scan is broken`);
  assert.deepEqual(engine, rustArms, 'npm/types/generated.d.ts is stale: FACEGATE_UPDATE_TYPES=1 cargo test --release -p facegate --lib generated_typescript');
  assert.equal(new Set(engine).size, engine.length, 'an engine code is used twice');
});

test('the package codes: written once, distinct from the engine codes, and typed in index.d.ts', () => {
  assert.equal(new Set(PACKAGE_CODES).size, PACKAGE_CODES.length, 'a package code is listed twice');
  assert.deepEqual(PACKAGE_CODES.filter((c) => engine.includes(c)), [], 'package codes that the engine already has');
  assert.deepEqual(sorted(union(declarations, 'PackageErrorCode')), sorted(PACKAGE_CODES), 'PackageErrorCode in index.d.ts differs from PACKAGE_CODES');
  assert.match(declarations, /export type ErrorCode = EngineErrorCode \| PackageErrorCode;/);
  assert.match(declarations, /readonly code: ErrorCode;/, 'FaceGateError.code is not typed as the union');
  for (const [name, value] of Object.entries(CODE)) {
    assert.equal(name, value);
    assert.ok(all.has(value), `CODE.${name} is neither an engine nor a package code`);
  }
});

test('every code the package JavaScript and the wasm boundary raise is a known code', () => {
  const sources = readdirSync(join(REPO, 'npm/src')).filter((f) => f.endsWith('.js') && f !== 'protocol.js');
  assert.ok(['worker.js', 'index.js', 'integrity.js'].every((f) => sources.includes(f)));
  for (const f of sources) {
    // Code lines only: a comment may describe an error by its code.
    const code = read(`npm/src/${f}`).split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n');
    const literal = [...code.matchAll(/\bcode:\s*(['"`])([^'"`]*)\1/g)].map((m) => m[2]);
    assert.deepEqual(literal, [], `${f} writes codes as literals: use CODE.name from protocol.js`);
    for (const m of code.matchAll(/\bCODE\.(\w+)/g)) assert.ok(m[1] in CODE, `${f} uses CODE.${m[1]}, which does not exist`);
  }
  for (const name of ['worker.js', 'index.js', 'integrity.js']) {
    assert.match(read(`npm/src/${name}`), /import \{[^}]*\bCODE\b[^}]*\} from '\.\/protocol\.js';/, `${name} does not import CODE`);
  }
  const boundary = read('facegate-wasm/src/boundary.rs');
  const raised = [...boundary.matchAll(/\bcoded\("([a-zA-Z]+)"/g)].map((m) => m[1]);
  assert.ok(raised.length >= 3, `only ${raised.length} codes found in facegate-wasm/src/boundary.rs: the scan is broken`);
  assert.deepEqual(raised.filter((c) => !all.has(c)), [], 'codes facegate-wasm/src/boundary.rs raises that no list has');
});

test('every code has a message in English and in French', () => {
  for (const [lang, strings] of [['en', en], ['fr', fr]]) {
    const missing = [...all].filter((c) => typeof strings[`error_${c}`] !== 'string' || !strings[`error_${c}`].trim());
    assert.deepEqual(missing, [], `error codes without a message in www/i18n/${lang}.js`);
  }
});
