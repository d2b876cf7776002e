//! The plaintext of an export: the references with their consent records and templates, then
//! the audit log; from version 2, zero padding up to a size bucket. Layout in
//! docs/export-format.md.

use std::collections::HashSet;

use super::wire::{ReadError, Reader, Sink};
use crate::decision::OperatingPoint;
use crate::gallery::audit::{AuditEvent, AuditEventKind, ComparisonMode, MAX_AUDIT_EVENTS};
use crate::gallery::clock::Timestamp;
use crate::gallery::config::HARD_MAX_REFERENCES;
use crate::gallery::consent::{ConsentRecord, Purpose, Subject, SubjectKind, MAX_PURPOSE_CHARS, MAX_SUBJECT_NAME_CHARS};
use crate::gallery::reference::{Reference, ReferenceId, MAX_LABEL_CHARS};
use crate::gallery::stored_template::StoredTemplate;
use crate::gallery::teaching::ExplanationId;
use crate::gallery::text::{replace_format_characters, text_problem, TextProblem};
use crate::quality::QualityReason;
use crate::template::TEMPLATE_LEN;

/// Smallest encoded audit event: time (8), kind (1), a u32 (4).
const MIN_EVENT_LEN: usize = 13;

// The tag tables: each value's code in the file, written once for the encoder and the decoder
// (docs/export-format.md). A code is a position in its table, or one of the constants.

/// Operating points, by code.
const OPERATING_POINTS: [OperatingPoint; 3] = [OperatingPoint::Fmr1e2, OperatingPoint::Fmr1e3, OperatingPoint::Fmr1e4];
/// Comparison modes, by code.
const MODES: [ComparisonMode; 2] = [ComparisonMode::Verify, ComparisonMode::Identify];
/// Subject kinds (of a consent, and of a teaching view's face), by code.
const SUBJECT_KINDS: [SubjectKind; 2] = [SubjectKind::SelfPerson, SubjectKind::OtherPersonConsented];
// Quality reasons: their position in [`QualityReason::ALL`].

/// Purposes' codes.
mod purpose_code {
    pub(super) const VERIFY_IT_IS_ME: u8 = 0;
    pub(super) const COMPARE_WITH_CONSENTING_PERSON: u8 = 1;
    pub(super) const OTHER: u8 = 2;
}

/// Audit event kinds' codes (8, 9 and 10 from version 2).
mod event_code {
    pub(super) const CONSENT_GIVEN: u8 = 0;
    pub(super) const ENROLLED: u8 = 1;
    pub(super) const COMPARED: u8 = 2;
    pub(super) const WITHDRAWN: u8 = 3;
    pub(super) const EXPIRED: u8 = 4;
    pub(super) const EXPORTED: u8 = 5;
    pub(super) const IMPORTED: u8 = 6;
    pub(super) const ERASED: u8 = 7;
    pub(super) const EXPLAINED: u8 = 8;
    pub(super) const EXPLANATIONS_COMPARED: u8 = 9;
    pub(super) const CANNOT_TELL: u8 = 10;
}

/// The code of `value`: its position in `table` (every value is in its table).
fn code_in<T: PartialEq>(table: &[T], value: &T) -> u8 {
    table.iter().position(|v| v == value).unwrap_or(0) as u8
}

/// The value whose code comes next (`what` names it when the bytes end; an unknown code is
/// reported as `unknown {kind} {code}`).
fn read_code<T: Copy>(r: &mut Reader<'_>, table: &[T], what: &str, kind: &str) -> Result<T, ReadError> {
    let k = r.u8(what)?;
    table.get(usize::from(k)).copied().ok_or_else(|| format!("unknown {kind} {k}"))
}

/// What an export holds.
#[derive(Debug)]
pub(crate) struct Contents {
    pub(crate) references: Vec<Reference>,
    pub(crate) events: Vec<AuditEvent>,
    /// Labels, names and purposes in which invisible format characters (allowed before
    /// version 2) were replaced by U+FFFD.
    pub(crate) repaired_texts: usize,
}

/// Smallest padded body of a version-2 export, in bytes.
pub(crate) const MIN_BUCKET: usize = 16 * 1024;

/// The padded size of a version-2 body of `len` bytes: the smallest of 16 KiB, 64 KiB,
/// 256 KiB, 1 MiB, ... (16 KiB times a power of 4) that holds it. A gallery of up to about
/// 25 references and their log fits the first, so an export does not tell 1 reference from 9.
pub(crate) fn bucket(len: usize) -> usize {
    let mut size = MIN_BUCKET;
    while size < len {
        size = size.saturating_mul(4);
    }
    size
}

