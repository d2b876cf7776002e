//! The audit log the user owns: what happened to their data, when. No biometric data: ids,
//! decisions and counts only, never a label, an image, a template or a similarity score.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::clock::Timestamp;
use super::consent::SubjectKind;
use super::reference::ReferenceId;
use super::teaching::ExplanationId;
use crate::decision::OperatingPoint;
use crate::quality::QualityReason;

/// One entry of the audit log. Serialized (JSON, JavaScript) as
/// `{"at": <Unix ms>, "event": "<kind>", ...fields of the kind}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When it happened (the gallery's clock).
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub kind: AuditEventKind,
}

/// How a comparison was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ComparisonMode {
    /// 1:1, [`Gallery::verify`](crate::Gallery::verify).
    Verify,
    /// 1:N among the gallery's references, [`Gallery::identify`](crate::Gallery::identify):
    /// one event per reference compared.
    Identify,
}

/// What happened. References are named by id only, so that a withdrawn reference leaves no
/// label behind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum AuditEventKind {
    /// A consent record was accepted for a reference (logged with its enrolment).
    ConsentGiven {
        /// The reference it covers.
        reference: ReferenceId,
    },
    /// A reference template was computed and stored.
    Enrolled {
        /// The new reference.
        reference: ReferenceId,
    },
    /// A probe was compared with a reference; the probe template was wiped afterwards.
    Compared {
        /// The reference compared with.
        reference: ReferenceId,
        /// The decision ("likely the same person" when true).
        likely_same_person: bool,
        /// The operating point of the decision.
        operating_point: OperatingPoint,
        /// Verify (1:1) or identify (1:N).
        mode: ComparisonMode,
    },
    /// A probe was to be compared with a reference, but its face failed the quality gate:
    /// facegate could not tell (no similarity was computed; nothing of the probe was kept).
    CannotTell {
        /// The reference it was to be compared with.
        reference: ReferenceId,
        /// Why.
        reason: QualityReason,
        /// The operating point of the comparison.
        operating_point: OperatingPoint,
        /// Verify (1:1) or identify (1:N).
        mode: ComparisonMode,
    },
    /// The user withdrew consent; the reference was erased.
    Withdrawn {
        /// The erased reference.
        reference: ReferenceId,
    },
    /// The consent expired; the reference was erased.
    Expired {
        /// The erased reference.
        reference: ReferenceId,
    },
    /// The gallery was exported (encrypted).
    Exported {
        /// How many references the export holds.
        references: u32,
    },
    /// An export was imported.
    Imported {
        /// References added.
        references: u32,
        /// References in the export whose consent had expired: erased, not added.
        expired_erased: u32,
    },
    /// Every reference was erased at the user's request (the audit log was kept).
    Erased {
        /// How many references were erased.
        references: u32,
    },
    /// The teaching view explained a face under a consent naming whose face it is: its
    /// template was computed and is held under this handle until released, replaced, erased
    /// or timed out ([`Gallery::explain`](crate::Gallery::explain)).
    Explained {
        /// The handle of the explained face.
        explanation: ExplanationId,
        /// Whose face it is, by kind (the name is not logged).
        subject: SubjectKind,
    },
    /// The teaching view compared two explained faces step by step
    /// ([`Gallery::compare_explained`](crate::Gallery::compare_explained)).
    ExplanationsCompared {
        /// The first explained face.
        a: ExplanationId,
        /// The second explained face.
        b: ExplanationId,
    },
}

/// Most events an audit log keeps (about 4 MB at most). Past it the oldest tenth is dropped,
/// and an import never brings in more.
pub const MAX_AUDIT_EVENTS: usize = 100_000;

/// Append-only list of [`AuditEvent`]s, oldest first. Only `erase_all` with
/// `audit_log: true` empties it. It keeps at most [`MAX_AUDIT_EVENTS`], the newest: an event
/// takes a few dozen bytes, so a session's log stays small, and a hostile import cannot grow
/// it without bound.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AuditLog {
    events: Vec<AuditEvent>,
}

impl AuditLog {
    pub(crate) fn record(&mut self, at: Timestamp, kind: AuditEventKind) {
        self.events.push(AuditEvent { at, kind });
        self.keep_newest();
    }

    /// A log holding `events` (an earlier session's, carried over), newest kept.
    pub(crate) fn from_events(mut events: Vec<AuditEvent>) -> AuditLog {
        events.sort_by_key(|e| e.at);
        let mut log = AuditLog { events };
        log.keep_newest();
        log
    }

    /// Past [`MAX_AUDIT_EVENTS`], drops the oldest events down to nine tenths of it (in one
    /// move, not one per new event).
    fn keep_newest(&mut self) {
        if self.events.len() > MAX_AUDIT_EVENTS {
            let excess = self.events.len() - MAX_AUDIT_EVENTS / 10 * 9;
            self.events.drain(..excess);
        }
    }

    pub(crate) fn events(&self) -> &[AuditEvent] {
        &self.events
    }

    pub(crate) fn clear(&mut self) {
        self.events = Vec::new();
    }

    /// Adds the events of an imported log that this log does not already hold (importing the
    /// same export twice adds them once), keeping the whole in time order (stable: at equal
    /// times, events already here come first).
    pub(crate) fn merge(&mut self, imported: Vec<AuditEvent>) {
        let present: HashSet<AuditEvent> = self.events.iter().cloned().collect();
        self.events.extend(imported.into_iter().filter(|e| !present.contains(e)));
        self.events.sort_by_key(|e| e.at);
        self.keep_newest();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_ms(ms)
    }

    #[test]
    fn events_serialize_flat_in_camel_case() {
        let e = AuditEvent {
            at: at(7),
            kind: AuditEventKind::Compared {
                reference: ReferenceId::from_u64(1),
                likely_same_person: true,
                operating_point: OperatingPoint::Fmr1e3,
                mode: ComparisonMode::Verify,
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"at":7,"event":"compared","reference":"0000000000000001","likelySamePerson":true,"operatingPoint":"fmr1e3","mode":"verify"}"#);
        let e = AuditEvent {
            at: at(9),
            kind: AuditEventKind::CannotTell {
                reference: ReferenceId::from_u64(1),
                reason: QualityReason::FaceRotated,
                operating_point: OperatingPoint::Fmr1e3,
                mode: ComparisonMode::Identify,
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"at":9,"event":"cannotTell","reference":"0000000000000001","reason":"faceRotated","operatingPoint":"fmr1e3","mode":"identify"}"#);
        let e = AuditEvent { at: at(8), kind: AuditEventKind::Imported { references: 2, expired_erased: 1 } };
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"at":8,"event":"imported","references":2,"expiredErased":1}"#);
    }

    #[test]
    fn merge_skips_known_events_and_keeps_time_order() {
        let ev = |ms, n| AuditEvent { at: at(ms), kind: AuditEventKind::Exported { references: n } };
        let mut log = AuditLog::default();
        log.record(at(10), AuditEventKind::Exported { references: 1 });
        log.record(at(30), AuditEventKind::Exported { references: 3 });
        log.merge(vec![ev(10, 1), ev(20, 2), ev(30, 9)]);
        assert_eq!(log.events(), &[ev(10, 1), ev(20, 2), ev(30, 3), ev(30, 9)]);
        log.merge(vec![ev(20, 2)]);
        assert_eq!(log.events().len(), 4);
        log.clear();
        assert!(log.events().is_empty());
    }
}
