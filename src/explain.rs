//! The teaching view of the pipeline: every intermediate step for one chosen face.
//!
//! This is the one place a template is handed back to the caller, so that a student can see
//! what a biometric template is. It takes a [`ConsentRecord`] like enrolment does, keeps
//! nothing, and the caller owns (and wipes) what it returns.

use crate::align::{alignment_transform, SimilarityTransform};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::face::Face;
use crate::gallery::{choose_face, ConsentRecord, FaceChoice, Timestamp};
use crate::image::Image;
use crate::recognizer::AlignedFace;
use crate::template::Template;

/// Every step of the pipeline for one face, for teaching. Nothing here is kept by facegate;
/// the aligned crop and the template are wiped when this is dropped.
#[derive(Debug)]
pub struct Explanation {
    /// Every face the detector found, largest first (as [`Engine::detect`] orders them).
    pub faces: Vec<Face>,
    /// Index in `faces` of the face explained; no other face was aligned or embedded.
    pub chosen: usize,
    /// The similarity transform from image pixels to the 112x112 crop.
    pub transform: SimilarityTransform,
    /// The 112x112 RGB crop the recognizer saw.
    pub aligned: AlignedFace,
    /// The 128-number template of the chosen face (L2-normalised).
    pub template: Template,
}

/// Detects the faces of `image`, picks one by `choice`, aligns and embeds only that one.
///
/// `consent` is the record the user gave for this image (see [`ConsentRecord::new`]); it is
/// checked for expiry against `now_ms` and then dropped: nothing is stored.
///
/// Errors: [`Error::ConsentExpired`] when the consent has ended; [`Error::NoFaceFound`],
/// [`Error::FaceChoiceRequired`] or [`Error::FaceChoiceInvalid`] from the choice; and the
/// errors of [`Engine::align`] and [`Engine::embed`].
pub fn explain(engine: &Engine, image: &Image, choice: FaceChoice, consent: &ConsentRecord, now: Timestamp) -> Result<Explanation> {
    if consent.is_expired_at(now) {
        return Err(Error::ConsentExpired { expired_at: consent.expires_at().map(|t| t.as_unix_ms()).unwrap_or_default() });
    }
    let faces = engine.detect(image)?;
    let chosen = choose_face(&faces, choice)?;
    let face = &faces[chosen];
    let transform = alignment_transform(&face.landmarks).ok_or_else(|| Error::FaceOutOfImage { reason: "the landmarks coincide".to_string() })?;
    let aligned = engine.align(image, face)?;
    let template = engine.embed(&aligned)?;
    Ok(Explanation { faces, chosen, transform, aligned, template })
}
