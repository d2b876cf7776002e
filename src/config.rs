//! Engine configuration, with every default documented.

use crate::error::{Error, Result};
use crate::limits::ImageLimits;
use crate::orientation::OrientationConfig;
use crate::quality::QualityConfig;

/// How the detector runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Longest side of the input YuNet runs at, in pixels. A multiple of 32 from 96 to 1920.
    /// Default: **640** (finds faces down to about 10 px in a 640 px image). 320 runs about 3x
    /// faster and misses small faces. See [`DetectorConfig::square_input`] for the input's shape,
    /// and [`DetectorConfig::quick_input_size`] for a cheaper first look.
    pub input_size: u32,
    /// A first, cheaper look at the image: YuNet runs at this longest side first, and its faces
    /// are kept when the largest is at least [`DetectorConfig::quick_min_face`] pixels wide in
    /// that input; when it found faces but smaller ones, each is looked at again closely
    /// ([`DetectorConfig::close_max_size`]); when it found none, the image is looked at again
    /// at `input_size`. A multiple of 32 from 96 to 1920; `None`, or a size not below
    /// `input_size`, looks at `input_size` only.
    /// The size actually used is reported ([`Detections::input_size`](crate::pipeline::Detections)).
    /// Default: **`Some(320)`**. What it costs: a face the 320 look does not see at all (under
    /// about 10 px wide at 320, 20 px at 640) is not looked for when the quick look found
    /// another face; with no face found, the 640 look still runs. Measured in BENCHMARKS.md
    /// (LFW accuracy and the test photos' speed, with and without).
    pub quick_input_size: Option<u32>,
    /// Smallest width, in pixels of the quick input, that the largest face found by the quick
    /// look must have for its faces to be kept. Below it the landmarks of a face are less
    /// precise than the full-size look's (measured on LFW, whose faces are about 140 px at 320:
    /// kept from 128 px, accuracy at the default threshold fell from 99.45 to 99.41 % and TAR at
    /// FMR 1e-4 from 98.27 to 97.82 %; see BENCHMARKS.md), and small faces beside it may have
    /// been missed. From 8 to 1920. Default: **192** (a face filling about 60 % of the frame's
    /// width: close-ups and ID photos).
    pub quick_min_face: u32,
    /// Close looks: when the quick look's faces are all narrower than `quick_min_face`, each is
    /// looked at again in a window of the full-size input around it
    /// ([`CloseLook`](crate::pipeline::CloseLook): twice the face's width, a multiple of 64
    /// from 128 pixels), at the full-size look's scale, so that its landmarks are as precise as
    /// the full-size look's. This is the largest window, in input pixels; a face that needs a
    /// larger one, or windows that together would be half the full-size input or more, or a
    /// close look that loses its face, send the image to the full-size look instead. A
    /// multiple of 64 from 128 to 1920; `None`: no close look (the quick look's small faces
    /// send the image to `input_size`). Default: **`Some(448)`** (a face up to 224 px wide at
    /// 640; a window of 448 costs half the 640 x 640 look, one of 256 a sixth).
    pub close_max_size: Option<u32>,
    /// Lowest detector score kept, in `(0, 1]`. Default: **0.6**.
    pub score_threshold: f32,
    /// Two detections overlapping with IoU above this are one face (non-maximum suppression),
    /// in `(0, 1]`. Default: **0.3**.
    pub nms_iou: f32,
    /// Most faces returned for one image, 1 to 1000. Default: **100**.
    pub max_faces: usize,
    /// When nothing is found, look again with a neutral border of a quarter of the longer side
    /// around the image: YuNet misses faces that fill the whole frame (ID-photo crops), and the
    /// border recovers them. Default: **true**.
    pub retry_with_border: bool,
    /// `false` (default): YuNet's input follows a landscape image: the longer side is scaled
    /// to `input_size` (enlarged if smaller) and the height rounded up to a multiple of 32, so a
    /// 1280x720 camera frame runs at 640x384 instead of 640x640
    /// ([`Letterbox::fit_within`](crate::pipeline::Letterbox::fit_within)); square and portrait images
    /// get the square. The first image of each new input shape pays for planning that shape
    /// (the 8 most recent shapes are kept).
    /// `true`: always the `input_size` square, as OpenCV's samples do.
    pub square_input: bool,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            input_size: 640,
            quick_input_size: Some(320),
            quick_min_face: 192,
            close_max_size: Some(448),
            score_threshold: 0.6,
            nms_iou: 0.3,
            max_faces: 100,
            retry_with_border: true,
            square_input: false,
        }
    }
}

