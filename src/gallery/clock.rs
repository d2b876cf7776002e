//! Time, injected: the gallery asks a [`Clock`], so tests (and embedders) control it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A point in time: milliseconds since the Unix epoch (1970-01-01T00:00:00Z), as JavaScript's
/// `Date.now()` gives. Serialized as a plain number, which JavaScript holds exactly.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `ms` milliseconds after the Unix epoch (negative: before it).
    pub const fn from_unix_ms(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_unix_ms(self) -> i64 {
        self.0
    }

    /// This instant moved by `ms` milliseconds (saturating at the ends of the range).
    pub const fn plus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
}

/// Where the gallery gets the current time from.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The real clock: `SystemTime` natively, `Date.now()` in the browser (where
/// `std::time::SystemTime::now()` would panic).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    fn now(&self) -> Timestamp {
        use std::time::{SystemTime, UNIX_EPOCH};
        // A system clock set before 1970 reads as the epoch rather than failing.
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        Timestamp(i64::try_from(ms).unwrap_or(i64::MAX))
    }

    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    fn now(&self) -> Timestamp {
        // `Date.now()` is a whole number of milliseconds, far inside the i64 range.
        Timestamp(js_sys::Date::now() as i64)
    }
}

/// A clock that only moves when told to: for tests, demos and replaying a scenario.
/// Clones share the same time, so a test can keep one and hand another to a gallery.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    ms: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock { ms: Arc::new(AtomicI64::new(start.as_unix_ms())) }
    }

    /// Sets the time (it may go backwards).
    pub fn set(&self, to: Timestamp) {
        self.ms.store(to.as_unix_ms(), Ordering::SeqCst);
    }

    /// Moves the time forward by `ms` milliseconds.
    pub fn advance(&self, ms: i64) {
        let now = self.now();
        self.set(now.plus_ms(ms));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.ms.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_clones_share_time() {
        let a = ManualClock::new(Timestamp::from_unix_ms(1_000));
        let b = a.clone();
        a.advance(500);
        assert_eq!(b.now(), Timestamp::from_unix_ms(1_500));
        b.set(Timestamp::from_unix_ms(10));
        assert_eq!(a.now().as_unix_ms(), 10);
    }

    #[test]
    fn system_clock_is_after_2024() {
        assert!(SystemClock.now() > Timestamp::from_unix_ms(1_704_067_200_000));
    }

    #[test]
    fn timestamps_saturate() {
        assert_eq!(Timestamp::from_unix_ms(i64::MAX).plus_ms(1).as_unix_ms(), i64::MAX);
        assert_eq!(serde_json::to_string(&Timestamp::from_unix_ms(42)).unwrap(), "42");
    }
}
