//! The engine: both models planned once, and the pipeline from pixels to a decision.

mod gate;
mod held;
mod input;
mod straighten;
mod turns;
mod warm;

pub use gate::Measured;
pub use held::{DetectionId, HeldDetection, HeldDetections, DETECTION_HOLD_MS, MAX_HELD_DETECTIONS};
pub use input::ImageInput;
pub use warm::WarmUpStep;

use crate::align::{alignment_transform, warp_bilinear, ALIGNED_SIZE};
use crate::config::EngineConfig;
use crate::decision::{Decision, OperatingPoint};
use crate::detector::{Detections, Detector};
use crate::error::ModelKind;
use crate::error::{Error, Result};
use crate::face::Face;
use crate::image::Image;
use crate::model::{verify_model, Threads};
use crate::probe::ImageInfo;
use crate::recognizer::{AlignedFace, Recognizer};
use crate::template::Template;
use std::sync::atomic::AtomicUsize;

/// Detects faces, makes templates and compares them. Build it once (parsing and planning the
/// two networks takes a moment, see [`Engine::warm_up`]) and reuse it; it is `Send + Sync`.
///
/// ```no_run
/// use facegate::{Engine, EngineConfig, Image, OperatingPoint};
/// # fn main() -> Result<(), facegate::Error> {
/// let engine = Engine::new(
///     &std::fs::read("models/face_detection_yunet_2023mar_int8bq.onnx").unwrap(),
///     &std::fs::read("models/face_recognition_sface_2021dec_int8bq.onnx").unwrap(),
///     EngineConfig::default(),
/// )?;
/// let a = engine.decode(&std::fs::read("a.jpg").unwrap())?;
/// let b = engine.decode(&std::fs::read("b.jpg").unwrap())?;
/// let (fa, fb) = (engine.detect(&a)?, engine.detect(&b)?);
/// let (ta, tb) = (engine.template(&a, &fa[0])?, engine.template(&b, &fb[0])?);
/// let decision = engine.decide(&ta, &tb, OperatingPoint::default());
/// println!("{} (similarity {:.3})", decision.wording(), decision.similarity);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Engine {
    detector: Detector,
    recognizer: Recognizer,
    config: EngineConfig,
    threads: Threads,
    /// How many of [`WarmUpStep::ORDER`] are done.
    warmed: AtomicUsize,
}

impl Engine {
    /// Builds the engine from the two bundled ONNX files' bytes. Each is checked against its
    /// SHA-256 first ([`Error::ModelIntegrity`]); the config is validated
    /// ([`Error::InvalidConfig`]).
    ///
    /// The detector's file is parsed and folded here, the recognizer's kept as bytes; no
    /// network is planned yet. [`Engine::warm_up`] (or [`Engine::warm_up_next`], one step at a
    /// time) plans them, or the first photo plans what it needs.
    pub fn new(detector_model: &[u8], recognizer_model: &[u8], config: EngineConfig) -> Result<Engine> {
        config.detector.validate()?;
        verify_model(ModelKind::Detector, detector_model)?;
        verify_model(ModelKind::Recognizer, recognizer_model)?;
        Engine::new_verified(detector_model, recognizer_model, config)
    }

    /// [`Engine::new`] for model bytes whose SHA-256 the caller has already checked against
    /// [`DETECTOR_SHA256`](crate::DETECTOR_SHA256) and
    /// [`RECOGNIZER_SHA256`](crate::RECOGNIZER_SHA256), so that 11 MB are not hashed twice
    /// (the npm package's worker checks every file it fetches with the browser's own SHA-256
    /// before use). Only the hashes are skipped: the config is validated
    /// ([`Error::InvalidConfig`]) and the files parsed as [`Engine::new`] does
    /// ([`Error::ModelInvalid`]). Bytes that were not checked may be any network: use
    /// [`Engine::new`] unless the check was made.
    pub fn new_verified(detector_model: &[u8], recognizer_model: &[u8], config: EngineConfig) -> Result<Engine> {
        config.quality.validate()?;
        config.orientation.validate()?;
        let threads = Threads::new(config.threads)?;
        let detector = Detector::new_verified(detector_model, config.detector, threads.clone())?;
        let recognizer = Recognizer::new_verified(recognizer_model, threads.clone());
        Ok(Engine { detector, recognizer, config, threads, warmed: AtomicUsize::new(0) })
    }

