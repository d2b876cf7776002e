//! How many threads tract's matrix products use: one (the default), or a rayon pool.
//!
//! Natively the engine owns a private pool of `n` threads (tract-linalg's `multithread-mm`).
//! In the browser, threads exist only in the build made with the `threads` feature (wasm atomics,
//! scripts/build-package.sh): its pool is rayon's global one, started from JS with
//! `initThreadPool(n)` (wasm-bindgen-rayon). Building an engine touches nothing of rayon
//! (asking rayon anything before `initThreadPool` has set up its global pool would make rayon set
//! up one of its own, and `initThreadPool` would then fail), so JS may build the engine before
//! or after the pool is up; the pool's size is read from rayon on first use ([`Threads::count`]
//! or [`Threads::run`]), which JS makes only once the pool is up.
//! The single-thread wasm builds always run on one thread.
//!
//! Threads split each matrix product into independent tiles; no sum is split, so the results
//! are the same bits whatever the thread count.

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
use std::sync::{Arc, OnceLock};

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
use tract_onnx::tract_core::tract_linalg::multithread::{multithread_tract_scope, Executor};

use crate::error::{Error, Result};

/// Most threads an engine may ask for.
pub const MAX_THREADS: usize = 64;

/// The threads an engine runs its networks with (cheap to clone: the pool is shared).
#[derive(Clone, Debug, Default)]
pub(crate) struct Threads {
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    executor: Executor,
    count: usize,
    /// The threaded wasm build: the size of rayon's global pool, read on first use (shared by
    /// the clones, so it is read once).
    #[cfg(all(target_arch = "wasm32", feature = "threads"))]
    pool_size: Arc<OnceLock<usize>>,
}

impl Threads {
    /// `n` threads (1 to [`MAX_THREADS`]). Natively, `n > 1` starts a private pool of `n`
    /// threads. In the threaded wasm build, `n > 1` uses the pool JS started (its size, read
    /// from rayon on first use, is what [`Threads::count`] then reports; this call does not
    /// touch rayon); in the single-thread wasm builds, one thread.
    pub fn new(n: usize) -> Result<Threads> {
        if !(1..=MAX_THREADS).contains(&n) {
            return Err(Error::InvalidConfig { field: "threads", reason: format!("must be from 1 to {MAX_THREADS}") });
        }
        if n == 1 {
            return Ok(Threads::single());
        }
        Ok(Threads::pool(n))
    }

    // The single-thread wasm build has no executor field: the update is then empty.
    #[allow(clippy::needless_update)]
    fn single() -> Threads {
        Threads { count: 1, ..Default::default() }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn pool(n: usize) -> Threads {
        Threads { executor: Executor::multithread_with_name(n, "facegate"), count: n }
    }

    #[cfg(all(target_arch = "wasm32", feature = "threads"))]
    fn pool(n: usize) -> Threads {
        // rayon's global pool is the one initThreadPool started (its size is read on first
        // use); without it, rayon runs everything on the calling thread.
        Threads { executor: Executor::RayonGlobal, count: n, pool_size: Arc::default() }
    }

    /// The threaded wasm build: 1, or the size of rayon's global pool when more than 1 thread
    /// was asked for. Reading it makes rayon set up its global pool if `initThreadPool` has not:
    /// call it only once JS has waited for the pool.
    #[cfg(all(target_arch = "wasm32", feature = "threads"))]
    fn used(&self) -> usize {
        if self.count <= 1 {
            return 1;
        }
        *self.pool_size.get_or_init(rayon::current_num_threads)
    }

    #[cfg(all(target_arch = "wasm32", not(feature = "threads")))]
    fn pool(_n: usize) -> Threads {
        Threads::single()
    }

    /// How many threads run the matrix products.
    pub fn count(&self) -> usize {
        #[cfg(all(target_arch = "wasm32", feature = "threads"))]
        {
            self.used()
        }
        #[cfg(not(all(target_arch = "wasm32", feature = "threads")))]
        {
            self.count
        }
    }

    /// Runs `f` with tract's matrix products on these threads.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        #[cfg(all(target_arch = "wasm32", feature = "threads"))]
        if self.used() <= 1 {
            return f();
        }
        #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
        {
            multithread_tract_scope(self.executor.clone(), f)
        }
        #[cfg(not(any(not(target_arch = "wasm32"), feature = "threads")))]
        {
            f()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_are_checked_and_reported() {
        assert!(matches!(Threads::new(0), Err(Error::InvalidConfig { field: "threads", .. })));
        assert!(matches!(Threads::new(MAX_THREADS + 1), Err(Error::InvalidConfig { field: "threads", .. })));
        assert_eq!(Threads::new(1).unwrap().count(), 1);
        let two = Threads::new(2).unwrap();
        assert_eq!(two.count(), 2);
        assert_eq!(two.run(|| 6 * 7), 42);
    }
}