impl DetectorConfig {
    /// Refuses values out of their documented ranges with [`Error::InvalidConfig`].
    pub fn validate(&self) -> Result<()> {
        let bad = |field, reason: &str| Err(Error::InvalidConfig { field, reason: reason.to_string() });
        if !self.input_size.is_multiple_of(32) || !(96..=1920).contains(&self.input_size) {
            return bad("input_size", "must be a multiple of 32 from 96 to 1920");
        }
        if let Some(quick) = self.quick_input_size {
            if !quick.is_multiple_of(32) || !(96..=1920).contains(&quick) {
                return bad("quick_input_size", "must be a multiple of 32 from 96 to 1920");
            }
        }
        if !(8..=1920).contains(&self.quick_min_face) {
            return bad("quick_min_face", "must be from 8 to 1920");
        }
        if let Some(close) = self.close_max_size {
            if !close.is_multiple_of(64) || !(128..=1920).contains(&close) {
                return bad("close_max_size", "must be a multiple of 64 from 128 to 1920");
            }
        }
        if !(self.score_threshold > 0.0 && self.score_threshold <= 1.0) {
            return bad("score_threshold", "must be in (0, 1]");
        }
        if !(self.nms_iou > 0.0 && self.nms_iou <= 1.0) {
            return bad("nms_iou", "must be in (0, 1]");
        }
        if !(1..=1000).contains(&self.max_faces) {
            return bad("max_faces", "must be from 1 to 1000");
        }
        Ok(())
    }

    /// The input size of the quick first look, when there is one: `quick_input_size` when it is
    /// below `input_size`.
    pub fn quick_size(&self) -> Option<u32> {
        self.quick_input_size.filter(|&q| q < self.input_size)
    }

    /// The largest close-look window, when there are close looks: `close_max_size` when a
    /// quick look is made ([`DetectorConfig::quick_size`]).
    pub fn close_size(&self) -> Option<u32> {
        self.quick_size().and(self.close_max_size)
    }
}

/// Everything an [`Engine`](crate::Engine) is configured with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineConfig {
    /// Detector settings. Default: [`DetectorConfig::default`].
    pub detector: DetectorConfig,
    /// Input image limits. Default: [`ImageLimits::default`].
    pub limits: ImageLimits,
    /// Threads the networks' matrix products run on, 1 to 64. Natively, more than 1 starts a
    /// pool of that many threads for this engine. In the browser only the threaded wasm build
    /// uses more than 1 (its pool is the one `initThreadPool` started, whatever this says);
    /// the single-thread builds run on one. Results are identical whatever the count.
    /// [`Engine::threads`](crate::Engine::threads) says how many are used.
    /// Default: **1**.
    pub threads: usize,
    /// Sideways and upside-down photos, rolled heads. Default: [`OrientationConfig::default`].
    pub orientation: OrientationConfig,
    /// The quality gate before any template. Default: [`QualityConfig::default`].
    pub quality: QualityConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            detector: DetectorConfig::default(),
            limits: ImageLimits::default(),
            threads: 1,
            orientation: OrientationConfig::default(),
            quality: QualityConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        assert!(DetectorConfig::default().validate().is_ok());
        let e = DetectorConfig { input_size: 500, ..Default::default() }.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { field: "input_size", .. }));
        let e = DetectorConfig { score_threshold: f32::NAN, ..Default::default() }.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { field: "score_threshold", .. }));
        let e = DetectorConfig { max_faces: 0, ..Default::default() }.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { field: "max_faces", .. }));
        assert!(DetectorConfig { input_size: 256, ..Default::default() }.validate().is_ok(), "a quick size above input_size is not used");
        let e = DetectorConfig { quick_input_size: Some(300), ..Default::default() }.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { field: "quick_input_size", .. }));
        assert!(DetectorConfig { quick_input_size: Some(320), ..Default::default() }.validate().is_ok());
        let e = DetectorConfig { close_max_size: Some(64), ..Default::default() }.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { field: "close_max_size", .. }), "below 128");
        let e = DetectorConfig { close_max_size: Some(480), ..Default::default() }.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { field: "close_max_size", .. }), "not a multiple of 64");
        assert_eq!(DetectorConfig { quick_input_size: None, ..Default::default() }.close_size(), None, "no close look without a quick look");
        assert_eq!(DetectorConfig::default().close_size(), Some(448));
        let e = DetectorConfig { quick_min_face: 0, ..Default::default() }.validate().unwrap_err();
        assert!(matches!(e, Error::InvalidConfig { field: "quick_min_face", .. }));
    }
}
