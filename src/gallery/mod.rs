//! The consent-gated gallery: the references a user consented to, and nothing else.
//!
//! - [`ConsentRecord`]: who (self, or another person who agreed), purpose, time, SHA-256 of
//!   the consent text shown, optional expiry. No image, no template.
//! - [`Gallery::enroll`]: refuses without consent before touching the image; embeds only the
//!   chosen face ([`FaceChoice`]); capped ([`GalleryConfig::max_references`], default 10,
//!   at most 100).
//! - [`Gallery::verify`] (1:1) and [`Gallery::identify`] (1:N among this gallery only):
//!   similarity, decision at the gallery's operating point, honest wording; the probe
//!   template is wiped inside the call and never returned.
//! - [`Gallery::withdraw`] and [`Gallery::erase_all`]: one call each; template memory
//!   overwritten. Expired consents are erased on every call, and at
//!   [`Gallery::next_expiry`] by [`Gallery::expire_due`] (a timer's call in an idle session).
//! - [`Gallery::list`] (everything held but templates), [`Gallery::export`] and
//!   [`Gallery::import`] (encrypted, versioned: docs/export-format.md).
//! - [`Gallery::audit_log`]: consent, enrolment, comparison, withdrawal, expiry, export,
//!   import, erasure, teaching; no biometric data.
//! - [`Gallery::explain`] (the teaching view, off by default): every step for one consented
//!   face; its template stays inside the gallery under an opaque handle, and only a picture
//!   of it ([`Strip`](crate::pipeline::Strip)) and the cosine of two faces step by step
//!   ([`Gallery::compare_explained`]) come out.
//!
//! What erasure guarantees: a template's buffer is overwritten with zeros by `zeroize`
//! (volatile writes the compiler cannot remove) before its memory is freed, whichever way the
//! reference goes (withdrawal, expiry, `erase_all`, import refusal, or the gallery dropped).
//! It cannot reach copies it does not own: values briefly held in CPU registers or on the
//! stack during a comparison, memory the operating system swapped to disk, or anything the
//! caller copied out of an export. The face engine wipes its own image and template buffers
//! when they are dropped.

mod audit;
mod clock;
mod config;
mod consent;
mod embed;
mod enroll;
pub(crate) mod explain;
mod export;
mod face_engine;
mod matching;
mod portability;
mod random;
mod reference;
mod store;
mod stored_template;
mod teaching;
mod text;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use audit::{AuditEvent, AuditEventKind, ComparisonMode, MAX_AUDIT_EVENTS};
pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use config::{GalleryConfig, TeachingConfig, HARD_MAX_EXPLANATIONS, HARD_MAX_REFERENCES};
pub use consent::{ConsentRecord, Purpose, Subject, SubjectKind, MAX_PURPOSE_CHARS, MAX_SUBJECT_NAME_CHARS};
pub use export::layout as export_layout;
pub use export::{
    generate_passphrase, KdfParams, EXPORT_FORMAT_VERSION, KDF_MAX_ITERATIONS, KDF_MAX_MEMORY_KIB, KDF_MAX_PARALLELISM, KDF_MAX_WORK_KIB, KDF_MIN_MEMORY_KIB,
    KDF_MIN_WORK_KIB, MAX_PASSPHRASE_BYTES, MIN_PASSPHRASE_SCORE, PASSPHRASE_WORDS,
};
pub use face_engine::{Detected, FaceEngine};
pub use matching::{Identification, Match, Verdict};
pub use portability::ImportReport;
pub use reference::{ReferenceId, ReferenceInfo, MAX_LABEL_CHARS};
pub use store::{EraseOptions, Gallery, SessionHistory};
pub use teaching::{Explanation, ExplanationId, MAX_HELD_EXPLANATIONS};