/// Writes the plaintext.
pub(crate) fn encode(references: &[Reference], events: &[AuditEvent], out: &mut dyn Sink) {
    out.u32(references.len() as u32);
    for r in references {
        encode_reference(r, out);
    }
    out.u32(events.len() as u32);
    for e in events {
        encode_event(e, out);
    }
}

fn encode_reference(r: &Reference, out: &mut dyn Sink) {
    out.u64(r.id.as_u64());
    out.str(&r.label);
    out.i64(r.created_at.as_unix_ms());
    let c = &r.consent;
    out.u8(code_in(&SUBJECT_KINDS, &c.subject().kind()));
    if let Subject::OtherPersonConsented { name } = c.subject() {
        out.str(name);
    }
    match c.purpose() {
        Purpose::VerifyItIsMe => out.u8(purpose_code::VERIFY_IT_IS_ME),
        Purpose::CompareWithConsentingPerson => out.u8(purpose_code::COMPARE_WITH_CONSENTING_PERSON),
        Purpose::Other { description } => {
            out.u8(purpose_code::OTHER);
            out.str(description);
        }
    }
    out.i64(c.given_at().as_unix_ms());
    out.put(c.text_sha256());
    match c.expires_at() {
        None => out.u8(0),
        Some(t) => {
            out.u8(1);
            out.i64(t.as_unix_ms());
        }
    }
    for &v in r.template.as_slice() {
        out.f32(v);
    }
}

fn encode_event(e: &AuditEvent, out: &mut dyn Sink) {
    out.i64(e.at.as_unix_ms());
    match &e.kind {
        AuditEventKind::ConsentGiven { reference } => tagged_id(out, event_code::CONSENT_GIVEN, *reference),
        AuditEventKind::Enrolled { reference } => tagged_id(out, event_code::ENROLLED, *reference),
        AuditEventKind::Compared { reference, likely_same_person, operating_point, mode } => {
            tagged_id(out, event_code::COMPARED, *reference);
            out.u8(u8::from(*likely_same_person));
            out.u8(code_in(&OPERATING_POINTS, operating_point));
            out.u8(code_in(&MODES, mode));
        }
        AuditEventKind::CannotTell { reference, reason, operating_point, mode } => {
            tagged_id(out, event_code::CANNOT_TELL, *reference);
            out.u8(code_in(&QualityReason::ALL, reason));
            out.u8(code_in(&OPERATING_POINTS, operating_point));
            out.u8(code_in(&MODES, mode));
        }
        AuditEventKind::Withdrawn { reference } => tagged_id(out, event_code::WITHDRAWN, *reference),
        AuditEventKind::Expired { reference } => tagged_id(out, event_code::EXPIRED, *reference),
        AuditEventKind::Exported { references } => {
            out.u8(event_code::EXPORTED);
            out.u32(*references);
        }
        AuditEventKind::Imported { references, expired_erased } => {
            out.u8(event_code::IMPORTED);
            out.u32(*references);
            out.u32(*expired_erased);
        }
        AuditEventKind::Erased { references } => {
            out.u8(event_code::ERASED);
            out.u32(*references);
        }
        AuditEventKind::Explained { explanation, subject } => {
            out.u8(event_code::EXPLAINED);
            out.u64(explanation.as_u64());
            out.u8(code_in(&SUBJECT_KINDS, subject));
        }
        AuditEventKind::ExplanationsCompared { a, b } => {
            out.u8(event_code::EXPLANATIONS_COMPARED);
            out.u64(a.as_u64());
            out.u64(b.as_u64());
        }
    }
}

fn tagged_id(out: &mut dyn Sink, kind: u8, id: ReferenceId) {
    out.u8(kind);
    out.u64(id.as_u64());
}

