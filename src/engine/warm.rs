//! Warming up: the networks planned one step at a time after the engine is built, so that a
//! page can say "ready" as soon as the files are parsed and plan while the user picks a photo.

use std::sync::atomic::Ordering;

use super::Engine;
use crate::error::Result;

/// One step of [`Engine::warm_up_next`], in the order they are taken ([`WarmUpStep::ORDER`]).
/// Each plans one network for one input shape; each is also made on first use if the photo
/// comes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarmUpStep {
    /// The detector's first-look square: `input_size` (640 x 640 by default), or the quick
    /// look's input when [`DetectorConfig::quick_input_size`](crate::DetectorConfig) is set
    /// (off by default). Every portrait or square photo is looked at with it first; a
    /// landscape photo's input is lower (see `DetectorConfig::square_input`) and planned on
    /// first use.
    DetectorFirstLook,
    /// The detector's close-look window most head-and-shoulders portraits get (256 x 256: a
    /// face 65 to 128 px wide at 640; [`DetectorConfig::close_max_size`](crate::DetectorConfig)).
    /// Other window sizes are planned on first use. Nothing to do without close looks.
    DetectorCloseLook,
    /// The recognizer (SFace, 112 x 112), needed for every template.
    Recognizer,
    /// The detector's full-size square (`input_size`, 640 x 640 by default), for photos whose
    /// quick look finds no face or only small ones. Nothing to do without a quick look (the
    /// first step planned it).
    DetectorFullSize,
}

impl WarmUpStep {
    /// The steps in the order [`Engine::warm_up_next`] takes them: what the first photo needs
    /// first.
    pub const ORDER: [WarmUpStep; 4] = [WarmUpStep::DetectorFirstLook, WarmUpStep::DetectorCloseLook, WarmUpStep::Recognizer, WarmUpStep::DetectorFullSize];
}

impl Engine {
    /// Plans everything [`Engine::new`] left for later (see [`WarmUpStep`]), so that the first
    /// photo does not wait for it. Idempotent; errors as the first photo would meet them
    /// ([`Error::ModelInvalid`](crate::Error::ModelInvalid)).
    pub fn warm_up(&self) -> Result<()> {
        while self.warm_up_next()?.is_some() {}
        Ok(())
    }

    /// Takes the next step of [`Engine::warm_up`] and says which it was, or `None` when all
    /// are done. For a caller that must stay responsive between steps (a browser worker
    /// answers messages in between); each step takes from tens to a few hundred milliseconds.
    ///
    /// Safe from several threads at once: a step taken by two threads together is planned
    /// once and counted once, and no step is skipped. A step that fails is not counted, so the
    /// next call tries it again.
    pub fn warm_up_next(&self) -> Result<Option<WarmUpStep>> {
        let done = self.warmed.load(Ordering::Acquire);
        let Some(&step) = WarmUpStep::ORDER.get(done) else {
            return Ok(None);
        };
        match step {
            WarmUpStep::DetectorFirstLook => self.detector.warm_up_first_look()?,
            WarmUpStep::DetectorCloseLook => self.detector.warm_up_close_look()?,
            WarmUpStep::Recognizer => self.recognizer.warm_up()?,
            WarmUpStep::DetectorFullSize => self.detector.warm_up_full_size()?,
        }
        // Another thread may have counted this step already: then it stays counted once.
        let _ = self.warmed.compare_exchange(done, done + 1, Ordering::AcqRel, Ordering::Acquire);
        Ok(Some(step))
    }
}

#[cfg(test)]
mod tests {
    use super::WarmUpStep;

    #[test]
    fn the_first_photo_s_needs_come_first() {
        assert_eq!(WarmUpStep::ORDER[0], WarmUpStep::DetectorFirstLook, "every photo is looked at first");
        assert_eq!(WarmUpStep::ORDER[1], WarmUpStep::DetectorCloseLook, "most portraits are looked at closely next");
        assert_eq!(WarmUpStep::ORDER[2], WarmUpStep::Recognizer, "every template needs it");
        assert_eq!(WarmUpStep::ORDER.len(), 4);
    }
}
