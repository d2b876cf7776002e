//! Enrolment: consent first, then the cap, then (only then) the image.

use super::audit::AuditEventKind;
use super::choice::FaceChoice;
use super::consent::ConsentRecord;
use super::embed::template_of_choice;
use super::face_engine::{FaceEngine, ImageInput};
use super::reference::{Reference, ReferenceId, MAX_LABEL_CHARS};
use super::store::Gallery;
use super::stored_template::StoredTemplate;
use super::text::text_problem;
use crate::error::{Error, Result};

/// How far in the future (by the gallery's clock) a consent time may lie and still be
/// accepted: clocks of two devices, or one clock adjusted, may disagree a little.
const CLOCK_SKEW_MS: i64 = 60_000;

impl Gallery {
    /// Enrolls the face `choice` designates in `image` as a reference labelled `label`, under
    /// `consent`. Returns its id.
    ///
    /// Checks, in this order, each before any work on the image:
    /// 1. a consent record is given, else [`Error::ConsentRequired`] (nothing else is
    ///    checked, decoded, detected or embedded);
    /// 2. it has not expired ([`Error::ConsentExpired`]) and was not given in the future
    ///    ([`Error::ConsentInvalid`] `"givenAt"`);
    /// 3. the label is 1 to 100 characters on one line ([`Error::InvalidLabel`]);
    /// 4. the gallery is not full ([`Error::GalleryFull`]).
    ///
    /// Then the image is decoded (image errors), its faces detected, one chosen
    /// ([`Error::NoFaceFound`], [`Error::FaceChoiceRequired`], [`Error::FaceChoiceInvalid`]),
    /// and only that face embedded. The pixels are wiped before this returns; the gallery
    /// keeps the label, the consent record, the creation time and the template, nothing else.
    pub fn enroll(
        &mut self,
        engine: &impl FaceEngine,
        image: ImageInput<'_>,
        choice: FaceChoice,
        label: &str,
        consent: Option<ConsentRecord>,
    ) -> Result<ReferenceId> {
        let consent = consent.ok_or(Error::ConsentRequired)?;
        let now = self.enforce_expiry().0;
        if let Some(expired_at) = consent.expires_at().filter(|_| consent.is_expired_at(now)) {
            return Err(Error::ConsentExpired { expired_at: expired_at.as_unix_ms() });
        }
        if consent.given_at() > now.plus_ms(CLOCK_SKEW_MS) {
            return Err(Error::ConsentInvalid { field: "givenAt", reason: "lies in the future".to_string() });
        }
        if let Some(reason) = text_problem(label, MAX_LABEL_CHARS) {
            return Err(Error::InvalidLabel { reason });
        }
        if self.references.len() >= self.config.max_references {
            return Err(Error::GalleryFull { cap: self.config.max_references });
        }

        let template = template_of_choice(engine, image, choice)?;
        let id = self.fresh_id()?;
        let reference = Reference { id, label: label.to_string(), created_at: now, consent, template: StoredTemplate::copy_of(&template) };
        drop(template);
        self.references.push(reference);
        self.audit.record(now, AuditEventKind::ConsentGiven { reference: id });
        self.audit.record(now, AuditEventKind::Enrolled { reference: id });
        Ok(id)
    }
}
