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
}

impl Default for GalleryConfig {
    fn default() -> Self {
        GalleryConfig { max_references: 10, operating_point: OperatingPoint::default() }
    }
}

impl GalleryConfig {
    /// Refuses values out of their documented ranges with [`Error::InvalidConfig`].
    pub fn validate(&self) -> Result<()> {
        if !(1..=HARD_MAX_REFERENCES).contains(&self.max_references) {
            return Err(Error::InvalidConfig { field: "max_references", reason: format!("must be from 1 to {HARD_MAX_REFERENCES}") });
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
}
