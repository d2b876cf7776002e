//! The teaching view: every step of the pipeline for one face, shown without handing out its
//! template.
//!
//! [`Gallery::explain`] has enrolment's guarantees: it needs a consent record naming whose
//! face it is, is off unless configured ([`TeachingConfig`](crate::TeachingConfig)), counts
//! against a per-session cap, and logs an `explained` event. The template it computes stays
//! inside the gallery under an opaque [`ExplanationId`], for at most
//! [`TeachingConfig::hold_ms`](crate::TeachingConfig), so that
//! [`Gallery::compare_explained`] can compute the cosine of two faces step by step; it is
//! wiped when released, when a newer explanation replaces it (at most
//! [`MAX_HELD_EXPLANATIONS`] are held), on `erase_all`, when its time or its consent runs
//! out, or when the gallery is dropped. What the caller gets is what a lesson draws: the
//! aligned crop (pixels of the caller's own photo), a [`Strip`] of one signed byte per value,
//! and the five values a lesson prints.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::audit::AuditEventKind;
use super::clock::Timestamp;
use super::consent::ConsentRecord;
use super::explain::{rounded, CosineSteps, FaceSteps, Strip, PRINTED_POSITIONS};
use super::face_engine::FaceEngine;
use super::random::random_bytes;
use super::store::Gallery;
use super::stored_template::StoredTemplate;
use crate::align::SimilarityTransform;
use crate::engine::ImageInput;
use crate::error::{Error, Result};
use crate::face::choice::{choose_face, FaceChoice};
use crate::face::Face;
use crate::recognizer::AlignedFace;

/// Most explained faces held at once: two, the pair a lesson compares.
pub const MAX_HELD_EXPLANATIONS: usize = 2;

/// The opaque handle of an explained face: 64 random bits, written as 16 lower-case hex
/// digits (as [`ReferenceId`](crate::ReferenceId) is).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExplanationId(u64);

impl fmt::Display for ExplanationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for ExplanationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExplanationId({self})")
    }
}

impl FromStr for ExplanationId {
    type Err = Error;

    /// Parses 16 hex digits. Anything else is [`Error::UnknownExplanation`].
    fn from_str(s: &str) -> Result<ExplanationId> {
        let unknown = || Error::UnknownExplanation { id: s.chars().take(40).collect() };
        crate::handle::parse_hex16(s).map(ExplanationId).ok_or_else(unknown)
    }
}

impl ExplanationId {
    pub(crate) const fn from_u64(v: u64) -> ExplanationId {
        ExplanationId(v)
    }

    pub(crate) const fn as_u64(self) -> u64 {
        self.0
    }
}

impl Serialize for ExplanationId {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ExplanationId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<ExplanationId, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// What [`Gallery::explain`] shows of one face. No template: its picture ([`Strip`]) and the
/// five values a lesson prints. The crop is wiped when this is dropped.
#[derive(Debug)]
pub struct Explanation {
    /// The handle under which the template is held, for [`Gallery::compare_explained`] and
    /// [`Gallery::release_explanation`].
    pub id: ExplanationId,
    /// Width of the decoded image, in pixels.
    pub width: u32,
    /// Height of the decoded image, in pixels.
    pub height: u32,
    /// Every face the detector found, largest first. Only `faces[chosen]` was aligned and
    /// embedded.
    pub faces: Vec<Face>,
    /// Index in `faces` of the face explained.
    pub chosen: usize,
    /// The similarity transform from image pixels to the 112x112 crop.
    pub transform: SimilarityTransform,
    /// The 112x112 RGB crop the recognizer saw (pixels of the caller's own image).
    pub aligned: AlignedFace,
    /// The template as a picture: one signed byte per value.
    pub strip: Strip,
    /// The template's values at [`PRINTED_POSITIONS`] (the first four and the last), to 4
    /// decimals.
    pub printed: [f32; PRINTED_POSITIONS.len()],
    /// When the held template is wiped at the latest.
    pub held_until: Timestamp,
    /// How many more faces this gallery may explain.
    pub explanations_left: u32,
}

/// An explained face's template, held for a comparison.
pub(crate) struct Held {
    id: ExplanationId,
    /// The consent it was explained under (wiped with it).
    consent: ConsentRecord,
    template: StoredTemplate,
    until: Timestamp,
    /// Order of last use, for replacing the least recently used.
    used: u64,
}

/// The teaching view's state in a gallery.
#[derive(Default)]
pub(crate) struct Teaching {
    held: Vec<Held>,
    /// Faces explained in this session (counted against the cap).
    pub(crate) explained: u32,
    uses: u64,
}

impl Teaching {
    fn position(&self, id: ExplanationId) -> Result<usize> {
        self.held.iter().position(|h| h.id == id).ok_or_else(|| Error::UnknownExplanation { id: id.to_string() })
    }

    fn touch(&mut self, at: usize) {
        self.uses += 1;
        self.held[at].used = self.uses;
    }

    /// Wipes every held template whose time or consent has run out at `now`.
    pub(crate) fn expire(&mut self, now: Timestamp) {
        self.held.retain(|h| now < h.until && !h.consent.is_expired_at(now));
    }

    /// Wipes every held template.
    pub(crate) fn clear(&mut self) {
        self.held = Vec::new();
    }

    /// When the next held template is wiped by time.
    pub(crate) fn next_expiry(&self) -> Option<Timestamp> {
        self.held.iter().map(|h| h.until).min()
    }

