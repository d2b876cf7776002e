#!/usr/bin/env bash
# Builds what is missing and serves the facegate page (www/) on 127.0.0.1:
#
#   bash scripts/demo.sh [--port N] [--build-only]
#
# - installs the wasm target and wasm-bindgen-cli (the exact Cargo.lock version) if missing;
# - builds the npm package (scripts/build-package.sh) and copies it into www/pkg, unless www/pkg
#   was already built from exactly these sources (a hash of src/, npm/, models/, Cargo.*, the
#   toolchain): running it twice in a row builds nothing the second time;
# - writes precompressed copies of the page's files (scripts/precompress.mjs: FILE.br, FILE.gz);
# - serves www/ with the page's security headers and the copies the browser accepts
#   (scripts/serve.mjs), and prints the URL.
#
# www/ is then a complete static site: copy it to any static host as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

port=8080
build_only=
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    *) echo "usage: bash scripts/demo.sh [--port N] [--build-only]" >&2; exit 2 ;;
  esac
done

# What www/pkg is built from. Any change here means a rebuild.
inputs_hash() {
  {
    find src facegate-wasm/src facegate-wasm/Cargo.toml npm models .cargo Cargo.toml Cargo.lock scripts/build-package.sh scripts/lib/toolchain.sh -type f -print0 | sort -z | xargs -0 sha256sum
    rustc -V 2>/dev/null || true
    rustup run nightly rustc -V 2>/dev/null || true
    wasm-bindgen --version 2>/dev/null || true
    # The build's switches (scripts/build-package.sh): a package built without a variant is not
    # the same package.
    echo "relaxed=${FACEGATE_SKIP_RELAXED:-} threads=${FACEGATE_THREADS:-} ${FACEGATE_THREADS_RUSTFLAGS:-}"
  } | sha256sum | cut -d' ' -f1
}

source scripts/lib/toolchain.sh
ensure_wasm_target
ensure_wasm_bindgen

# A package directory built from exactly these inputs, with every file the page loads.
current() {
  [ "$(cat "$1/.inputs-sha256" 2>/dev/null)" = "$want" ] || return 1
  for f in index.js worker.js image.js protocol.js integrity.js manifest.js wasm/facegate.js wasm/facegate_bg.wasm \
           models/face_detection_yunet_2023mar_int8bq.onnx models/face_recognition_sface_2021dec_int8bq.onnx; do
    [ -f "$1/$f" ] || return 1
  done
}

want=$(inputs_hash)
# target/npm/facegate is the package (also what `npm pack` packs); www/pkg a copy of it.
if current target/npm/facegate; then
  echo "facegate: target/npm/facegate is up to date (nothing to build)"
else
  bash scripts/build-package.sh
  echo "$want" >target/npm/facegate/.inputs-sha256
  current target/npm/facegate || { echo "facegate: the package build is incomplete (another build running at the same time?)" >&2; exit 1; }
fi
if ! current www/pkg; then
  rm -rf www/pkg.tmp && cp -r target/npm/facegate www/pkg.tmp
  rm -rf www/pkg && mv www/pkg.tmp www/pkg
  echo "facegate: copied the package into www/pkg"
fi
# Brotli and gzip copies of every page file next to it (FILE.br, FILE.gz), for servers that send
# them by Accept-Encoding: 24.7 MB raw become about 12 MB on the wire. Only missing or outdated
# copies are written (about a minute after a package build; milliseconds otherwise).
node scripts/precompress.mjs www

if [ -z "$build_only" ]; then
  exec node scripts/serve.mjs --root www --port "$port"
fi
