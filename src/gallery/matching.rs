//! Comparing a probe with the gallery's consented references, and nothing else.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::audit::{AuditEventKind, ComparisonMode};
use super::embed::template_of_choice;
use super::face_engine::FaceEngine;
use super::reference::{Reference, ReferenceId};
use super::store::{Expiry, Gallery};
use crate::decision::{Decision, OperatingPoint, Outcome};
use crate::engine::ImageInput;
use crate::error::{Error, Result};
use crate::face::choice::FaceChoice;
use crate::quality::QualityReason;
use crate::template::{cosine, Similarity, Template};

/// The outcome of comparing a probe with one reference. Everything else a caller reads
/// ([`Match::outcome`], [`Match::wording`], [`Match::false_match_rate`]) follows from its
/// [`Verdict`]. As JSON (serde) it keeps its flat shape: `reference`, `label`, `outcome`,
/// `reason`, `decision`, `wording`, `falseMatchRate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The reference compared with.
    pub reference: ReferenceId,
    /// Its label.
    pub label: String,
    /// The decision, or why facegate cannot tell.
    pub verdict: Verdict,
}

/// What a comparison concluded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Similarity, threshold, operating point and whether it is "likely the same person".
    Decided(Decision),
    /// The probe failed the quality gate: no similarity was computed, and at this operating
    /// point facegate cannot tell.
    CannotTell {
        /// Why.
        reason: QualityReason,
        /// The operating point the comparison was asked at.
        operating_point: OperatingPoint,
    },
}

impl Match {
    /// Likely the same person, likely different people, or cannot tell (the probe failed the
    /// quality gate).
    pub fn outcome(&self) -> Outcome {
        match self.verdict {
            Verdict::Decided(d) => d.outcome(),
            Verdict::CannotTell { .. } => Outcome::CannotTell,
        }
    }

    /// The decision; `None` when facegate cannot tell (no similarity was computed).
    pub fn decision(&self) -> Option<Decision> {
        match self.verdict {
            Verdict::Decided(d) => Some(d),
            Verdict::CannotTell { .. } => None,
        }
    }

    /// Why facegate cannot tell; `None` for the other outcomes.
    pub fn reason(&self) -> Option<QualityReason> {
        match self.verdict {
            Verdict::Decided(_) => None,
            Verdict::CannotTell { reason, .. } => Some(reason),
        }
    }

    /// `"likely the same person"`, `"likely different people"` or `"cannot tell"`; never
    /// "identified".
    pub fn wording(&self) -> &'static str {
        self.outcome().wording()
    }

    /// The false-match rate the threshold was calibrated for (for example 0.001: about one
    /// comparison in a thousand between different people is called a match).
    pub fn false_match_rate(&self) -> f64 {
        let point = match self.verdict {
            Verdict::Decided(d) => d.operating_point,
            Verdict::CannotTell { operating_point, .. } => operating_point,
        };
        point.false_match_rate()
    }
}

impl Serialize for Match {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Match", 7)?;
        s.serialize_field("reference", &self.reference)?;
        s.serialize_field("label", &self.label)?;
        s.serialize_field("outcome", &self.outcome())?;
        s.serialize_field("reason", &self.reason())?;
        s.serialize_field("decision", &self.decision())?;
        s.serialize_field("wording", self.wording())?;
        s.serialize_field("falseMatchRate", &self.false_match_rate())?;
        s.end()
    }
}

impl Drop for Match {
    /// The label is personal data: every copy handed out is wiped too.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.label);
    }
}

/// The outcome of [`Gallery::identify`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identification {
    /// The most similar reference, when it is "likely the same person"; `None` when no
    /// reference reaches the threshold, or when facegate cannot tell.
    pub best: Option<Match>,
    /// Every reference compared, most similar first (each "cannot tell", with the reason, when
    /// the probe failed the quality gate).
    pub candidates: Vec<Match>,
}

/// The probe of a comparison: a template, or the reason it could not be made honestly.
pub(crate) enum Probe {
    /// The probe passed the quality gate.
    Template(Template),
    /// It failed it: facegate cannot tell.
    CannotTell(QualityReason),
}

