// The page's files, checked without a browser: both string sets complete and matching, every
// string the markup and code use exists, the page's own errors have a message, the service worker
// caches every page file and only an allowlist, the meta CSP, the served headers and the policy
// are one, the calibration matches the shipped thresholds, and the page has no storage, cookie
// or external-URL code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { REPO } from './helpers.mjs';
import { POLICY, SECURITY_HEADERS } from '../../scripts/serve.mjs';
import { cspSet } from './privacy-helpers.mjs';
import en from '../../www/i18n/en.js';
import fr from '../../www/i18n/fr.js';

const WWW = join(REPO, 'www');
const read = (p) => readFileSync(join(WWW, p), 'utf8');
const jsFiles = readdirSync(join(WWW, 'js')).filter((f) => f.endsWith('.js')).map((f) => `js/${f}`);
// `{name}` and the plural form `{name|one|other}` (js/i18n.js).
const placeholders = (s) => [...s.matchAll(/\{(\w+)(?:\|[^|}]*\|[^|}]*)?\}/g)].map((m) => m[1]).sort();

test('English and French have the same keys, every string non-empty, same placeholders', () => {
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
  for (const [key, value] of Object.entries(en)) {
    assert.ok(typeof value === 'string' && value.trim(), `en.${key} is empty`);
    assert.ok(typeof fr[key] === 'string' && fr[key].trim(), `fr.${key} is empty`);
    assert.deepEqual(placeholders(fr[key]), placeholders(value), `placeholders of ${key} differ`);
  }
  assert.ok(Object.keys(en).length > 200, 'the string sets look truncated');
});