    /// The configuration in force.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// How many threads the networks run on (see [`EngineConfig::threads`]).
    pub fn threads(&self) -> usize {
        self.threads.count()
    }

    /// Decodes encoded image bytes within this engine's [`ImageLimits`](crate::ImageLimits).
    pub fn decode(&self, bytes: &[u8]) -> Result<Image> {
        Image::decode(bytes, &self.config.limits)
    }

    /// What `bytes` are (format, declared size, EXIF orientation, JPEG scans), read without
    /// decoding, within this engine's limits: [`probe`](crate::probe). The same checks
    /// [`Engine::decode`] makes first.
    pub fn probe(&self, bytes: &[u8]) -> Result<ImageInfo> {
        crate::probe::probe(bytes, &self.config.limits)
    }

    /// Wraps raw RGBA pixels within this engine's limits.
    pub fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> Result<Image> {
        Image::from_rgba(pixels, width, height, &self.config.limits)
    }

    /// Every face in `image`, largest first (ties: higher score first), at most
    /// `max_faces`, in source-image pixels. When the upright photo shows no plausible face,
    /// its quarter turns are searched too ([`OrientationConfig`](crate::OrientationConfig));
    /// each face's [`Face::rotation`] says which turn showed it.
    pub fn detect(&self, image: &Image) -> Result<Vec<Face>> {
        Ok(self.detections(image)?.faces)
    }

    /// [`Engine::detect`] with how the faces were found: the detector input chosen for this
    /// image (the quick look or the full size, [`DetectorConfig::quick_input_size`](crate::DetectorConfig)),
    /// the number of network runs, whether the border retry found them.
    pub fn detections(&self, image: &Image) -> Result<Detections> {
        let mut found = self.detector.detections(image)?;
        found.faces = self.faces_any_turn(image, std::mem::take(&mut found.faces))?;
        found.faces.sort_by(|a, b| b.bbox.area().total_cmp(&a.bbox.area()).then(b.score.total_cmp(&a.score)));
        Ok(found)
    }

    /// The 112x112 aligned crop of `face` (what the recognizer sees).
    ///
    /// Errors: [`Error::FaceOutOfImage`] when the landmarks are not finite, degenerate, or
    /// far outside the image.
    pub fn align(&self, image: &Image, face: &Face) -> Result<AlignedFace> {
        self.check_landmarks(image, face)?;
        let t = alignment_transform(&face.landmarks).ok_or_else(|| Error::FaceOutOfImage { reason: "the landmarks coincide".to_string() })?;
        Ok(AlignedFace { rgb: warp_bilinear(image, &t, ALIGNED_SIZE) })
    }

    /// The template of an aligned crop.
    pub fn embed(&self, aligned: &AlignedFace) -> Result<Template> {
        self.recognizer.embed(aligned)
    }

    /// Milliseconds per tract op kind of one detector run on `image` and one recognizer run on
    /// `aligned` (for `cargo bench --bench pipeline -- --ops`; native only).
    #[doc(hidden)]
    #[cfg(not(target_arch = "wasm32"))]
    pub fn op_times(&self, image: &Image, aligned: &AlignedFace) -> Result<[Vec<(String, f64)>; 2]> {
        Ok([self.detector.op_times(image)?, self.recognizer.op_times(aligned)?])
    }

    /// The match decision between two templates at `point`.
    pub fn decide(&self, a: &Template, b: &Template, point: OperatingPoint) -> Decision {
        Decision::new(a.similarity(b), point)
    }
}
