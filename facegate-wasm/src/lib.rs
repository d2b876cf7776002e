//! # facegate-wasm
//!
//! facegate's browser boundary: the crate `scripts/build-package.sh` compiles to WebAssembly for
//! the npm package (its `wasm/facegate_bg.wasm` and JS glue). It uses the `facegate` crate
//! through its public API only, as any embedder would, so that native users of `facegate` build
//! no `cdylib` and carry no wasm dependency.
//!
//! - `boundary`: every `#[wasm_bindgen]` item (the opaque handle `FaceGateCore`, the panic
//!   hook), compiled for `wasm32` only;
//! - `dto`: the plain data that crosses it, which is also the one source of the package's
//!   TypeScript (`npm/types/generated.d.ts`, checked natively by the test
//!   `generated_typescript_is_up_to_date`).
//!
//! Natively (outside its tests) this crate is empty.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod boundary;
// Natively, the DTOs are compiled for their tests only (the TypeScript, the shapes), where
// what only the boundary reads is unused.
#[cfg(any(target_arch = "wasm32", test))]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod dto;

#[cfg(target_arch = "wasm32")]
pub use boundary::FaceGateCore;

/// The threaded build's `initThreadPool(n)` (wasm-bindgen-rayon): starts `n` nested Web Workers
/// sharing this module's memory as rayon's global pool. The worker calls it before building the
/// engine, and only when the page is cross-origin isolated.
/// (Re-exported so that the crate is linked and its export kept; nothing in Rust calls it.)
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use wasm_bindgen_rayon::init_thread_pool;