/// Reads the plaintext of a `version` 1 or 2 export back, checking every value as enrolment
/// would (texts written before version 2 with invisible format characters are repaired, not
/// refused); a version-2 body must be a bucket's size and end in zero padding.
pub(crate) fn decode(bytes: &[u8], version: u16) -> Result<Contents, ReadError> {
    if version >= 2 && bytes.len() != bucket(bytes.len()) {
        return Err(format!("a version-{version} body of {} bytes is not a padding bucket's size", bytes.len()));
    }
    let mut r = Reader::new(bytes);
    let mut repaired_texts = 0;
    let count = r.u32("the reference count")? as usize;
    if count > HARD_MAX_REFERENCES {
        return Err(format!("{count} references, more than any gallery holds ({HARD_MAX_REFERENCES})"));
    }
    let mut references = Vec::with_capacity(count);
    let mut ids = HashSet::new();
    for _ in 0..count {
        let reference = decode_reference(&mut r, &mut repaired_texts)?;
        if !ids.insert(reference.id) {
            return Err(format!("reference id {} appears twice", reference.id));
        }
        references.push(reference);
    }
    let count = r.u32("the event count")? as usize;
    if count > MAX_AUDIT_EVENTS {
        return Err(format!("{count} audit events, more than a log keeps ({MAX_AUDIT_EVENTS})"));
    }
    if count > r.remaining() / MIN_EVENT_LEN {
        return Err(format!("{count} events cannot fit in {} bytes", r.remaining()));
    }
    let mut events = Vec::with_capacity(count);
    for _ in 0..count {
        events.push(decode_event(&mut r, version)?);
    }
    if version >= 2 {
        r.padding()?;
    } else {
        r.finish()?;
    }
    Ok(Contents { references, events, repaired_texts })
}

/// A label, name or purpose read from an export: checked as when it was typed, except that
/// invisible format characters (allowed before version 2) are replaced by U+FFFD and counted.
fn read_text(r: &mut Reader<'_>, what: &str, max_chars: usize, repaired: &mut usize) -> Result<String, ReadError> {
    let mut text = r.str(what)?;
    if let Some(TextProblem::Format { .. }) = text_problem(&text, max_chars) {
        let (fixed, _) = replace_format_characters(&text);
        zeroize::Zeroize::zeroize(&mut text);
        text = fixed;
        *repaired += 1;
    }
    if let Some(TextProblem::Invalid(problem)) = text_problem(&text, max_chars) {
        zeroize::Zeroize::zeroize(&mut text);
        return Err(format!("{what} {problem}"));
    }
    Ok(text)
}

