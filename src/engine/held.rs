//! Detections kept for the call that follows: one user action decodes and detects once.
//!
//! A page shows the faces of a photo (detect), the user picks one, and the next call (verify,
//! enrol, identify, explain) uses that same decoded image and those same faces under a
//! short-lived opaque [`DetectionId`], instead of decoding and detecting the photo again and
//! trusting that the faces come back in the same order. A kept detection is wiped (its pixels
//! overwritten with zeros by [`Image`]'s drop, its boxes and landmarks zeroed) when it is used,
//! when a newer one replaces it (at most [`MAX_HELD_DETECTIONS`] are kept), when everything is
//! erased, and [`DETECTION_HOLD_MS`] after it was made. Times are milliseconds since the Unix
//! epoch, given by the caller (the gallery's clock in the wasm boundary).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::face::Face;
use crate::image::Image;

/// How long a detection is kept, in milliseconds: 60 s (time to look at the faces and pick one).
pub const DETECTION_HOLD_MS: i64 = 60_000;

/// Most detections kept at once: two (the teaching view's two photos).
pub const MAX_HELD_DETECTIONS: usize = 2;

/// The opaque handle of a kept detection: 64 random bits, written as 16 lower-case hex digits.
/// Random, so that a handle from a worker that was restarted never names another photo.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DetectionId(u64);

impl fmt::Display for DetectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for DetectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DetectionId({self})")
    }
}

impl FromStr for DetectionId {
    type Err = Error;

    /// Parses 16 hex digits. Anything else is [`Error::UnknownDetection`].
    fn from_str(s: &str) -> Result<DetectionId> {
        let unknown = || Error::UnknownDetection { id: s.chars().take(40).collect() };
        crate::handle::parse_hex16(s).map(DetectionId).ok_or_else(unknown)
    }
}

/// A decoded image and the faces found in it, as the caller saw them (largest first).
/// Dropping it wipes both.
pub struct HeldDetection {
    /// The decoded pixels (wiped by [`Image`]'s drop).
    pub image: Image,
    /// Every face found, in the order returned to the caller.
    pub faces: Vec<Face>,
}

impl Drop for HeldDetection {
    fn drop(&mut self) {
        for f in &mut self.faces {
            f.bbox = Default::default();
            f.landmarks = Default::default();
            f.score = 0.0;
        }
    }
}

struct Slot {
    id: DetectionId,
    until: i64,
    detection: HeldDetection,
}

/// The kept detections (at most [`MAX_HELD_DETECTIONS`]).
#[derive(Default)]
pub struct HeldDetections {
    slots: Vec<Slot>,
}

impl HeldDetections {
    /// Keeps `detection` until `now + DETECTION_HOLD_MS`; the oldest kept one is wiped first
    /// when [`MAX_HELD_DETECTIONS`] are kept. Returns the handle and the time it expires.
    ///
    /// Errors: [`Error::Randomness`] when no random handle can be drawn (nothing is kept).
    pub fn keep(&mut self, detection: HeldDetection, now: i64) -> Result<(DetectionId, i64)> {
        self.expire(now);
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| Error::Randomness { reason: e.to_string() })?;
        let id = DetectionId(u64::from_le_bytes(bytes));
        if self.slots.len() >= MAX_HELD_DETECTIONS {
            drop(self.slots.remove(0));
        }
        let until = now.saturating_add(DETECTION_HOLD_MS);
        self.slots.push(Slot { id, until, detection });
        Ok((id, until))
    }

    /// Takes the detection `id` out (it is no longer kept: the caller drops, so wipes, it
    /// after use). Errors: [`Error::UnknownDetection`] when it is not kept (used, replaced,
    /// erased or past its time).
    pub fn take(&mut self, id: DetectionId, now: i64) -> Result<HeldDetection> {
        self.expire(now);
        let at = self.slots.iter().position(|s| s.id == id).ok_or_else(|| Error::UnknownDetection { id: id.to_string() })?;
        Ok(self.slots.remove(at).detection)
    }

    /// Wipes the detections past their time at `now`; returns how many.
    pub fn expire(&mut self, now: i64) -> usize {
        let before = self.slots.len();
        self.slots.retain(|s| s.until > now);
        before - self.slots.len()
    }

    /// When the next kept detection expires (ms since the epoch), if any is kept.
    pub fn next_expiry(&self) -> Option<i64> {
        self.slots.iter().map(|s| s.until).min()
    }

    /// Wipes every kept detection.
    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// How many detections are kept.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::ImageLimits;

    fn held() -> HeldDetection {
        HeldDetection { image: Image::from_rgba(&[9; 16], 2, 2, &ImageLimits::default()).unwrap(), faces: Vec::new() }
    }

    #[test]
    fn a_detection_serves_one_call_only() {
        let mut h = HeldDetections::default();
        let (id, until) = h.keep(held(), 1_000).unwrap();
        assert_eq!(until, 1_000 + DETECTION_HOLD_MS);
        assert_eq!(id.to_string().parse::<DetectionId>().unwrap(), id);
        assert!(h.take(id, 2_000).is_ok());
        assert!(matches!(h.take(id, 2_000), Err(Error::UnknownDetection { .. })));
        assert!(h.is_empty());
    }

    #[test]
    fn a_detection_expires_after_its_time() {
        let mut h = HeldDetections::default();
        let (id, until) = h.keep(held(), 0).unwrap();
        assert_eq!(h.next_expiry(), Some(until));
        assert_eq!(h.expire(until - 1), 0);
        assert_eq!(h.expire(until), 1);
        assert!(matches!(h.take(id, until), Err(Error::UnknownDetection { .. })));
        assert_eq!(h.next_expiry(), None);
    }

    #[test]
    fn a_newer_detection_replaces_the_oldest_and_clear_wipes_all() {
        let mut h = HeldDetections::default();
        let (a, _) = h.keep(held(), 0).unwrap();
        let (b, _) = h.keep(held(), 1).unwrap();
        let (c, _) = h.keep(held(), 2).unwrap();
        assert_eq!(h.len(), MAX_HELD_DETECTIONS);
        assert!(matches!(h.take(a, 3), Err(Error::UnknownDetection { .. })));
        assert!(h.take(c, 3).is_ok());
        h.clear();
        assert!(matches!(h.take(b, 3), Err(Error::UnknownDetection { .. })));
    }

    #[test]
    fn malformed_handles_are_unknown() {
        for s in ["", "xyz", "0123456789abcdeg", "0123456789abcdef0"] {
            assert!(matches!(s.parse::<DetectionId>(), Err(Error::UnknownDetection { .. })), "{s}");
        }
    }
}
