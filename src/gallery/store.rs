//! The gallery: consented references and the audit log, held in memory only.

use super::audit::{AuditEvent, AuditEventKind, AuditLog};
use super::clock::{Clock, SystemClock, Timestamp};
use super::config::GalleryConfig;
use super::random::random_bytes;
use super::reference::{Reference, ReferenceId, ReferenceInfo};
use super::teaching::Teaching;
use crate::error::{Error, Result};

/// A user's consented reference faces, in memory only (nothing is persisted unless the user
/// exports), with the audit log of what happened to them.
///
/// Every public method first erases the references whose consent has expired (recording an
/// `expired` event), so expiry holds whatever is called; an idle session calls
/// [`Gallery::expire_due`] at [`Gallery::next_expiry`] (the npm package's worker does, with a
/// timer). Withdrawing one reference
/// ([`Gallery::withdraw`]) or everything ([`Gallery::erase_all`]) is one call, as easy as
/// enrolling. Dropping the gallery wipes every template too.
///
/// ```no_run
/// use facegate::{ConsentRecord, Engine, EngineConfig, FaceChoice, Gallery, GalleryConfig, ImageInput, Purpose, Subject, SystemClock};
/// # fn main() -> Result<(), facegate::Error> {
/// # let (det, rec, me, probe): (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) = Default::default();
/// let engine = Engine::new(&det, &rec, EngineConfig::default())?;
/// let mut gallery = Gallery::new(GalleryConfig::default())?;
/// let consent = ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "I agree that ...", None, &SystemClock)?;
/// let id = gallery.enroll(&engine, ImageInput::Encoded(&me), FaceChoice::Auto, "me", Some(consent))?;
/// let result = gallery.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, id)?;
/// println!("{}", result.wording());
/// gallery.withdraw(id)?;
/// # Ok(()) }
/// ```
pub struct Gallery {
    pub(crate) config: GalleryConfig,
    clock: Box<dyn Clock>,
    pub(crate) references: Vec<Reference>,
    pub(crate) audit: AuditLog,
    pub(crate) teaching: Teaching,
    /// Counts every change to the set of references (see [`Gallery::revision`]).
    pub(crate) revision: u64,
}

/// What a gallery carries from one session to the next when its process is replaced (the npm
/// package restarts its worker on "erase everything", since WebAssembly memory never shrinks):
/// the audit log, and how many faces the teaching view has explained (so that a restart does
/// not reset its cap). No reference, template or key.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SessionHistory {
    /// The audit log, oldest first.
    pub audit_log: Vec<AuditEvent>,
    /// Faces explained so far.
    pub explanations_used: u32,
}

/// What [`Gallery::erase_all`] erases besides the references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EraseOptions {
    /// Also empty the audit log, leaving no trace at all (not even of the erasure).
    /// Default: `false`: the log is kept and records the erasure.
    pub audit_log: bool,
}

/// A reference erased because its consent expired: its id and when.
pub(crate) type Expiry = (ReferenceId, Timestamp);

impl std::fmt::Debug for Gallery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gallery").field("config", &self.config).field("references", &self.references.len()).finish_non_exhaustive()
    }
}

impl Gallery {
    /// An empty gallery on the system clock. Errors: [`Error::InvalidConfig`].
    pub fn new(config: GalleryConfig) -> Result<Gallery> {
        Gallery::with_clock(config, SystemClock)
    }

    /// An empty gallery reading the time from `clock` (a [`ManualClock`](crate::ManualClock)
    /// in tests). Errors: [`Error::InvalidConfig`].
    pub fn with_clock(config: GalleryConfig, clock: impl Clock + 'static) -> Result<Gallery> {
        config.validate()?;
        Ok(Gallery { config, clock: Box::new(clock), references: Vec::new(), audit: AuditLog::default(), teaching: Teaching::default(), revision: 0 })
    }

    /// What this gallery's next process should carry over ([`SessionHistory`]).
    pub fn history(&self) -> SessionHistory {
        SessionHistory { audit_log: self.audit.events().to_vec(), explanations_used: self.teaching.explained }
    }

    /// Takes up `history`: its audit log is merged into this one (in time order) and its
    /// explanations count against this gallery's teaching cap.
    pub fn resume(&mut self, history: SessionHistory) {
        let mut events = history.audit_log;
        events.extend_from_slice(self.audit.events());
        self.audit = AuditLog::from_events(events);
        self.teaching.explained = self.teaching.explained.saturating_add(history.explanations_used);
    }

