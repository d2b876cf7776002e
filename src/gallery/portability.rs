//! Export and import of the whole gallery, encrypted under the user's passphrase.

use serde::Serialize;

use super::audit::AuditEventKind;
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
}

impl Gallery {
    /// The whole gallery (references with their templates and consent records, and the audit
    /// log) encrypted under `passphrase`, in the versioned format of docs/export-format.md,
    /// with the default [`KdfParams`]. Nothing is written anywhere: the bytes are returned to
    /// the caller, to save where the user chooses. Records an `exported` event.
    ///
    /// facegate makes no copy of the passphrase: Argon2id reads it in place (its memory blocks
    /// and initial hash are wiped afterwards; a hash function's internal buffer on the stack
    /// may briefly hold part of it). The derived key is overwritten before this returns. The
    /// caller owns the passphrase string and should drop it as soon as it can.
    ///
    /// Errors: [`Error::PassphraseRejected`] (fewer than 8 characters),
    /// [`Error::Randomness`].
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
    ///   [`Error::GalleryFull`].
    ///
    /// Refusals, each before anything changes: [`Error::ExportNotRecognized`],
    /// [`Error::ExportUnsupportedVersion`], [`Error::ExportTruncated`],
    /// [`Error::ExportTampered`], [`Error::ExportKdfOutOfRange`],
    /// [`Error::ExportWrongPassphrase`], [`Error::ExportMalformed`]. The decrypted plaintext
    /// and the key are wiped before this returns.
    pub fn import(&mut self, file: &[u8], passphrase: &str) -> Result<ImportReport> {
        let now = self.enforce_expiry().0;
        let contents = open(file, passphrase)?;
        let mut report = ImportReport::default();
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
        self.references.extend(fresh);
        self.audit.merge(contents.events);
        for reference in expired {
            self.audit.record(now, AuditEventKind::Expired { reference });
        }
        self.audit.record(now, AuditEventKind::Imported { references: report.added as u32, expired_erased: report.expired_erased as u32 });
        Ok(report)
    }
}
