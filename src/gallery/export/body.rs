//! The plaintext of an export (version 1): the references with their consent records and
//! templates, then the audit log. Layout in docs/export-format.md.

use std::collections::HashSet;

use super::wire::{ReadError, Reader, Sink};
use crate::decision::OperatingPoint;
use crate::gallery::audit::{AuditEvent, AuditEventKind, ComparisonMode};
use crate::gallery::clock::Timestamp;
use crate::gallery::config::HARD_MAX_REFERENCES;
use crate::gallery::consent::{ConsentRecord, Purpose, Subject};
use crate::gallery::reference::{Reference, ReferenceId, MAX_LABEL_CHARS};
use crate::gallery::stored_template::StoredTemplate;
use crate::gallery::text::text_problem;
use crate::template::TEMPLATE_LEN;

/// Smallest encoded audit event: time (8), kind (1), a u32 (4).
const MIN_EVENT_LEN: usize = 13;

/// What an export holds.
#[derive(Debug)]
pub(crate) struct Contents {
    pub(crate) references: Vec<Reference>,
    pub(crate) events: Vec<AuditEvent>,
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
    match c.subject() {
        Subject::SelfPerson => out.u8(0),
        Subject::OtherPersonConsented { name } => {
            out.u8(1);
            out.str(name);
        }
    }
    match c.purpose() {
        Purpose::VerifyItIsMe => out.u8(0),
        Purpose::CompareWithConsentingPerson => out.u8(1),
        Purpose::Other { description } => {
            out.u8(2);
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
        AuditEventKind::ConsentGiven { reference } => tagged_id(out, 0, *reference),
        AuditEventKind::Enrolled { reference } => tagged_id(out, 1, *reference),
        AuditEventKind::Compared { reference, likely_same_person, operating_point, mode } => {
            tagged_id(out, 2, *reference);
            out.u8(u8::from(*likely_same_person));
            out.u8(operating_point_code(*operating_point));
            out.u8(match mode {
                ComparisonMode::Verify => 0,
                ComparisonMode::Identify => 1,
            });
        }
        AuditEventKind::Withdrawn { reference } => tagged_id(out, 3, *reference),
        AuditEventKind::Expired { reference } => tagged_id(out, 4, *reference),
        AuditEventKind::Exported { references } => {
            out.u8(5);
            out.u32(*references);
        }
        AuditEventKind::Imported { references, expired_erased } => {
            out.u8(6);
            out.u32(*references);
            out.u32(*expired_erased);
        }
        AuditEventKind::Erased { references } => {
            out.u8(7);
            out.u32(*references);
        }
    }
}

fn tagged_id(out: &mut dyn Sink, kind: u8, id: ReferenceId) {
    out.u8(kind);
    out.u64(id.as_u64());
}

fn operating_point_code(p: OperatingPoint) -> u8 {
    match p {
        OperatingPoint::Fmr1e2 => 0,
        OperatingPoint::Fmr1e3 => 1,
        OperatingPoint::Fmr1e4 => 2,
    }
}

/// Reads the plaintext back, checking every value as enrolment would.
pub(crate) fn decode(bytes: &[u8]) -> Result<Contents, ReadError> {
    let mut r = Reader::new(bytes);
    let count = r.u32("the reference count")? as usize;
    if count > HARD_MAX_REFERENCES {
        return Err(format!("{count} references, more than any gallery holds ({HARD_MAX_REFERENCES})"));
    }
    let mut references = Vec::with_capacity(count);
    let mut ids = HashSet::new();
    for _ in 0..count {
        let reference = decode_reference(&mut r)?;
        if !ids.insert(reference.id) {
            return Err(format!("reference id {} appears twice", reference.id));
        }
        references.push(reference);
    }
    let count = r.u32("the event count")? as usize;
    if count > r.remaining() / MIN_EVENT_LEN {
        return Err(format!("{count} events cannot fit in {} bytes", r.remaining()));
    }
    let mut events = Vec::with_capacity(count);
    for _ in 0..count {
        events.push(decode_event(&mut r)?);
    }
    r.finish()?;
    Ok(Contents { references, events })
}

fn decode_reference(r: &mut Reader<'_>) -> Result<Reference, ReadError> {
    let id = ReferenceId::from_u64(r.u64("a reference id")?);
    let label = r.str("a label")?;
    if let Some(problem) = text_problem(&label, MAX_LABEL_CHARS) {
        return Err(format!("label of {id} {problem}"));
    }
    let created_at = Timestamp::from_unix_ms(r.i64("a creation time")?);
    let subject = match r.u8("a subject")? {
        0 => Subject::SelfPerson,
        1 => Subject::OtherPersonConsented { name: r.str("a subject name")? },
        k => return Err(format!("unknown subject kind {k}")),
    };
    let purpose = match r.u8("a purpose")? {
        0 => Purpose::VerifyItIsMe,
        1 => Purpose::CompareWithConsentingPerson,
        2 => Purpose::Other { description: r.str("a purpose description")? },
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

fn decode_event(r: &mut Reader<'_>) -> Result<AuditEvent, ReadError> {
    let at = Timestamp::from_unix_ms(r.i64("an event time")?);
    let id = |r: &mut Reader<'_>| r.u64("an event's reference id").map(ReferenceId::from_u64);
    let kind = match r.u8("an event kind")? {
        0 => AuditEventKind::ConsentGiven { reference: id(r)? },
        1 => AuditEventKind::Enrolled { reference: id(r)? },
        2 => AuditEventKind::Compared {
            reference: id(r)?,
            likely_same_person: r.bool("a decision")?,
            operating_point: match r.u8("an operating point")? {
                0 => OperatingPoint::Fmr1e2,
                1 => OperatingPoint::Fmr1e3,
                2 => OperatingPoint::Fmr1e4,
                k => return Err(format!("unknown operating point {k}")),
            },
            mode: match r.u8("a comparison mode")? {
                0 => ComparisonMode::Verify,
                1 => ComparisonMode::Identify,
                k => return Err(format!("unknown comparison mode {k}")),
            },
        },
        3 => AuditEventKind::Withdrawn { reference: id(r)? },
        4 => AuditEventKind::Expired { reference: id(r)? },
        5 => AuditEventKind::Exported { references: r.u32("a count")? },
        6 => AuditEventKind::Imported { references: r.u32("a count")?, expired_erased: r.u32("a count")? },
        7 => AuditEventKind::Erased { references: r.u32("a count")? },
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
        let back = decode(&encoded(&refs, &events)).unwrap();
        assert_eq!(back.references, refs);
        assert_eq!(back.events, events);
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
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut too_many = good.clone();
        too_many[0..4].copy_from_slice(&101u32.to_le_bytes());
        assert!(decode(&too_many).unwrap_err().contains("more than any gallery"));
        let mut events_bomb = encoded(&[], &[]);
        events_bomb[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&events_bomb).unwrap_err().contains("cannot fit"));
        let twice = encoded(
            &[reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None), reference(1, 3, Subject::SelfPerson, Purpose::VerifyItIsMe, None)],
            &[],
        );
        assert!(decode(&twice).unwrap_err().contains("twice"));
    }
}
