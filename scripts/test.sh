#!/usr/bin/env bash
# Runs every facegate test on this machine, installing what a fresh machine lacks first.
#
#   bash scripts/test.sh
#
# 1. the Rust wasm target;  2. native unit, integration, golden and README tests (release
# build: the real models are slow unoptimised);  3. the wasm32 build (simd128);
# 4. the LFW development evaluation, when ../shared/data/lfw-devtrain is present.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "toolchain"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
cargo --version

step "native tests (cargo test --release --workspace)"
cargo test --release --workspace

step "wasm32 build (simd128)"
cargo build --release --target wasm32-unknown-unknown --lib
wasm=target/wasm32-unknown-unknown/release/facegate.wasm
printf 'wasm: %s bytes raw, %s bytes gzip -9\n' "$(wc -c <"$wasm")" "$(gzip -9c "$wasm" | wc -c)"

lfw=${FACEGATE_LFW:-../shared/data/lfw-devtrain}
if [ -f "$lfw/pairs.tsv" ]; then
  step "LFW View 1 train evaluation ($lfw)"
  cargo run --release -q -p facegate-cli -- eval --pairs "$lfw/pairs.tsv" --root "$lfw" \
    --impostors all --select nearest-center --out out/eval-lfw-devtrain
else
  step "LFW evaluation skipped: $lfw/pairs.tsv not found"
fi
