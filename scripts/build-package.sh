#!/usr/bin/env bash
# Builds the npm package `facegate` into target/npm/facegate (and, with --pack, the tarball
# target/npm/facegate-<version>.tgz). Installs the wasm target and wasm-bindgen-cli at the exact
# version Cargo.lock pins when they are missing.
#
#   bash scripts/build-package.sh [--pack]
#
# For measuring variants (node bench/run.mjs --package DIR), all optional:
#   FACEGATE_WASM_PROFILE=release        cargo profile of the wasm (default: wasm)
#   FACEGATE_WASM_RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd"
#   CARGO_TARGET_DIR=target/variant      keep a variant's build apart from the default one
#   FACEGATE_PACKAGE_OUT=target/npm-variant/facegate
#   FACEGATE_SKIP_RELAXED=1                no relaxed-SIMD build (quicker, for development)
#   FACEGATE_THREADS=auto (default)        also the threaded build, when nightly Rust can make
#                                          it (else said clearly, and the package ships without);
#                                          =1: the build fails without it; =0: none
#   FACEGATE_THREADS_RUSTFLAGS="-C target-feature=+simd128"   the threaded build's SIMD
#
# The module is the workspace crate facegate-wasm (the wasm-bindgen boundary over facegate's
# public API); wasm-bindgen names its output `facegate` (facegate.js, facegate_bg.wasm), the
# package's file names.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
ensure_wasm_target
ensure_wasm_bindgen

out=${FACEGATE_PACKAGE_OUT:-target/npm/facegate}
profile=${FACEGATE_WASM_PROFILE:-wasm}
if [ -n "${FACEGATE_WASM_RUSTFLAGS:-}" ]; then
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$FACEGATE_WASM_RUSTFLAGS"
fi
cargo build --profile "$profile" --target wasm32-unknown-unknown -p facegate-wasm --lib
rm -rf "$out" && mkdir -p "$out/wasm" "$out/models"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-name facegate \
  --out-dir "$out/wasm" "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$profile/facegate_wasm.wasm"

# A second build with relaxed SIMD (tract's FMA kernels): the worker picks it at load time where
# the browser supports it (Chromium does; Safari refuses such modules). Same source, so the same
# JS glue: only the .wasm differs, and the script checks that.
if [ -z "${FACEGATE_SKIP_RELAXED:-}" ]; then
  relaxed_target=${CARGO_TARGET_DIR:-target}/relaxed-simd
  CARGO_TARGET_DIR=$relaxed_target \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
    cargo build --profile "$profile" --target wasm32-unknown-unknown -p facegate-wasm --lib
  glue=$(mktemp -d)
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-name facegate \
    --out-dir "$glue" "$relaxed_target/wasm32-unknown-unknown/$profile/facegate_wasm.wasm"
  cmp -s "$glue/facegate.js" "$out/wasm/facegate.js" || { echo "the relaxed-SIMD build's JS glue differs" >&2; exit 1; }
  mv "$glue/facegate_bg.wasm" "$out/wasm/facegate_relaxed_bg.wasm"
  rm -rf "$glue"
fi

