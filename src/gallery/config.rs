//! Gallery configuration, with every default documented.

use crate::decision::OperatingPoint;
use crate::error::{Error, Result};

/// The most references any gallery may hold, whatever its configuration.
pub const HARD_MAX_REFERENCES: usize = 100;

/// How a [`Gallery`](crate::Gallery) behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GalleryConfig {
    /// Most references the gallery holds, 1 to [`HARD_MAX_REFERENCES`] (100). Default: **10**,
    /// enough for a person, a few relatives and a few photos each; small, so the gallery can
    /// never become a face database. An embedder may lower it.
    pub max_references: usize,
    /// The operating point of every decision the gallery makes. Default:
    /// [`OperatingPoint::Fmr1e3`] (about one false match in a thousand comparisons of
    /// different people).
    pub operating_point: OperatingPoint,
    /// The teaching view ([`Gallery::explain`](crate::Gallery::explain)). Default: **off**.
    pub teaching: TeachingConfig,
}

impl Default for GalleryConfig {
    fn default() -> Self {
        GalleryConfig { max_references: 10, operating_point: OperatingPoint::default(), teaching: TeachingConfig::default() }
    }
}

/// Most faces any gallery may explain, whatever its configuration.
pub const HARD_MAX_EXPLANATIONS: u32 = 1_000;

/// How the teaching view behaves. Explaining a face computes its template (biometric data),
/// so it is off unless an embedder turns it on, is capped, and every call is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeachingConfig {
    /// How many faces the gallery may explain in its lifetime (a session), 0 to
    /// [`HARD_MAX_EXPLANATIONS`]. Default: **0**, the teaching view is off
    /// ([`Error::TeachingDisabled`]). The npm package's `teaching: true` sets 20: enough for a
    /// lesson, too few to harvest templates.
    pub max_explanations: u32,
    /// How long an explained template stays held for a comparison, in milliseconds, 1 000 to
    /// 3 600 000. Default: **600 000** (10 minutes). It is wiped earlier when released,
    /// replaced, erased, or when its consent expires.
    pub hold_ms: i64,
}

impl Default for TeachingConfig {
    fn default() -> Self {
        TeachingConfig { max_explanations: 0, hold_ms: 600_000 }
    }
}

impl TeachingConfig {
    /// The npm package's `teaching: true`: 20 explanations, held 10 minutes each.
    pub const LESSON: TeachingConfig = TeachingConfig { max_explanations: 20, hold_ms: 600_000 };
}

impl GalleryConfig {
    /// Refuses values out of their documented ranges with [`Error::InvalidConfig`].
    pub fn validate(&self) -> Result<()> {
        if !(1..=HARD_MAX_REFERENCES).contains(&self.max_references) {
            return Err(Error::InvalidConfig { field: "max_references", reason: format!("must be from 1 to {HARD_MAX_REFERENCES}") });
        }
        if self.teaching.max_explanations > HARD_MAX_EXPLANATIONS {
            return Err(Error::InvalidConfig { field: "teaching.max_explanations", reason: format!("must be from 0 to {HARD_MAX_EXPLANATIONS}") });
        }
        if !(1_000..=3_600_000).contains(&self.teaching.hold_ms) {
            return Err(Error::InvalidConfig { field: "teaching.hold_ms", reason: "must be from 1000 to 3600000 (1 s to 1 h)".to_string() });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_between_one_and_the_hard_maximum() {
        assert!(GalleryConfig::default().validate().is_ok());
        assert_eq!(GalleryConfig::default().max_references, 10);
        for bad in [0, 101, usize::MAX] {
            let e = GalleryConfig { max_references: bad, ..Default::default() }.validate().unwrap_err();
            assert!(matches!(e, Error::InvalidConfig { field: "max_references", .. }), "{bad}");
        }
        assert!(GalleryConfig { max_references: 100, ..Default::default() }.validate().is_ok());
    }

    #[test]
    fn teaching_is_off_by_default_and_bounded() {
        assert_eq!(GalleryConfig::default().teaching.max_explanations, 0);
        let with = |teaching| GalleryConfig { teaching, ..Default::default() }.validate();
        assert!(with(TeachingConfig::LESSON).is_ok());
        assert!(matches!(
            with(TeachingConfig { max_explanations: 1_001, ..TeachingConfig::LESSON }),
            Err(Error::InvalidConfig { field: "teaching.max_explanations", .. })
        ));
        for bad in [0, 999, 3_600_001] {
            assert!(matches!(with(TeachingConfig { hold_ms: bad, ..TeachingConfig::LESSON }), Err(Error::InvalidConfig { field: "teaching.hold_ms", .. })));
        }
    }
}
