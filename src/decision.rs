//! Calibrated operating points and the match decision with its honest wording.

use serde::{Deserialize, Serialize};

use crate::template::Similarity;

/// A calibrated decision threshold, named by the false-match rate it was chosen for.
///
/// The thresholds were chosen on LFW View 1 train (deep-funneled, `../shared/data/lfw-devtrain`)
/// with impostor pairs formed across different people; see the README's "Accuracy" section for
/// the figures and the command that reproduces them. A false-match rate of 1e-3 means that
/// about one comparison in a thousand between two different people would be called a match.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum OperatingPoint {
    /// False-match rate 1 in 100: more lenient, fewer false rejections.
    Fmr1e2,
    /// False-match rate 1 in 1 000 (the default).
    #[default]
    Fmr1e3,
    /// False-match rate 1 in 10 000: stricter.
    Fmr1e4,
}

impl OperatingPoint {
    /// Every operating point, most lenient first.
    pub const ALL: [OperatingPoint; 3] = [OperatingPoint::Fmr1e2, OperatingPoint::Fmr1e3, OperatingPoint::Fmr1e4];

    /// The cosine similarity at or above which two templates are called the same person.
    ///
    /// Calibrated with `facegate eval --impostors all` on LFW View 1 train (1,100 genuine pairs,
    /// 5,924,294 impostor pairs across 2,132 people): the lowest threshold whose measured
    /// false-match rate is at most the target, rounded up to three decimals. Measured there:
    /// 0.300 -> FMR 9.7e-3, FNMR 0.55%; 0.366 -> FMR 1.0e-3, FNMR 1.0%; 0.423 -> FMR 1.0e-4,
    /// FNMR 1.8%.
    pub fn threshold(self) -> f32 {
        match self {
            OperatingPoint::Fmr1e2 => 0.300,
            OperatingPoint::Fmr1e3 => 0.366,
            OperatingPoint::Fmr1e4 => 0.423,
        }
    }

    /// The false-match rate this threshold was calibrated for.
    pub fn false_match_rate(self) -> f64 {
        match self {
            OperatingPoint::Fmr1e2 => 1e-2,
            OperatingPoint::Fmr1e3 => 1e-3,
            OperatingPoint::Fmr1e4 => 1e-4,
        }
    }

    /// A short label such as `"FMR 1e-3"`.
    pub fn label(self) -> &'static str {
        match self {
            OperatingPoint::Fmr1e2 => "FMR 1e-2",
            OperatingPoint::Fmr1e3 => "FMR 1e-3",
            OperatingPoint::Fmr1e4 => "FMR 1e-4",
        }
    }
}

/// The three outcomes of a comparison.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The similarity reaches the threshold: "likely the same person".
    LikelySamePerson,
    /// The similarity is below the threshold: "likely different people".
    LikelyDifferentPeople,
    /// The probe failed the quality gate: at the stated false-match rate, facegate cannot
    /// tell. Comes with a [`QualityReason`](crate::QualityReason); no similarity was computed.
    CannotTell,
}

impl Outcome {
    /// The honest wording: `"likely the same person"`, `"likely different people"` or
    /// `"cannot tell"`. facegate never says "identified".
    pub fn wording(self) -> &'static str {
        match self {
            Outcome::LikelySamePerson => "likely the same person",
            Outcome::LikelyDifferentPeople => "likely different people",
            Outcome::CannotTell => "cannot tell",
        }
    }
}

/// The outcome of comparing two faces at an operating point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Whether the similarity reaches the threshold: "likely the same person".
    pub likely_same_person: bool,
    /// The cosine similarity.
    pub similarity: f32,
    /// The threshold applied.
    pub threshold: f32,
    /// The operating point the threshold belongs to.
    pub operating_point: OperatingPoint,
}

impl Decision {
    /// Decides `similarity` at `point`.
    pub fn new(similarity: Similarity, point: OperatingPoint) -> Decision {
        let threshold = point.threshold();
        Decision { likely_same_person: similarity.value() >= threshold, similarity: similarity.value(), threshold, operating_point: point }
    }

    /// [`Outcome::LikelySamePerson`] or [`Outcome::LikelyDifferentPeople`].
    pub fn outcome(&self) -> Outcome {
        if self.likely_same_person {
            Outcome::LikelySamePerson
        } else {
            Outcome::LikelyDifferentPeople
        }
    }

    /// The honest wording: `"likely the same person"` or `"likely different people"`. facegate
    /// never says "identified": a match is a probability statement at a stated error rate.
    pub fn wording(&self) -> &'static str {
        self.outcome().wording()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_increase_as_the_false_match_rate_falls() {
        let t: Vec<f32> = OperatingPoint::ALL.iter().map(|p| p.threshold()).collect();
        assert!(t.windows(2).all(|w| w[0] < w[1]), "{t:?}");
        assert_eq!(OperatingPoint::default(), OperatingPoint::Fmr1e3);
    }

    #[test]
    fn decision_at_the_threshold_is_a_match() {
        let p = OperatingPoint::Fmr1e3;
        let at = Decision::new(Similarity(p.threshold()), p);
        assert!(at.likely_same_person);
        assert_eq!(at.wording(), "likely the same person");
        let below = Decision::new(Similarity(p.threshold() - 1e-3), p);
        assert_eq!(below.wording(), "likely different people");
        assert_eq!(below.outcome(), Outcome::LikelyDifferentPeople);
        assert_eq!(Outcome::CannotTell.wording(), "cannot tell");
        assert_eq!(serde_json::to_value(Outcome::CannotTell).unwrap(), "cannotTell");
    }
}
