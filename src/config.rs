//! Engine configuration, with every default documented.

use crate::error::{Error, Result};
use crate::limits::ImageLimits;

/// How the detector runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Longest side of the input YuNet runs at, in pixels. A multiple of 32 from 96 to 1920.
    /// Default: **640** (finds faces down to about 10 px in a 640 px image). 320 runs about 3x
    /// faster and misses small faces. See [`DetectorConfig::square_input`] for the input's shape.
    pub input_size: u32,
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
    /// ([`Letterbox::fit_within`](crate::Letterbox::fit_within)); square and portrait images
    /// get the square. The first image of each new input shape pays for planning that shape
    /// (the 8 most recent shapes are kept).
    /// `true`: always the `input_size` square, as OpenCV's samples do.
    pub square_input: bool,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig { input_size: 640, score_threshold: 0.6, nms_iou: 0.3, max_faces: 100, retry_with_border: true, square_input: false }
    }
}

impl DetectorConfig {
    /// Refuses values out of their documented ranges with [`Error::InvalidConfig`].
    pub fn validate(&self) -> Result<()> {
        let bad = |field, reason: &str| Err(Error::InvalidConfig { field, reason: reason.to_string() });
        if self.input_size % 32 != 0 || !(96..=1920).contains(&self.input_size) {
            return bad("input_size", "must be a multiple of 32 from 96 to 1920");
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
}

/// Everything an [`Engine`](crate::Engine) is configured with.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EngineConfig {
    /// Detector settings. Default: [`DetectorConfig::default`].
    pub detector: DetectorConfig,
    /// Input image limits. Default: [`ImageLimits::default`].
    pub limits: ImageLimits,
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
    }
}
