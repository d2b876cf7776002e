//! The YuNet detector: letterbox -> network -> decode -> NMS -> source coordinates.

use crate::config::DetectorConfig;
use crate::decode::{decode_yunet, StrideOutputs};
use crate::error::{ModelKind, Result};
use crate::face::{BoundingBox, Face, Landmarks, Point};
use crate::image::Image;
use crate::letterbox::Letterbox;
use std::sync::Mutex;

use tract_onnx::prelude::InferenceModel;

use crate::model::{load, output_slice, plan_for, run, Plan};
use crate::nms::nms;

/// YuNet's feature-map strides, in the order of its outputs.
const STRIDES: [u32; 3] = [8, 16, 32];
/// Colour of the border added when retrying a frame-filling face.
const BORDER_FILL: [u8; 3] = [128, 128, 128];

/// How many input shapes keep their plan (most recently used first).
const PLANS_KEPT: usize = 8;

/// The YuNet face detector. The network is loaded and folded once; each input shape met gets
/// its own plan (tract runs known shapes much faster), made on first use and kept for the
/// [`PLANS_KEPT`] most recent shapes.
pub struct Detector {
    model: InferenceModel,
    plans: Mutex<Vec<((u32, u32), Plan)>>,
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
        let model = load(ModelKind::Detector, model)?;
        let detector = Detector { model, plans: Mutex::new(Vec::new()), config };
        // The square is what every portrait or square photo uses: plan it now, so that being
        // ready means ready for those without further planning.
        detector.plan(config.input_size, config.input_size)?;
        Ok(detector)
    }

    /// The plan for an input of `width` x `height`, made now if this shape is new.
    fn plan(&self, width: u32, height: u32) -> Result<Plan> {
        let mut plans = self.plans.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(i) = plans.iter().position(|(shape, _)| *shape == (width, height)) {
            let entry = plans.remove(i);
            let plan = entry.1.clone();
            plans.insert(0, entry);
            return Ok(plan);
        }
        let plan = plan_for(ModelKind::Detector, &self.model, &[1, 3, height as usize, width as usize])?;
        plans.insert(0, ((width, height), plan.clone()));
        plans.truncate(PLANS_KEPT);
        Ok(plan)
    }

    /// Where `image` goes in the network input.
    fn letterbox(&self, image: &Image) -> Letterbox {
        if self.config.square_input {
            Letterbox::fit(image.width(), image.height(), self.config.input_size)
        } else {
            Letterbox::fit_within(image.width(), image.height(), self.config.input_size)
        }
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
        // The framed image is scaled down to the detector input anyway: shrink a large photo
        // first (longest side at most twice the input), so that the retry never holds a copy
        // bigger than about 11 MB (1920 x 1920 RGB at the default input), whatever the photo.
        let longest = image.width().max(image.height());
        let factor = longest.div_ceil(2 * self.config.input_size).max(1);
        let small;
        let source = if factor > 1 {
            small = image.shrunk(factor);
            &small
        } else {
            image
        };
        let (sx, sy) = (image.width() as f32 / source.width() as f32, image.height() as f32 / source.height() as f32);
        let border = (source.width().max(source.height()) / 4).max(1);
        let framed = source.with_border(border, BORDER_FILL);
        let back = |p: Point| Point::new((p.x - border as f32) * sx, (p.y - border as f32) * sy);
        Ok(self
            .detect_once(&framed)?
            .into_iter()
            .map(|f| {
                let corner = back(Point::new(f.bbox.x, f.bbox.y));
                let bbox = BoundingBox { x: corner.x, y: corner.y, width: f.bbox.width * sx, height: f.bbox.height * sy };
                Face { bbox: bbox.clipped(image.width(), image.height()), score: f.score, landmarks: map_landmarks(&f.landmarks, back) }
            })
            .filter(|f| f.bbox.area() > 0.0)
            .collect())
    }

    /// Time per tract op kind of one network run on `image` (see `benches/pipeline.rs`).
    #[doc(hidden)]
    #[cfg(not(target_arch = "wasm32"))]
    pub fn op_times(&self, image: &Image) -> Result<Vec<(String, f64)>> {
        let lb = self.letterbox(image);
        let plan = self.plan(lb.input_width, lb.input_height)?;
        crate::model::op_times(ModelKind::Detector, &plan, &[1, 3, lb.input_height as usize, lb.input_width as usize], lb.input_tensor(image))
    }

    fn detect_once(&self, image: &Image) -> Result<Vec<Face>> {
        let letterbox = self.letterbox(image);
        let plan = self.plan(letterbox.input_width, letterbox.input_height)?;
        let shape = [1, 3, letterbox.input_height as usize, letterbox.input_width as usize];
        let outputs = run(ModelKind::Detector, &plan, &shape, letterbox.input_tensor(image))?;
        let out = |i| output_slice(ModelKind::Detector, &outputs, i);
        let mut levels = Vec::with_capacity(3);
        for (k, &stride) in STRIDES.iter().enumerate() {
            levels.push(StrideOutputs { stride, cls: out(k)?, obj: out(3 + k)?, bbox: out(6 + k)?, kps: out(9 + k)? });
        }
        let candidates = decode_yunet(&levels, letterbox.input_width, self.config.score_threshold);
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
