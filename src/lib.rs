//! # facegate
//!
//! Privacy-by-design face matching: detect faces, turn them into templates and compare them
//! entirely on the user's device, and only against reference images the user supplies and
//! consents to.
//!
//! The pipeline: image bytes or RGBA pixels -> [`Image`] (size limits, EXIF orientation) ->
//! [`Engine::detect`] (YuNet: box, score, 5 landmarks) -> [`Engine::align`] (similarity
//! transform onto the ArcFace 112x112 template) -> [`Engine::embed`] (SFace: 128-d,
//! L2-normalised [`Template`]) -> [`Template::similarity`] and a [`Decision`] at a calibrated
//! [`OperatingPoint`]. All inference runs in `tract-onnx`; models are loaded from bytes and
//! checked against their SHA-256.
//!
//! Every pipeline step is a small pure function with its own tests: [`Letterbox`],
//! [`decode_yunet`], [`nms`], [`umeyama`] and [`warp_bilinear`], [`l2_normalize`], [`cosine`].
//!
//! On top of the engine, the [`Gallery`] holds only references the user consented to
//! ([`ConsentRecord`]): enrolment refuses without consent before touching the image, only the
//! chosen face is embedded, withdrawal and expiry erase (and overwrite) templates, and the
//! gallery can be listed, exported encrypted ([`Gallery::export`], docs/export-format.md) and
//! audited ([`Gallery::audit_log`]).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod align;
mod config;
mod decision;
mod decode;
mod detector;
mod engine;
mod error;
mod explain;
mod face;
mod gallery;
mod image;
mod letterbox;
mod limits;
mod model;
mod nms;
mod onnx_fold;
mod orientation;
mod probe;
mod quality;
mod recognizer;
mod template;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use align::{alignment_transform, umeyama, warp_bilinear, SimilarityTransform, ALIGNED_SIZE, ARCFACE_TEMPLATE};
pub use config::{DetectorConfig, EngineConfig};
pub use decision::{Decision, OperatingPoint, Outcome};
pub use decode::{decode_yunet, StrideOutputs};
pub use detector::{quick_look_suffices, Detections, Detector};
pub use engine::{Engine, Measured};
pub use error::{Error, ModelKind, Result};
pub use explain::{CosineRow, CosineSteps, FaceSteps, Strip, PRINTED_POSITIONS};
pub use face::{BoundingBox, Face, FaceSelection, Landmarks, Point};
pub use gallery::export_layout;
pub use gallery::{
    choose_face, generate_passphrase, AuditEvent, AuditEventKind, Clock, ComparisonMode, ConsentRecord, EraseOptions, Explanation, ExplanationId, FaceChoice,
    FaceEngine, Gallery, GalleryConfig, Identification, ImageInput, ImportReport, KdfParams, ManualClock, Match, Purpose, ReferenceId, ReferenceInfo,
    SessionHistory, Subject, SubjectKind, SystemClock, TeachingConfig, Timestamp, EXPORT_FORMAT_VERSION, HARD_MAX_EXPLANATIONS, HARD_MAX_REFERENCES,
    KDF_MAX_ITERATIONS, KDF_MAX_MEMORY_KIB, KDF_MAX_PARALLELISM, KDF_MAX_WORK_KIB, KDF_MIN_MEMORY_KIB, KDF_MIN_WORK_KIB, MAX_AUDIT_EVENTS,
    MAX_HELD_EXPLANATIONS, MAX_LABEL_CHARS, MAX_PASSPHRASE_BYTES, MAX_PURPOSE_CHARS, MAX_SUBJECT_NAME_CHARS, MIN_PASSPHRASE_SCORE, PASSPHRASE_WORDS,
};
pub use image::Image;
pub use letterbox::Letterbox;
pub use limits::ImageLimits;
pub use model::{sha256_hex, verify_model, DETECTOR_SHA256, MAX_THREADS, RECOGNIZER_SHA256};
pub use nms::nms;
pub use onnx_fold::fold_constant_dequantize;
pub use orientation::{OrientationConfig, Rotation};
pub use probe::{probe, ImageInfo};
pub use quality::{crop_measures, face_geometry, geometry, CropMeasures, Geometry, QualityConfig, QualityMeasures, QualityProblem, QualityReason};
pub use recognizer::{AlignedFace, Recognizer};
pub use template::{cosine, l2_normalize, Similarity, Template, TEMPLATE_LEN};
#[cfg(target_arch = "wasm32")]
pub use wasm::FaceGateCore;

/// The README's examples, run as doctests so that the walkthrough stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
