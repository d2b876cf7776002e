//! Enrolment: consent first, then the cap, then (only then) the image.

use super::audit::AuditEventKind;
use super::consent::ConsentRecord;
use super::embed::template_of_choice;
use super::face_engine::FaceEngine;
use super::reference::{Reference, ReferenceId, MAX_LABEL_CHARS};
use super::store::Gallery;
use super::stored_template::StoredTemplate;
use super::text::text_problem;
use crate::engine::ImageInput;
use crate::error::{Error, Result};
use crate::face::choice::FaceChoice;

impl Gallery {
    /// Enrolls the face `choice` designates in `image` as a reference labelled `label`, under
    /// `consent`. Returns its id.
    ///
    /// Checks, in this order, each before any work on the image:
    /// 1. a consent record is given, else [`Error::ConsentRequired`] (nothing else is
    ///    checked, decoded, detected or embedded);
    /// 2. it has not expired ([`Error::ConsentExpired`]) and was not given in the future
    ///    ([`Error::ConsentInvalid`] `"givenAt"`);
    /// 3. the label is 1 to 100 characters on one line ([`Error::InvalidLabel`]) without
    ///    invisible format characters ([`Error::FormatCharacter`]);
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
        consent.check_current(now)?;
        if let Some(problem) = text_problem(label, MAX_LABEL_CHARS) {
            return Err(problem.into_error("label", |reason| Error::InvalidLabel { reason }));
        }
        if self.references.len() >= self.config.max_references {
            return Err(Error::GalleryFull { cap: self.config.max_references });
        }

        let template = template_of_choice(engine, image, choice)?;
        let id = self.fresh_id()?;
        let reference = Reference { id, label: label.to_string(), created_at: now, consent, template: StoredTemplate::copy_of(&template) };
        drop(template);
        self.references.push(reference);
        self.revision += 1;
        self.audit.record(now, AuditEventKind::ConsentGiven { reference: id });
        self.audit.record(now, AuditEventKind::Enrolled { reference: id });
        Ok(id)
    }
}