# A third build with threads (wasm atomics and shared memory, so std is rebuilt with them: nightly
# Rust and `-Z build-std`): tract's matrix products on a pool of nested Web Workers
# (wasm-bindgen-rayon). The worker picks it where the page is cross-origin isolated. Its JS glue
# differs (shared memory, the pool's entry points), so it lives apart in wasm/threads/.
threads_feature=${FACEGATE_THREADS_RUSTFLAGS:-"-C target-feature=+simd128,+relaxed-simd"}
build_threads() {
  ensure_nightly_rust_src || return 1
  local target=${CARGO_TARGET_DIR:-target}/threads
  # The memory must be imported and shared (rustc no longer asks wasm-ld for it by itself), with
  # a declared maximum (4 GiB, as the single-thread builds may grow to), and the TLS entry points
  # exported for wasm-bindgen's thread set-up. These are link arguments of facegate-wasm's own wasm
  # only (`cargo rustc -- ...`), so that changing them does not rebuild std and every crate.
  local link="-C link-arg=--shared-memory -C link-arg=--import-memory"
  link="$link -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
  # shellcheck disable=SC2086
  CARGO_TARGET_DIR=$target \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$threads_feature -C target-feature=+atomics,+bulk-memory,+mutable-globals -C link-arg=--max-memory=4294967296" \
    cargo +nightly rustc -Z build-std=panic_abort,std --profile "$profile" --target wasm32-unknown-unknown -p facegate-wasm --lib --features threads -- $link || return 1
  rm -rf "$out/wasm/threads"
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-name facegate \
    --out-dir "$out/wasm/threads" "$target/wasm32-unknown-unknown/$profile/facegate_wasm.wasm" || return 1
  # zxcvbn times its estimate with a clock the module imports from "zxcvbn" in this build only
  # (its `custom_wasm_env` feature: its default browser clock cannot be read with atomics on; see
  # Cargo.toml). facegate never reads that time: a local module answers 0 (a u64, so a BigInt).
  local glue="$out/wasm/threads/facegate.js"
  [ "$(grep -c '^import \* as [a-z0-9_]* from "zxcvbn"$' "$glue")" = 1 ] || { echo "the threaded glue's import of zxcvbn's clock was not found" >&2; return 1; }
  sed -i 's|^\(import \* as [a-z0-9_]*\) from "zxcvbn"$|\1 from "./zxcvbn-clock.js"|' "$glue"
  printf '%s\n' "// Generated by scripts/build-package.sh: zxcvbn's clock (custom_wasm_env) in the threaded build." \
    "// zxcvbn only times its passphrase estimate with it, and facegate never reads that time." \
    "export const unix_time_milliseconds_imported = () => 0n;" >"$out/wasm/threads/zxcvbn-clock.js"
  # wasm-bindgen-rayon's worker script imports the glue as '../../..' (the package folder, as a
  # bundler resolves it through package.json); name the file, so that browsers load it as is.
  local helpers
  helpers=$(find "$out/wasm/threads/snippets" -name workerHelpers.js)
  [ "$(grep -c "'\.\./\.\./\.\.'" "$helpers")" = 1 ] || { echo "wasm-bindgen-rayon's workerHelpers.js changed: its import of the glue was not found" >&2; return 1; }
  sed -i "s|'\.\./\.\./\.\.'|'../../../facegate.js'|" "$helpers"
}
if [ "${FACEGATE_THREADS:-auto}" = 0 ]; then
  echo "facegate: threaded build skipped (FACEGATE_THREADS=0)"
elif ! build_threads; then
  rm -rf "$out/wasm/threads"
  [ "${FACEGATE_THREADS:-}" = 1 ] && { echo "facegate: the threaded build failed (FACEGATE_THREADS=1)" >&2; exit 1; }
  echo "facegate: WARNING: the threaded wasm build could not be made (nightly Rust with rust-src is needed);" >&2
  echo "facegate: the package ships the single-thread builds only, and FaceGate.load uses one thread." >&2
fi

cp npm/src/*.js npm/index.d.ts npm/package.json npm/README.md "$out/"
# The declarations generated from the Rust types, which index.d.ts imports.
mkdir -p "$out/types" && cp npm/types/*.d.ts "$out/types/"
cp models/*.onnx models/LICENSE-*.txt "$out/models/"
cp LICENSE-MIT LICENSE-APACHE "$out/"

# The manifest: size and SHA-256 of every file the worker fetches, checked before use.
entry() { printf '  %s: { file: "%s", bytes: %s, sha256: "%s" },\n' "$1" "$(basename "$2")" "$(wc -c <"$2")" "$(sha256sum "$2" | cut -d' ' -f1)"; }
{
  echo "// Generated by scripts/build-package.sh: the files the worker loads, with their SHA-256."
  echo "export const MANIFEST = Object.freeze({"
  entry wasm "$out/wasm/facegate_bg.wasm"
  if [ -f "$out/wasm/facegate_relaxed_bg.wasm" ]; then entry wasmRelaxed "$out/wasm/facegate_relaxed_bg.wasm"; fi
  if [ -f "$out/wasm/threads/facegate_bg.wasm" ]; then
    entry wasmThreads "$out/wasm/threads/facegate_bg.wasm"
    case "$threads_feature" in *relaxed-simd*) echo '  wasmThreadsNeedsRelaxedSimd: true,' ;; *) echo '  wasmThreadsNeedsRelaxedSimd: false,' ;; esac
  fi
  entry detector "$out/models/face_detection_yunet_2023mar_int8bq.onnx"
  entry recognizer "$out/models/face_recognition_sface_2021dec_int8bq.onnx"
  echo "});"
} >"$out/manifest.js"

for w in "$out"/wasm/*.wasm "$out"/wasm/threads/*.wasm; do
  [ -f "$w" ] || continue
  echo "built $w: $(wc -c <"$w") bytes raw, $(gzip -9c "$w" | wc -c) bytes gzip"
done
if [ "${1:-}" = "--pack" ]; then
  (cd "$(dirname "$out")" && npm pack --silent "./$(basename "$out")" >/dev/null)
  ls -l "$(dirname "$out")"/facegate-*.tgz
fi
