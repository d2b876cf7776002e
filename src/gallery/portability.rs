//! Export and import of the whole gallery, encrypted under the user's passphrase.

use serde::Serialize;

use super::audit::AuditEventKind;
use super::consent::CLOCK_SKEW_MS;
use super::export::{open, seal, KdfParams};
use super::store::Gallery;
use crate::error::{Error, Result};

/// What [`Gallery::import`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// References added to the gallery.
    pub added: usize,
    /// References of the export the gallery already held (same id): left as they were.
    pub already_present: usize,
    /// References of the export whose consent had expired: erased, not added.
    pub expired_erased: usize,
    /// Labels, names and purposes of the export in which invisible format characters (which
    /// exports of version 1 could hold) were replaced by U+FFFD, so that nothing hides.
    pub texts_repaired: usize,
}

impl Gallery {
    /// The whole gallery (references with their templates and consent records, and the audit
    /// log) encrypted under `passphrase`, in the versioned format of docs/export-format.md,
    /// with the default [`KdfParams`]. Nothing is written anywhere: the bytes are returned to
    /// the caller, to save where the user chooses. Records an `exported` event.
    ///
    /// Argon2id reads the passphrase in place; its 32 MiB of working memory is a buffer
    /// facegate allocates and overwrites with zeros before freeing (with one lane, its last
    /// block alone would re-derive the key), and the derived key is overwritten before this
    /// returns. The strength estimator works on a copy that is wiped too. What facegate cannot
    /// reach: a hash function's internal state on the stack may briefly hold part of the
    /// passphrase, and the estimator's own temporary strings (lower-cased slices of it) are
    /// freed without being overwritten. The caller owns the passphrase string and should drop
    /// it as soon as it can.
    ///
    /// The file is written in format version 2: its encrypted body is padded to a size bucket
    /// (16 KiB, 64 KiB, 256 KiB...), so its length does not tell how many references it holds.
    ///
    /// Errors: [`Error::PassphraseRejected`] (too easy to guess, with the reason; see
    /// [`MIN_PASSPHRASE_SCORE`](crate::limits::MIN_PASSPHRASE_SCORE) and
    /// [`generate_passphrase`](crate::generate_passphrase)), [`Error::Randomness`].
    pub fn export(&mut self, passphrase: &str) -> Result<Vec<u8>> {
        self.export_with(passphrase, KdfParams::default())
    }

    /// [`Gallery::export`] with other key-derivation costs (within the accepted ranges, else
    /// [`Error::ExportKdfOutOfRange`]).
    pub fn export_with(&mut self, passphrase: &str, kdf: KdfParams) -> Result<Vec<u8>> {
        let now = self.enforce_expiry().0;
        let file = seal(&self.references, self.audit.events(), passphrase, kdf)?;
        self.audit.record(now, AuditEventKind::Exported { references: self.references.len() as u32 });
        Ok(file)
    }

    /// Restores an export made by [`Gallery::export`], merging it into this gallery:
    ///
    /// - references the gallery does not hold are added; those it holds (same id) are left
    ///   as they are (importing the same file twice adds nothing);
    /// - references whose consent has expired are erased, not added, and counted in the
    ///   report (and logged as `expired`): an old backup restores what is still consented;
    /// - the export's audit events are merged into the log in time order (events already
    ///   present are not repeated), and an `imported` event is recorded;
    /// - if the result would exceed the gallery's cap, nothing changes:
    ///   [`Error::GalleryFull`];
    /// - a consent record dated in the future (beyond a minute of clock difference) refuses
    ///   the whole file: [`Error::ConsentInvalid`] `"givenAt"`, nothing changes;
    /// - invisible format characters in labels, names and purposes (version-1 files could
    ///   hold them) are replaced by U+FFFD and counted in the report.
    ///
    /// Reads format versions 1 and 2; the passphrase is not strength-checked here (an old
    /// file keeps opening with the passphrase it was written with).
    ///
    /// Refusals, each before anything changes: [`Error::ExportNotRecognized`],
    /// [`Error::ExportUnsupportedVersion`], [`Error::ExportTruncated`],
    /// [`Error::ExportTampered`], [`Error::ExportKdfOutOfRange`],
    /// [`Error::ExportWrongPassphrase`], [`Error::ExportMalformed`]. The decrypted plaintext
    /// and the key are wiped before this returns.
    pub fn import(&mut self, file: &[u8], passphrase: &str) -> Result<ImportReport> {
        let now = self.enforce_expiry().0;
        let contents = open(file, passphrase)?;
        for reference in &contents.references {
            if reference.consent.given_at() > now.plus_ms(CLOCK_SKEW_MS) {
                return Err(Error::ConsentInvalid {
                    field: "givenAt",
                    reason: format!("the consent of reference {} in this export is dated in the future; nothing was imported", reference.id),
                });
            }
        }
        let mut report = ImportReport { texts_repaired: contents.repaired_texts, ..ImportReport::default() };
        let mut expired = Vec::new();
        let mut fresh = Vec::new();
        for reference in contents.references {
            if reference.consent.is_expired_at(now) {
                expired.push(reference.id);
            } else if self.position(reference.id).is_ok() {
                report.already_present += 1;
            } else {
                fresh.push(reference);
            }
        }
        if self.references.len() + fresh.len() > self.config.max_references {
            return Err(Error::GalleryFull { cap: self.config.max_references });
        }
        report.added = fresh.len();
        report.expired_erased = expired.len();
        if report.added > 0 {
            self.revision += 1;
        }
        self.references.extend(fresh);
        self.audit.merge(contents.events);
        for reference in expired {
            self.audit.record(now, AuditEventKind::Expired { reference });
        }
        self.audit.record(now, AuditEventKind::Imported { references: report.added as u32, expired_erased: report.expired_erased as u32 });
        Ok(report)
    }
}