impl Probe {
    /// The probe of `result`: [`Error::FaceUnusable`] becomes "cannot tell"; other errors stay.
    pub(crate) fn of(result: Result<Template>) -> Result<Probe> {
        match result {
            Ok(t) => Ok(Probe::Template(t)),
            Err(Error::FaceUnusable { reason, .. }) => Ok(Probe::CannotTell(reason)),
            Err(e) => Err(e),
        }
    }

    /// The outcome against `reference` at `point`.
    pub(crate) fn compare(&self, reference: &Reference, point: OperatingPoint) -> Match {
        match self {
            Probe::Template(t) => compare(t.as_slice(), reference, point),
            Probe::CannotTell(reason) => {
                Match { reference: reference.id, label: reference.label.clone(), verdict: Verdict::CannotTell { reason: *reason, operating_point: point } }
            }
        }
    }
}

/// The decision for one probe against one reference.
pub(crate) fn compare(probe: &[f32], reference: &Reference, point: OperatingPoint) -> Match {
    let similarity = Similarity(cosine(probe, reference.template.as_slice()).clamp(-1.0, 1.0));
    let decision = Decision::new(similarity, point);
    Match { reference: reference.id, label: reference.label.clone(), verdict: Verdict::Decided(decision) }
}

/// Every reference compared with `probe`, most similar first, and the best match if any.
pub(crate) fn rank(probe: &Probe, references: &[Reference], point: OperatingPoint) -> Identification {
    let mut candidates: Vec<Match> = references.iter().map(|r| probe.compare(r, point)).collect();
    let similarity = |m: &Match| m.decision().map_or(f32::NEG_INFINITY, |d| d.similarity);
    candidates.sort_by(|a, b| similarity(b).total_cmp(&similarity(a)));
    let best = candidates.first().filter(|m| m.outcome() == Outcome::LikelySamePerson).cloned();
    Identification { best, candidates }
}

/// The audit event of one comparison.
fn compared(m: &Match, point: OperatingPoint, mode: ComparisonMode) -> AuditEventKind {
    match m.verdict {
        Verdict::CannotTell { reason, .. } => AuditEventKind::CannotTell { reference: m.reference, reason, operating_point: point, mode },
        Verdict::Decided(d) => AuditEventKind::Compared { reference: m.reference, likely_same_person: d.likely_same_person, operating_point: point, mode },
    }
}

impl Gallery {
    /// 1:1: whether the face `choice` designates in `probe` is likely the person of reference
    /// `id`, at the gallery's operating point. When the probe's face fails the quality gate
    /// ([`Error::FaceUnusable`] from the engine), the outcome is "cannot tell" with the reason,
    /// not an error, and it is logged as such.
    ///
    /// The reference is looked up before the probe is decoded: [`Error::UnknownReference`],
    /// or [`Error::ReferenceExpired`] when its consent has expired (it is erased, never
    /// compared). The probe's template is computed, compared, and wiped inside this call;
    /// no API returns it.
    pub fn verify(&mut self, engine: &impl FaceEngine, probe: ImageInput<'_>, choice: FaceChoice, id: ReferenceId) -> Result<Match> {
        let expired = self.enforce_expiry().1;
        self.live_position(id, &expired)?;
        let probe = Probe::of(template_of_choice(engine, probe, choice))?;
        // Expiry again: time passed while the probe was computed.
        let (now, expired) = self.enforce_expiry();
        let at = self.live_position(id, &expired)?;
        let point = self.config.operating_point;
        let result = probe.compare(&self.references[at], point);
        drop(probe);
        self.audit.record(now, compared(&result, point, ComparisonMode::Verify));
        Ok(result)
    }