    /// A number that changes whenever the set of references changes (enrolment, withdrawal,
    /// expiry, import, erasure), so that a caller can tell when to refresh what it shows.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// When the next consent expires or the next explained face is wiped by time, if any: the
    /// time to call [`Gallery::expire_due`] at, so that an idle gallery keeps nothing past its
    /// time.
    pub fn next_expiry(&self) -> Option<Timestamp> {
        let consents = self.references.iter().filter_map(|r| r.consent.expires_at()).min();
        match (consents, self.teaching.next_expiry()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Erases now every reference whose consent has expired (logging an `expired` event for
    /// each) and wipes explained faces past their time; returns the ids of the references
    /// erased. Every other call does this first too; this is for a timer in an idle session.
    pub fn expire_due(&mut self) -> Vec<ReferenceId> {
        self.enforce_expiry().1.into_iter().map(|(id, _)| id).collect()
    }

    /// The configuration in force.
    pub fn config(&self) -> &GalleryConfig {
        &self.config
    }

    /// The clock this gallery times consents, expiry and its audit log with (to time a
    /// [`ConsentRecord`](crate::ConsentRecord) for it with the same clock).
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// How many references the gallery holds. A getter does not erase: references whose
    /// consent has expired count until the next call that changes or reads the gallery's
    /// contents, or [`Gallery::expire_due`] (a timer's call at [`Gallery::next_expiry`]).
    pub fn len(&self) -> usize {
        self.references.len()
    }

    /// Whether the gallery holds no reference (see [`Gallery::len`] about expiry).
    pub fn is_empty(&self) -> bool {
        self.references.is_empty()
    }

    /// Everything held about each reference, oldest first: id, label, creation time, consent
    /// record and template size. Never the template itself.
    pub fn list(&mut self) -> Vec<ReferenceInfo> {
        self.enforce_expiry();
        self.references.iter().map(Reference::info).collect()
    }

    /// The audit log, oldest first.
    pub fn audit_log(&mut self) -> &[AuditEvent] {
        self.enforce_expiry();
        self.audit.events()
    }

    /// Withdraws consent for one reference: it is erased at once, its template memory
    /// overwritten. Errors: [`Error::UnknownReference`] (also when it has already expired).
    pub fn withdraw(&mut self, id: ReferenceId) -> Result<()> {
        let now = self.enforce_expiry().0;
        let at = self.position(id)?;
        drop(self.references.remove(at));
        self.revision += 1;
        self.audit.record(now, AuditEventKind::Withdrawn { reference: id });
        Ok(())
    }

    /// Erases every reference at once (templates overwritten), every explained face the
    /// teaching view holds, and the audit log too when `options.audit_log` is set. The gallery
    /// holds no key to erase: export passphrases and keys are never kept past the call that
    /// used them. Returns how many references were erased.
    pub fn erase_all(&mut self, options: EraseOptions) -> usize {
        let now = self.enforce_expiry().0;
        let erased = self.references.len();
        self.references = Vec::new();
        self.teaching.clear();
        self.revision += 1;
        if options.audit_log {
            self.audit.clear();
        } else {
            self.audit.record(now, AuditEventKind::Erased { references: erased as u32 });
        }
        erased
    }

    /// Erases the references whose consent has expired, recording each; returns the time and
    /// what was erased.
    pub(crate) fn enforce_expiry(&mut self) -> (Timestamp, Vec<Expiry>) {
        let now = self.clock.now();
        self.teaching.expire(now);
        let mut expired = Vec::new();
        let audit = &mut self.audit;
        self.references.retain(|r| {
            if !r.consent.is_expired_at(now) {
                return true;
            }
            expired.push((r.id, r.consent.expires_at().unwrap_or(now)));
            audit.record(now, AuditEventKind::Expired { reference: r.id });
            false
        });
        if !expired.is_empty() {
            self.revision += 1;
        }
        (now, expired)
    }

    pub(crate) fn position(&self, id: ReferenceId) -> Result<usize> {
        self.references.iter().position(|r| r.id == id).ok_or_else(|| Error::UnknownReference { id: id.to_string() })
    }

    /// A random id no reference of this gallery has.
    pub(crate) fn fresh_id(&self) -> Result<ReferenceId> {
        loop {
            let id = ReferenceId::from_u64(u64::from_le_bytes(random_bytes::<8>()?));
            if self.position(id).is_err() {
                return Ok(id);
            }
        }
    }
}
