# Shared by the scripts: install what a fresh machine lacks. Source it; don't run it.

# The wasm32 target of the machine's Rust toolchain.
ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
}

# rustfmt and clippy for the toolchain in use (the hygiene step: `cargo fmt --check`, `cargo
# clippy -D warnings`); a rustup install with the minimal profile has neither.
ensure_rust_components() {
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    rustup component add rustfmt clippy
  fi
}

# wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock (about
# 4 to 10 minutes to build the first time; cached in ~/.cargo/bin afterwards).
ensure_wasm_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ -z "$want" ]; then
    echo "wasm-bindgen is not in Cargo.lock" >&2
    return 1
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$want" ]; then
    echo "installing wasm-bindgen-cli $want"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# Debian's chromium and chromium-driver, for the browser tests.
ensure_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

# Debian packages, with one `apt-get update` per run at most.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${FACEGATE_APT_UPDATED:-}" ]; then
    apt-get update -qq
    FACEGATE_APT_UPDATED=1
  fi
  apt-get install -y -qq "$@" >/dev/null
}

# Firefox ESR (Debian firefox-esr) and geckodriver, its WebDriver (crates.io, built once into
# ~/.cargo/bin: 3 to 8 minutes on 2 cores), for the page's core flow in Firefox.
GECKODRIVER_VERSION=0.37.1
ensure_firefox() {
  command -v firefox-esr >/dev/null || apt_install firefox-esr
  if [ "$(geckodriver --version 2>/dev/null | head -1 | cut -d' ' -f2)" != "$GECKODRIVER_VERSION" ]; then
    echo "installing geckodriver $GECKODRIVER_VERSION"
    cargo install geckodriver --version "=$GECKODRIVER_VERSION" --locked ||
      cargo install geckodriver --version "=$GECKODRIVER_VERSION"
  fi
}

# WebKitGTK's WebDriver and MiniBrowser (Debian webkit2gtk-driver) and a virtual display for
# them (xvfb-run), for the page's core flow in WebKit.
ensure_webkit() {
  if ! command -v WebKitWebDriver >/dev/null || ! command -v xvfb-run >/dev/null || ! command -v xauth >/dev/null; then
    apt_install webkit2gtk-driver xvfb xauth
  fi
}

# The npm packages of the browser tests (package-lock.json pins them).
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    # `npm install` (with the lock file) rather than `npm ci`: npm 11.19 rejects its own fresh
    # lock files in `npm ci` (optional platform packages of rollup reported missing).
    npm install --no-audit --no-fund
  fi
}

# The WebDriver client of the Firefox and WebKit page tests (selenium-webdriver, pinned by
# tests/webdriver/package-lock.json; kept apart from the root's packages).
ensure_webdriver_client() {
  if [ ! -d tests/webdriver/node_modules ] || [ tests/webdriver/package-lock.json -nt tests/webdriver/node_modules ]; then
    (cd tests/webdriver && npm install --no-audit --no-fund)
  fi
}

# The nightly toolchain with rust-src, for the threaded wasm build (wasm atomics need std rebuilt:
# `-Z build-std`). Returns non-zero, without failing the caller, when it cannot be had (a
# machine without rustup's downloads); the package build then ships the single-thread builds.
ensure_nightly_rust_src() {
  if ! rustup run nightly rustc -V >/dev/null 2>&1; then
    echo "installing the nightly Rust toolchain (for the threaded wasm build)"
    rustup toolchain install nightly --profile minimal --component rust-src || return 1
  fi
  if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -qx 'rust-src'; then
    echo "installing rust-src for nightly (for the threaded wasm build)"
    rustup component add rust-src --toolchain nightly || return 1
  fi
}