    /// How many templates are held.
    #[cfg(test)]
    pub(crate) fn held_count(&self) -> usize {
        self.held.len()
    }

    /// Address of a held template's buffer, to find its erasure record in tests.
    #[cfg(test)]
    pub(crate) fn buffer_address(&self, id: ExplanationId) -> usize {
        self.held[self.position(id).unwrap()].template.buffer_address()
    }
}

impl Gallery {
    /// The teaching view of the face `choice` designates in `image`: every step of the
    /// pipeline, shown without handing out the template.
    ///
    /// Checks, in this order, each before any work on the image:
    /// 1. a consent record is given, else [`Error::ConsentRequired`] (nothing else is
    ///    checked, decoded, detected or embedded);
    /// 2. the teaching view is on ([`Error::TeachingDisabled`]: `teaching.max_explanations`
    ///    is 0, the default);
    /// 3. the consent has not expired ([`Error::ConsentExpired`]) and was not given in the
    ///    future ([`Error::ConsentInvalid`] `"givenAt"`);
    /// 4. the session's cap is not reached ([`Error::ExplanationCapReached`]).
    ///
    /// Then the image is decoded, its faces detected, one chosen (as for enrolment), and only
    /// that face aligned and embedded. The template is held under the returned
    /// [`Explanation::id`] (replacing the least recently used when
    /// [`MAX_HELD_EXPLANATIONS`] are held) with its consent record, until
    /// [`Explanation::held_until`]; an `explained` event is logged and the explanation counts
    /// against the cap. The pixels are wiped before this returns.
    pub fn explain(&mut self, engine: &impl FaceEngine, image: ImageInput<'_>, choice: FaceChoice, consent: Option<ConsentRecord>) -> Result<Explanation> {
        let consent = consent.ok_or(Error::ConsentRequired)?;
        let cap = self.config.teaching.max_explanations;
        if cap == 0 {
            return Err(Error::TeachingDisabled);
        }
        let now = self.enforce_expiry().0;
        consent.check_current(now)?;
        if self.teaching.explained >= cap {
            return Err(Error::ExplanationCapReached { cap });
        }

        let found = engine.detected(image)?;
        let chosen = choose_face(found.faces(), choice)?;
        let FaceSteps { transform, aligned, template } = engine.explain_face(found.image(), &found.faces()[chosen])?;
        let (width, height) = (found.image().width(), found.image().height());
        let faces = found.faces().to_vec();
        drop(found);
        self.teaching.explained += 1;

        let id = self.fresh_explanation_id()?;
        let until = match consent.expires_at() {
            Some(e) => e.min(now.plus_ms(self.config.teaching.hold_ms)),
            None => now.plus_ms(self.config.teaching.hold_ms),
        };
        let values = template.as_slice();
        let strip = Strip::of(values);
        let printed = PRINTED_POSITIONS.map(|i| rounded(f64::from(values[i]), 4));
        let subject = consent.subject().kind();
        let held = Held { id, consent, template: StoredTemplate::copy_of(&template), until, used: 0 };
        drop(template);
        let t = &mut self.teaching;
        if t.held.len() >= MAX_HELD_EXPLANATIONS {
            if let Some(oldest) = t.held.iter().enumerate().min_by_key(|(_, h)| h.used).map(|(i, _)| i) {
                drop(t.held.remove(oldest));
            }
        }
        t.held.push(held);
        let at = t.held.len() - 1;
        t.touch(at);
        self.audit.record(now, AuditEventKind::Explained { explanation: id, subject });
        let explanations_left = cap - self.teaching.explained;
        Ok(Explanation { id, width, height, faces, chosen, transform, aligned, strip, printed, held_until: until, explanations_left })
    }

    /// The cosine of two explained faces, step by step ([`CosineSteps`]): what a lesson prints
    /// and draws, never the templates. Logs an `explanationsCompared` event.
    ///
    /// Errors: [`Error::UnknownExplanation`] when either handle is not held (released,
    /// replaced, erased, or timed out).
    pub fn compare_explained(&mut self, a: ExplanationId, b: ExplanationId) -> Result<CosineSteps> {
        let now = self.enforce_expiry().0;
        let (ia, ib) = (self.teaching.position(a)?, self.teaching.position(b)?);
        self.teaching.touch(ia);
        self.teaching.touch(ib);
        let held = &self.teaching.held;
        let steps = CosineSteps::of(held[ia].template.as_slice(), held[ib].template.as_slice());
        self.audit.record(now, AuditEventKind::ExplanationsCompared { a, b });
        Ok(steps)
    }

    /// Wipes an explained face's template now. Errors: [`Error::UnknownExplanation`].
    pub fn release_explanation(&mut self, id: ExplanationId) -> Result<()> {
        self.enforce_expiry();
        let at = self.teaching.position(id)?;
        drop(self.teaching.held.remove(at));
        Ok(())
    }

    /// How many more faces this gallery may explain.
    pub fn explanations_left(&self) -> u32 {
        self.config.teaching.max_explanations.saturating_sub(self.teaching.explained)
    }

    /// A random handle no held explanation has.
    fn fresh_explanation_id(&self) -> Result<ExplanationId> {
        loop {
            let id = ExplanationId(u64::from_le_bytes(random_bytes::<8>()?));
            if self.teaching.position(id).is_err() {
                return Ok(id);
            }
        }
    }
}
