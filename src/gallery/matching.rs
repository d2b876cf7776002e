//! Comparing a probe with the gallery's consented references, and nothing else.

use serde::Serialize;

use super::audit::{AuditEventKind, ComparisonMode};
use super::choice::FaceChoice;
use super::embed::template_of_choice;
use super::face_engine::{FaceEngine, ImageInput};
use super::reference::{Reference, ReferenceId};
use super::store::{Expiry, Gallery};
use crate::decision::{Decision, OperatingPoint};
use crate::error::{Error, Result};
use crate::template::{cosine, Similarity};

/// The outcome of comparing a probe with one reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    /// The reference compared with.
    pub reference: ReferenceId,
    /// Its label.
    pub label: String,
    /// Similarity, threshold, operating point and whether it is "likely the same person".
    pub decision: Decision,
    /// `"likely the same person"` or `"likely different people"`; never "identified".
    pub wording: &'static str,
    /// The false-match rate the threshold was calibrated for (for example 0.001: about one
    /// comparison in a thousand between different people is called a match).
    pub false_match_rate: f64,
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
    /// reference reaches the threshold.
    pub best: Option<Match>,
    /// Every reference compared, most similar first.
    pub candidates: Vec<Match>,
}

/// The decision for one probe against one reference.
pub(crate) fn compare(probe: &[f32], reference: &Reference, point: OperatingPoint) -> Match {
    let similarity = Similarity(cosine(probe, reference.template.as_slice()).clamp(-1.0, 1.0));
    let decision = Decision::new(similarity, point);
    Match { reference: reference.id, label: reference.label.clone(), decision, wording: decision.wording(), false_match_rate: point.false_match_rate() }
}

/// Every reference compared with `probe`, most similar first, and the best match if any.
pub(crate) fn rank(probe: &[f32], references: &[Reference], point: OperatingPoint) -> Identification {
    let mut candidates: Vec<Match> = references.iter().map(|r| compare(probe, r, point)).collect();
    candidates.sort_by(|a, b| b.decision.similarity.total_cmp(&a.decision.similarity));
    let best = candidates.first().filter(|m| m.decision.likely_same_person).cloned();
    Identification { best, candidates }
}

impl Gallery {
    /// 1:1: whether the face `choice` designates in `probe` is likely the person of reference
    /// `id`, at the gallery's operating point.
    ///
    /// The reference is looked up before the probe is decoded: [`Error::UnknownReference`],
    /// or [`Error::ReferenceExpired`] when its consent has expired (it is erased, never
    /// compared). The probe's template is computed, compared, and wiped inside this call;
    /// no API returns it.
    pub fn verify(&mut self, engine: &impl FaceEngine, probe: ImageInput<'_>, choice: FaceChoice, id: ReferenceId) -> Result<Match> {
        let expired = self.enforce_expiry().1;
        self.live_position(id, &expired)?;
        let probe = template_of_choice(engine, probe, choice)?;
        // Expiry again: time passed while the probe was computed.
        let (now, expired) = self.enforce_expiry();
        let at = self.live_position(id, &expired)?;
        let point = self.config.operating_point;
        let result = compare(probe.as_slice(), &self.references[at], point);
        drop(probe);
        self.audit.record(
            now,
            AuditEventKind::Compared {
                reference: id,
                likely_same_person: result.decision.likely_same_person,
                operating_point: point,
                mode: ComparisonMode::Verify,
            },
        );
        Ok(result)
    }

    /// 1:N among this gallery's references only: every reference compared with the face
    /// `choice` designates in `probe`, and the best match if one is "likely the same person".
    ///
    /// Errors: [`Error::GalleryEmpty`] before the probe is decoded; image and face-choice
    /// errors. Expired references are erased first and never compared. The probe's template
    /// is wiped inside this call.
    pub fn identify(&mut self, engine: &impl FaceEngine, probe: ImageInput<'_>, choice: FaceChoice) -> Result<Identification> {
        self.enforce_expiry();
        if self.references.is_empty() {
            return Err(Error::GalleryEmpty);
        }
        let probe = template_of_choice(engine, probe, choice)?;
        let now = self.enforce_expiry().0;
        if self.references.is_empty() {
            return Err(Error::GalleryEmpty);
        }
        let point = self.config.operating_point;
        let result = rank(probe.as_slice(), &self.references, point);
        drop(probe);
        for m in &result.candidates {
            self.audit.record(
                now,
                AuditEventKind::Compared {
                    reference: m.reference,
                    likely_same_person: m.decision.likely_same_person,
                    operating_point: point,
                    mode: ComparisonMode::Identify,
                },
            );
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

    fn probe_along(axis: usize) -> Vec<f32> {
        let mut v = vec![0.0; 128];
        v[axis] = 0.6;
        v[axis + 1] = 0.8;
        v
    }

    #[test]
    fn ranking_puts_the_most_similar_first_and_names_a_match_only_above_threshold() {
        let refs = [reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None), reference(2, 10, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let r = rank(&probe_along(10), &refs, OperatingPoint::Fmr1e3);
        assert_eq!(r.candidates.len(), 2);
        assert_eq!(r.candidates[0].reference, ReferenceId::from_u64(2));
        assert!((r.candidates[0].decision.similarity - 1.0).abs() < 1e-6);
        assert_eq!(r.best.as_ref().unwrap().wording, "likely the same person");
        assert_eq!(r.candidates[1].wording, "likely different people");
        let none = rank(&probe_along(50), &refs, OperatingPoint::Fmr1e3);
        assert!(none.best.is_none());
    }

    #[test]
    fn a_match_states_its_false_match_rate() {
        let r = reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None);
        let m = compare(&probe_along(0), &r, OperatingPoint::Fmr1e4);
        assert_eq!(m.false_match_rate, 1e-4);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["wording"], "likely the same person");
        assert_eq!(json["reference"], "0000000000000001");
        assert!(!json.to_string().to_lowercase().contains("identified"));
    }
}