test('every string the markup and the code use exists', () => {
  const html = read('index.html');
  const used = new Set([...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]));
  for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(',')) used.add(pair.split(':')[1].trim());
  for (const f of jsFiles) {
    const code = read(f).split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
    for (const m of code.matchAll(/\bt\('([A-Za-z_]+)'/g)) used.add(m[1]);
    for (const m of code.matchAll(/\[\s*'(nutrition[A-Za-z]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100, `only ${used.size} keys found: the scan is broken`);
  const missing = [...used].filter((k) => !(k in en));
  assert.deepEqual(missing, [], 'keys used but not defined');
});

test('every error code of the page itself has its own message', () => {
  // The engine's and the package's codes: tests/contract/codes.test.mjs (from their one source each).
  const missing = ['cameraUnavailable', 'policyMissing', 'engineOffline', 'reloadNormally'].filter((c) => !(`error_${c}` in en));
  assert.deepEqual(missing, [], 'error codes without a message');
});

test('the service worker caches every file of the page, and only an allowlist of them', () => {
  const sw = read('sw.js');
  const list = (name) => JSON.parse(sw.match(new RegExp(`const ${name} = (\\[[\\s\\S]*?\\]);`))[1].replace(/'/g, '"').replace(/,\s*\]/, ']'));
  const shell = list('SHELL');
  const engine = list('ENGINE');
  const pageFiles = ['index.html', 'style.css', 'calibration.json', 'policy.js', ...jsFiles, ...readdirSync(join(WWW, 'i18n')).filter((f) => f.endsWith('.js')).map((f) => `i18n/${f}`)];
  const cached = [...shell, ...engine];
  assert.deepEqual(pageFiles.filter((f) => !cached.includes(f)), [], 'page files the service worker would not cache');
  assert.deepEqual(cached.filter((f) => f !== './' && !f.startsWith('pkg/') && !pageFiles.includes(f)), [], 'cached names that are not page files');
  // The package files the page imports statically (before consent); the engine comes after it.
  for (const f of ['pkg/index.js', 'pkg/image.js', 'pkg/protocol.js', 'pkg/manifest.js']) assert.ok(shell.includes(f), `${f} not in the shell`);
  assert.deepEqual(shell.filter((f) => /\.(wasm|onnx)$/.test(f) || f === 'js/facegate-worker.js'), [], 'the shell (fetched before consent) holds no engine file');
  // TM-4: another origin, or a method other than GET/HEAD, gets a network error.
  assert.match(sw, /const refused = url\.origin !== self\.location\.origin \|\| \(request\.method !== 'GET' && request\.method !== 'HEAD'\);/);
  assert.match(sw, /if \(refused\) \{\s*event\.respondWith\(Response\.error\(\)\);/);
});

test('TM-2 one policy: the meta CSP, the served headers and the service worker\'s are the same directive sets', () => {
  const metaText = read('index.html').match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  const policyCsp = cspSet(POLICY.headers['Content-Security-Policy']);
  // A meta CSP cannot carry frame-ancestors (browsers ignore it there): everything else is equal.
  assert.deepEqual(cspSet(metaText), policyCsp.filter(([d]) => d !== 'frame-ancestors'));
  assert.equal(metaText, POLICY.metaCsp);
  assert.deepEqual(cspSet(SECURITY_HEADERS['Content-Security-Policy']), policyCsp);
  assert.deepEqual(SECURITY_HEADERS, POLICY.headers, 'scripts/serve.mjs sends exactly the policy');
  const csp = Object.fromEntries(policyCsp);
  assert.deepEqual(csp['default-src'], ["'none'"]);
  assert.deepEqual(csp['connect-src'], ["'self'"]);
  assert.deepEqual(csp['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(csp['frame-ancestors'], ["'none'"]);
  assert.deepEqual(csp['worker-src'], ["'self'"]);
  assert.equal(POLICY.headers['Permissions-Policy'], 'camera=(self), microphone=(), geolocation=()');
  assert.equal(POLICY.headers['Referrer-Policy'], 'no-referrer');
  assert.equal(POLICY.headers['Cross-Origin-Opener-Policy'], 'same-origin');
  assert.equal(POLICY.headers['Cross-Origin-Embedder-Policy'], 'require-corp');
  assert.equal(POLICY.headers['Cross-Origin-Resource-Policy'], 'same-origin');
  // The service worker sets every header of the same object on what it serves.
  const sw = read('sw.js');
  assert.match(sw, /^importScripts\('policy\.js'\);$/m);
  assert.match(sw, /for \(const \[name, value\] of Object\.entries\(FACEGATE_POLICY\.headers\)\) headers\.set\(name, value\);/);
  // The frame check runs first, before the page's scripts and styles.
  const head = read('index.html').split('</head>')[0];
  assert.ok(head.indexOf('js/frame-check.js') < head.indexOf('style.css') && head.indexOf('js/frame-check.js') < head.indexOf('js/app.js'));
  assert.ok(head.indexOf('http-equiv="Content-Security-Policy"') < head.indexOf('<script'), 'the meta CSP comes before any script');
});

test('the calibration curve ships the thresholds the engine uses', () => {
  const cal = JSON.parse(read('calibration.json'));
  const rust = readFileSync(join(REPO, 'src/decision.rs'), 'utf8');
  const thresholds = ['Fmr1e2', 'Fmr1e3', 'Fmr1e4'].map((p) => Number(rust.match(new RegExp(`OperatingPoint::${p} => ([0-9.]+),`))[1]));
  assert.deepEqual(cal.shipped.map((s) => s.threshold), thresholds);
  // Each shipped threshold's measured false-match rate is near its name (1e-2, 1e-3, 1e-4).
  cal.shipped.forEach((s, i) => assert.ok(Math.abs(Math.log10(s.fmr) + 2 + i) < 0.1, `${s.name}: fmr ${s.fmr}`));
  assert.ok(cal.curve.length > 100 && cal.impostors > 1e6);
  for (let i = 1; i < cal.curve.length; i += 1) {
    assert.ok(cal.curve[i].fmr <= cal.curve[i - 1].fmr && cal.curve[i].fnmr >= cal.curve[i - 1].fnmr, 'curves must be monotone');
  }
});

test('the page has no storage, cookie, tracking or external-URL code', () => {
  for (const f of [...jsFiles, 'sw.js', 'index.html', 'style.css']) {
    const text = read(f);
    for (const banned of ['localStorage', 'sessionStorage', 'indexedDB', 'document.cookie', 'sendBeacon', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'RTCPeerConnection', '@import', '@font-face']) {
      assert.ok(!text.includes(banned), `${f} uses ${banned}`);
    }
    assert.deepEqual([...text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi)].map((m) => m[0]), [], `${f} names an external URL`);
  }
});
