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
//! Every pipeline step is a small pure function with its own tests, under [`pipeline`]
//! ([`pipeline::Letterbox`], [`pipeline::decode_yunet`], [`pipeline::nms`], [`pipeline::umeyama`],
//! [`pipeline::warp_bilinear`], [`pipeline::l2_normalize`], [`pipeline::cosine`], ...); every
//! bound facegate enforces is under [`limits`]; the export's header layout under [`export_layout`].
//!
//! On top of the engine, the [`Gallery`] holds only references the user consented to
//! ([`ConsentRecord`]): enrolment refuses without consent before touching the image, only the
//! chosen face is embedded, withdrawal and expiry erase (and overwrite) templates, and the
//! gallery can be listed, exported encrypted ([`Gallery::export`], docs/export-format.md) and
//! audited ([`Gallery::audit_log`]).
//!
//! This crate is plain Rust: natively it depends on no wasm-bindgen crate and builds no
//! `cdylib` (tests/native_dependencies.rs). The browser boundary, the npm package's module, is
//! the workspace crate `facegate-wasm`, which uses this crate through the API documented here.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod align;
mod config;
mod decision;
mod decode;
mod detector;
mod engine;
mod error;
mod face;
mod gallery;
mod handle;
mod image;
mod letterbox;
pub mod limits;
mod model;
mod nms;
mod onnx_fold;
mod orientation;
pub mod pipeline;
mod probe;
mod quality;
mod recognizer;
mod template;

pub use config::{DetectorConfig, EngineConfig};
pub use decision::{Decision, OperatingPoint, Outcome};
pub use engine::{DetectionId, Engine, ImageInput, Measured, WarmUpStep};
pub use error::{Error, ModelKind, Result};
pub use face::{BoundingBox, Face, FaceChoice, FaceSelection, Landmarks, Point};
pub use gallery::export_layout;
pub use gallery::{
    generate_passphrase, AuditEvent, AuditEventKind, Clock, ComparisonMode, ConsentRecord, Detected, EraseOptions, Explanation, ExplanationId, FaceEngine,
    Gallery, GalleryConfig, Identification, ImportReport, KdfParams, ManualClock, Match, Purpose, ReferenceId, ReferenceInfo, SessionHistory, Subject,
    SubjectKind, SystemClock, TeachingConfig, Timestamp, Verdict, EXPORT_FORMAT_VERSION,
};
pub use image::Image;
pub use limits::ImageLimits;
pub use model::{DETECTOR_SHA256, RECOGNIZER_SHA256};
pub use orientation::{OrientationConfig, Rotation};
pub use probe::{probe, ImageInfo};
pub use quality::{QualityConfig, QualityMeasures, QualityProblem, QualityReason};
pub use template::{Similarity, Template, TEMPLATE_LEN};

/// The README's examples, run as doctests so that the walkthrough stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
