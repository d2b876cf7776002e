#!/usr/bin/env bash
# Runs every facegate test, installing what a fresh machine lacks first:
#
#   bash scripts/test.sh
#
# 1. set-up: Rust wasm target, wasm-bindgen-cli (the exact Cargo.lock version), Debian
#    chromium + chromium-driver, firefox-esr + geckodriver (crates.io), webkit2gtk-driver + xvfb,
#    npm packages (package-lock.json; tests/webdriver/package-lock.json);
# 2. hygiene: `cargo fmt --check` (rustfmt.toml), `cargo clippy -D warnings` over the workspace's
#    native targets and the browser boundary's wasm build (facegate-wasm), and the library's docs
#    built with warnings as errors (a broken intra-doc link fails) (about 1 s when nothing
#    changed, about 5 min cold);
# 3. native unit, integration, golden and README tests (release build: the real models are
#    slow unoptimised), including that the core crate has no wasm-bindgen dependency natively
#    (tests/native_dependencies.rs);
# 4. the wasm boundary (facegate-wasm) in headless Chromium (wasm-bindgen-test);
# 5. the npm package (built, packed) in Chromium: plain page, Vite app, integrity; the page
#    (www/, as scripts/demo.sh serves it): consent, full flow, erasure, export, offline, the
#    visitor's experience, phone and desktop screenshots; the page's core flow in Firefox ESR and
#    in WebKitGTK (the simd128 build: WebKit has no relaxed SIMD);
# 6. the LFW development evaluation, when ../shared/data/lfw-devtrain is present.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

# Each step's heading says how long the run has taken so far (the README's times come from it).
step() { printf '\n=== [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

step "set-up"
ensure_wasm_target
ensure_rust_components
ensure_wasm_bindgen
ensure_chromium
ensure_firefox
ensure_webkit
ensure_node_modules
ensure_webdriver_client
cargo --version && wasm-bindgen --version && chromium --version && node --version
firefox-esr --version && geckodriver --version | head -1 && dpkg-query -W libwebkit2gtk-4.1-0

step "hygiene (cargo fmt --check, cargo clippy -D warnings: native and wasm32; cargo doc -D warnings)"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p facegate -p facegate-wasm --target wasm32-unknown-unknown --lib -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p facegate

step "native tests (cargo test --release --workspace)"
cargo test --release --workspace

step "the JS contract: error codes of every layer, tsc --noEmit over the declarations (tests/contract)"
node --test tests/contract/

step "wasm boundary in headless Chromium (wasm-bindgen-test)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 \
  cargo test --release -p facegate-wasm --target wasm32-unknown-unknown --test wasm_boundary

step "npm package and page built (scripts/demo.sh --build-only, npm pack)"
bash scripts/demo.sh --build-only
# The build falls back to one thread when the threaded wasm cannot be made; here that is a failure.
[ "${FACEGATE_THREADS:-auto}" = 0 ] || [ -f target/npm/facegate/wasm/threads/facegate_bg.wasm ] ||
  { echo "facegate: the threaded wasm build is missing (see the build's WARNING above)" >&2; exit 1; }
rm -f target/npm/facegate-*.tgz
(cd target/npm && npm pack --silent ./facegate >/dev/null && ls -l facegate-*.tgz)
step "browser, package and page tests (tests/browser/)"
# Firefox and WebKit were installed above: their tests must run, not skip.
FACEGATE_REQUIRE_BROWSERS=1 node --test --test-concurrency=1 tests/browser/

lfw=${FACEGATE_LFW:-../shared/data/lfw-devtrain}
if [ -f "$lfw/pairs.tsv" ]; then
  step "LFW View 1 train evaluation ($lfw)"
  cargo run --release -q -p facegate-cli -- eval --pairs "$lfw/pairs.tsv" --root "$lfw" \
    --impostors all --select nearest-center --out out/eval-lfw-devtrain
else
  step "LFW evaluation skipped: $lfw/pairs.tsv not found"
fi
step "all tests passed"