    /// 1:N among this gallery's references only: every reference compared with the face
    /// `choice` designates in `probe`, and the best match if one is "likely the same person".
    ///
    /// Errors: [`Error::GalleryEmpty`] before the probe is decoded; image and face-choice
    /// errors. A probe that fails the quality gate makes every candidate "cannot tell". Expired references are erased first and never compared. The probe's template
    /// is wiped inside this call.
    pub fn identify(&mut self, engine: &impl FaceEngine, probe: ImageInput<'_>, choice: FaceChoice) -> Result<Identification> {
        self.enforce_expiry();
        if self.references.is_empty() {
            return Err(Error::GalleryEmpty);
        }
        let probe = Probe::of(template_of_choice(engine, probe, choice))?;
        let now = self.enforce_expiry().0;
        if self.references.is_empty() {
            return Err(Error::GalleryEmpty);
        }
        let point = self.config.operating_point;
        let result = rank(&probe, &self.references, point);
        drop(probe);
        for m in &result.candidates {
            self.audit.record(now, compared(m, point, ComparisonMode::Identify));
        }
        Ok(result)
    }

    /// Where reference `id` is, telling an expiry that just erased it from an unknown id.
    fn live_position(&self, id: ReferenceId, just_expired: &[Expiry]) -> Result<usize> {
        if let Some((_, at)) = just_expired.iter().find(|(e, _)| *e == id) {
            return Err(Error::ReferenceExpired { id: id.to_string(), expired_at: at.as_unix_ms() });
        }
        self.position(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::consent::{Purpose, Subject};
    use crate::gallery::testing::reference;

    fn probe(axis: usize) -> Probe {
        Probe::Template(Template::from_embedding(&probe_along(axis)).unwrap())
    }

    fn probe_along(axis: usize) -> Vec<f32> {
        let mut v = vec![0.0; 128];
        v[axis] = 0.6;
        v[axis + 1] = 0.8;
        v
    }

    #[test]
    fn ranking_puts_the_most_similar_first_and_names_a_match_only_above_threshold() {
        let refs = [reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None), reference(2, 10, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let r = rank(&probe(10), &refs, OperatingPoint::Fmr1e3);
        assert_eq!(r.candidates.len(), 2);
        assert_eq!(r.candidates[0].reference, ReferenceId::from_u64(2));
        assert!((r.candidates[0].decision().unwrap().similarity - 1.0).abs() < 1e-6);
        assert_eq!(r.best.as_ref().unwrap().wording(), "likely the same person");
        assert_eq!(r.candidates[1].wording(), "likely different people");
        assert_eq!(r.candidates[1].outcome(), Outcome::LikelyDifferentPeople);
        let none = rank(&probe(50), &refs, OperatingPoint::Fmr1e3);
        assert!(none.best.is_none());
    }

    #[test]
    fn a_match_states_its_false_match_rate() {
        let r = reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None);
        let m = compare(&probe_along(0), &r, OperatingPoint::Fmr1e4);
        assert_eq!(m.false_match_rate(), 1e-4);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["wording"], "likely the same person");
        assert_eq!(json["reference"], "0000000000000001");
        assert!(!json.to_string().to_lowercase().contains("identified"));
        assert_eq!(json["outcome"], "likelySamePerson");
        assert!(json["reason"].is_null());
    }

    #[test]
    fn a_probe_that_failed_the_gate_cannot_tell_against_anyone() {
        let refs = [reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None), reference(2, 10, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let unusable = Err(Error::FaceUnusable { reason: QualityReason::TooDark, measure: "brightness", value: 3.0, limit: 35.0 });
        let probe = Probe::of(unusable).unwrap();
        let r = rank(&probe, &refs, OperatingPoint::Fmr1e3);
        assert!(r.best.is_none());
        assert!(r.candidates.iter().all(|m| m.outcome() == Outcome::CannotTell && m.reason() == Some(QualityReason::TooDark) && m.decision().is_none()));
        let json = serde_json::to_value(&r.candidates[0]).unwrap();
        assert_eq!((json["outcome"].as_str(), json["reason"].as_str(), json["wording"].as_str()), (Some("cannotTell"), Some("tooDark"), Some("cannot tell")));
        assert!(json["decision"].is_null());
        let event = compared(&r.candidates[0], OperatingPoint::Fmr1e3, ComparisonMode::Verify);
        assert!(matches!(event, AuditEventKind::CannotTell { reason: QualityReason::TooDark, .. }));
        // Other errors stay errors.
        assert!(matches!(Probe::of(Err(Error::NoFaceFound)), Err(Error::NoFaceFound)));
    }
}
