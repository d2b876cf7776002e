//! The quality gate: whether a face can be compared at the stated false-match rate.
//!
//! facegate's thresholds hold on photos like the ones they were calibrated on. On a face
//! that is cut by the photo's border, upside down, far too small, blurred, dark or covered,
//! the recognizer's templates of different people resemble one another, and "1 in 1,000"
//! stops being true. The gate measures each face before it becomes a template
//! ([`geometry`], [`crop_measures`], the raw embedding's norm) and refuses the ones that
//! fail, with a [`QualityReason`] a person understands: a comparison becomes "cannot tell",
//! an enrolment [`Error::FaceUnusable`](crate::Error::FaceUnusable).

mod crop;
mod gate;
mod geometry;
mod reason;

pub use crop::{crop_measures, CropMeasures};
pub use gate::{QualityConfig, QualityMeasures, QualityProblem};
pub use geometry::{face_geometry, geometry, Geometry};
pub use reason::QualityReason;