fn decode_reference(r: &mut Reader<'_>, repaired: &mut usize) -> Result<Reference, ReadError> {
    let id = ReferenceId::from_u64(r.u64("a reference id")?);
    let label = read_text(r, "a label", MAX_LABEL_CHARS, repaired).map_err(|e| format!("{e} (reference {id})"))?;
    let created_at = Timestamp::from_unix_ms(r.i64("a creation time")?);
    let subject = match read_code(r, &SUBJECT_KINDS, "a subject", "subject kind")? {
        SubjectKind::SelfPerson => Subject::SelfPerson,
        SubjectKind::OtherPersonConsented => Subject::OtherPersonConsented { name: read_text(r, "a subject name", MAX_SUBJECT_NAME_CHARS, repaired)? },
    };
    let purpose = match r.u8("a purpose")? {
        purpose_code::VERIFY_IT_IS_ME => Purpose::VerifyItIsMe,
        purpose_code::COMPARE_WITH_CONSENTING_PERSON => Purpose::CompareWithConsentingPerson,
        purpose_code::OTHER => Purpose::Other { description: read_text(r, "a purpose description", MAX_PURPOSE_CHARS, repaired)? },
        k => return Err(format!("unknown purpose kind {k}")),
    };
    let given_at = Timestamp::from_unix_ms(r.i64("a consent time")?);
    let text_sha256 = r.array::<32>("a consent text hash")?;
    let expires_at = if r.bool("an expiry flag")? { Some(Timestamp::from_unix_ms(r.i64("an expiry")?)) } else { None };
    let consent = ConsentRecord::from_parts(subject, purpose, given_at, text_sha256, expires_at).map_err(|e| format!("consent of {id}: {e}"))?;
    // Read the whole template first, so that its values go straight into their final buffer.
    let raw = r.take(TEMPLATE_LEN * 4, "a template")?;
    let mut values = Box::new([0f32; TEMPLATE_LEN]);
    for (v, b) in values.iter_mut().zip(raw.chunks_exact(4)) {
        *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
    let template = StoredTemplate::restore(values).map_err(|e| format!("template of {id}: {e}"))?;
    Ok(Reference { id, label, created_at, consent, template })
}

fn operating_point(r: &mut Reader<'_>) -> Result<OperatingPoint, ReadError> {
    read_code(r, &OPERATING_POINTS, "an operating point", "operating point")
}

fn mode(r: &mut Reader<'_>) -> Result<ComparisonMode, ReadError> {
    read_code(r, &MODES, "a comparison mode", "comparison mode")
}

fn decode_event(r: &mut Reader<'_>, version: u16) -> Result<AuditEvent, ReadError> {
    let at = Timestamp::from_unix_ms(r.i64("an event time")?);
    let id = |r: &mut Reader<'_>| r.u64("an event's reference id").map(ReferenceId::from_u64);
    let kind = match r.u8("an event kind")? {
        event_code::CONSENT_GIVEN => AuditEventKind::ConsentGiven { reference: id(r)? },
        event_code::ENROLLED => AuditEventKind::Enrolled { reference: id(r)? },
        event_code::COMPARED => {
            AuditEventKind::Compared { reference: id(r)?, likely_same_person: r.bool("a decision")?, operating_point: operating_point(r)?, mode: mode(r)? }
        }
        event_code::WITHDRAWN => AuditEventKind::Withdrawn { reference: id(r)? },
        event_code::EXPIRED => AuditEventKind::Expired { reference: id(r)? },
        event_code::EXPORTED => AuditEventKind::Exported { references: r.u32("a count")? },
        event_code::IMPORTED => AuditEventKind::Imported { references: r.u32("a count")?, expired_erased: r.u32("a count")? },
        event_code::ERASED => AuditEventKind::Erased { references: r.u32("a count")? },
        event_code::EXPLAINED if version >= 2 => AuditEventKind::Explained {
            explanation: ExplanationId::from_u64(r.u64("an explanation handle")?),
            subject: read_code(r, &SUBJECT_KINDS, "a subject kind", "subject kind")?,
        },
        event_code::EXPLANATIONS_COMPARED if version >= 2 => AuditEventKind::ExplanationsCompared {
            a: ExplanationId::from_u64(r.u64("an explanation handle")?),
            b: ExplanationId::from_u64(r.u64("an explanation handle")?),
        },
        event_code::CANNOT_TELL if version >= 2 => AuditEventKind::CannotTell {
            reference: id(r)?,
            reason: read_code(r, &QualityReason::ALL, "a reason", "reason")?,
            operating_point: operating_point(r)?,
            mode: mode(r)?,
        },
        k => return Err(format!("unknown event kind {k}")),
    };
    Ok(AuditEvent { at, kind })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::export::wire::Counter;
    use crate::gallery::testing::reference;

    fn sample() -> (Vec<Reference>, Vec<AuditEvent>) {
        let refs = vec![
            reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None),
            reference(2, 5, Subject::OtherPersonConsented { name: "Ana".into() }, Purpose::CompareWithConsentingPerson, Some(9_000)),
            reference(3, 9, Subject::SelfPerson, Purpose::Other { description: "door".into() }, None),
        ];
        let at = Timestamp::from_unix_ms;
        let id = ReferenceId::from_u64(1);
        let events = vec![
            AuditEvent { at: at(1), kind: AuditEventKind::ConsentGiven { reference: id } },
            AuditEvent { at: at(2), kind: AuditEventKind::Enrolled { reference: id } },
            AuditEvent {
                at: at(3),
                kind: AuditEventKind::Compared {
                    reference: id,
                    likely_same_person: true,
                    operating_point: OperatingPoint::Fmr1e4,
                    mode: ComparisonMode::Identify,
                },
            },
            AuditEvent { at: at(4), kind: AuditEventKind::Withdrawn { reference: id } },
            AuditEvent { at: at(5), kind: AuditEventKind::Expired { reference: id } },
            AuditEvent { at: at(6), kind: AuditEventKind::Exported { references: 3 } },
            AuditEvent { at: at(7), kind: AuditEventKind::Imported { references: 2, expired_erased: 1 } },
            AuditEvent { at: at(8), kind: AuditEventKind::Erased { references: 4 } },
        ];
        (refs, events)
    }

    /// An event that version 1 did not have: a comparison that could not tell.
    fn cannot_tell_event() -> AuditEvent {
        AuditEvent {
            at: Timestamp::from_unix_ms(12),
            kind: AuditEventKind::CannotTell {
                reference: ReferenceId::from_u64(1),
                reason: QualityReason::FaceCovered,
                operating_point: OperatingPoint::Fmr1e3,
                mode: ComparisonMode::Verify,
            },
        }
    }

    fn teaching_events() -> Vec<AuditEvent> {
        let (a, b) = (ExplanationId::from_u64(7), ExplanationId::from_u64(8));
        vec![
            AuditEvent { at: Timestamp::from_unix_ms(9), kind: AuditEventKind::Explained { explanation: a, subject: SubjectKind::SelfPerson } },
            AuditEvent { at: Timestamp::from_unix_ms(10), kind: AuditEventKind::Explained { explanation: b, subject: SubjectKind::OtherPersonConsented } },
            AuditEvent { at: Timestamp::from_unix_ms(11), kind: AuditEventKind::ExplanationsCompared { a, b } },
        ]
    }

    fn encoded(refs: &[Reference], events: &[AuditEvent]) -> Vec<u8> {
        let mut count = Counter::default();
        encode(refs, events, &mut count);
        let mut buf = Vec::with_capacity(count.0);
        encode(refs, events, &mut buf);
        assert_eq!((buf.len(), buf.capacity()), (count.0, count.0), "sized exactly: no reallocation");
        buf
    }

    #[test]
    fn everything_round_trips_bit_for_bit() {
        let (refs, events) = sample();
        let back = decode(&encoded(&refs, &events), 1).unwrap();
        assert_eq!(back.references, refs);
        assert_eq!(back.events, events);
    }

    fn padded(refs: &[Reference], events: &[AuditEvent]) -> Vec<u8> {
        let mut buf = encoded(refs, events);
        buf.resize(bucket(buf.len()), 0);
        buf
    }

    #[test]
    fn version_2_reads_teaching_and_cannot_tell_events_and_zero_padding_only() {
        let (refs, mut events) = sample();
        events.extend(teaching_events());
        events.push(cannot_tell_event());
        let body = padded(&refs, &events);
        assert_eq!(body.len(), MIN_BUCKET);
        let back = decode(&body, 2).unwrap();
        assert_eq!((back.references, back.events), (refs, events));
        assert!(decode(&encoded(&[], &teaching_events()), 1).unwrap_err().contains("unknown event kind 8"), "version 1 has no teaching events");
        assert!(decode(&encoded(&[], &[cannot_tell_event()]), 1).unwrap_err().contains("unknown event kind 10"), "version 1 has no cannot-tell events");
        let mut dirty = body.clone();
        *dirty.last_mut().unwrap() = 1;
        assert!(decode(&dirty, 2).is_err(), "padding must be zeros");
        assert!(decode(&body[..body.len() - 1], 2).unwrap_err().contains("bucket"));
        assert!(decode(&encoded(&[], &[]), 2).is_err(), "unpadded");
    }

    #[test]
    fn buckets_grow_by_four() {
        assert_eq!([bucket(0), bucket(16_384), bucket(16_385), bucket(70_000), bucket(300_000)], [16_384, 16_384, 65_536, 262_144, 1_048_576]);
    }

    #[test]
    fn invisible_characters_of_old_files_are_replaced_visibly() {
        let mut r = reference(1, 0, Subject::OtherPersonConsented { name: "Ana".into() }, Purpose::CompareWithConsentingPerson, None);
        r.label = "Ana\u{202E}gpj".into();
        let mut buf = Vec::new();
        encode(std::slice::from_ref(&r), &[], &mut buf);
        let back = decode(&buf, 1).unwrap();
        assert_eq!(back.references[0].label, "Ana\u{FFFD}gpj");
        assert_eq!(back.repaired_texts, 1);
    }

    #[test]
    fn an_empty_gallery_is_eight_bytes() {
        assert_eq!(encoded(&[], &[]), [0u8; 8]);
    }

    #[test]
    fn damage_is_reported_not_panicked_on() {
        let (refs, events) = sample();
        let good = encoded(&refs, &events);
        for cut in 0..good.len() {
            assert!(decode(&good[..cut], 1).is_err(), "cut at {cut}");
        }
        let mut too_many = good.clone();
        too_many[0..4].copy_from_slice(&101u32.to_le_bytes());
        assert!(decode(&too_many, 1).unwrap_err().contains("more than any gallery"));
        let mut events_bomb = encoded(&[], &[]);
        events_bomb[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&events_bomb, 1).unwrap_err().contains("more than a log keeps"));
        events_bomb[4..8].copy_from_slice(&1000u32.to_le_bytes());
        assert!(decode(&events_bomb, 1).unwrap_err().contains("cannot fit"));
        let twice = encoded(
            &[reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None), reference(1, 3, Subject::SelfPerson, Purpose::VerifyItIsMe, None)],
            &[],
        );
        assert!(decode(&twice, 1).unwrap_err().contains("twice"));
    }
}
