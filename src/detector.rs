//! The YuNet detector: letterbox -> network -> decode -> NMS -> source coordinates.

use crate::config::DetectorConfig;
use crate::decode::{decode_yunet, StrideOutputs};
use crate::error::{ModelKind, Result};
use crate::face::{Face, Landmarks, Point};
use crate::image::Image;
use crate::letterbox::Letterbox;
use crate::model::{output_slice, prepare, run, Dim, Plan};
use crate::nms::nms;

/// YuNet's feature-map strides, in the order of its outputs.
const STRIDES: [u32; 3] = [8, 16, 32];
/// Colour of the border added when retrying a frame-filling face.
const BORDER_FILL: [u8; 3] = [128, 128, 128];

/// The YuNet face detector, planned once for one input size.
pub struct Detector {
    plan: Plan,
    config: DetectorConfig,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Detector {
    /// Builds the detector from the YuNet ONNX bytes (checked against
    /// [`DETECTOR_SHA256`](crate::DETECTOR_SHA256)) for `config.input_size`.
    pub fn new(model: &[u8], config: DetectorConfig) -> Result<Detector> {
        config.validate()?;
        let s = config.input_size as usize;
        let dims = [1, 3, s, s].map(Dim::Fixed);
        let plan = prepare(ModelKind::Detector, model, &dims)?;
        Ok(Detector { plan, config })
    }

    /// The configuration this detector runs with.
    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    /// Finds faces in `image`, in source-image coordinates, best score first.
    pub fn detect(&self, image: &Image) -> Result<Vec<Face>> {
        let faces = self.detect_once(image)?;
        if !faces.is_empty() || !self.config.retry_with_border {
            return Ok(faces);
        }
        let border = (image.width().max(image.height()) / 4).max(1);
        let framed = image.with_border(border, BORDER_FILL);
        let shift = |p: Point| Point::new(p.x - border as f32, p.y - border as f32);
        Ok(self
            .detect_once(&framed)?
            .into_iter()
            .map(|f| {
                let mut bbox = f.bbox;
                bbox.x -= border as f32;
                bbox.y -= border as f32;
                Face { bbox: bbox.clipped(image.width(), image.height()), score: f.score, landmarks: map_landmarks(&f.landmarks, shift) }
            })
            .filter(|f| f.bbox.area() > 0.0)
            .collect())
    }

    /// Time per tract op kind of one network run on `image` (see `benches/pipeline.rs`).
    #[doc(hidden)]
    #[cfg(not(target_arch = "wasm32"))]
    pub fn op_times(&self, image: &Image) -> Result<Vec<(String, f64)>> {
        let size = self.config.input_size;
        let letterbox = Letterbox::fit(image.width(), image.height(), size);
        let s = size as usize;
        crate::model::op_times(ModelKind::Detector, &self.plan, &[1, 3, s, s], letterbox.input_tensor(image))
    }

    fn detect_once(&self, image: &Image) -> Result<Vec<Face>> {
        let size = self.config.input_size;
        let letterbox = Letterbox::fit(image.width(), image.height(), size);
        let s = size as usize;
        let outputs = run(ModelKind::Detector, &self.plan, &[1, 3, s, s], letterbox.input_tensor(image))?;
        let out = |i| output_slice(ModelKind::Detector, &outputs, i);
        let mut levels = Vec::with_capacity(3);
        for (k, &stride) in STRIDES.iter().enumerate() {
            levels.push(StrideOutputs { stride, cls: out(k)?, obj: out(3 + k)?, bbox: out(6 + k)?, kps: out(9 + k)? });
        }
        let candidates = decode_yunet(&levels, size, self.config.score_threshold);
        let kept = nms(candidates, self.config.nms_iou, self.config.max_faces);
        Ok(kept
            .into_iter()
            .map(|f| Face {
                bbox: letterbox.box_to_source(f.bbox).clipped(image.width(), image.height()),
                score: f.score,
                landmarks: map_landmarks(&f.landmarks, |p| letterbox.to_source(p)),
            })
            .filter(|f| f.bbox.area() > 0.0)
            .collect())
    }
}

fn map_landmarks(l: &Landmarks, f: impl Fn(Point) -> Point) -> Landmarks {
    Landmarks::from_array(l.to_array().map(f))
}
