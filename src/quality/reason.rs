//! Why a face cannot be used: the reasons a person understands.

use serde::{Deserialize, Serialize};

/// Why facegate cannot tell (a probe) or refuses to enrol (a reference). Serialized in
/// camelCase (`"tooDark"`, `"faceRotated"`, ...), the value the browser API exposes as
/// `reason`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum QualityReason {
    /// The face is too dark (underexposed) to compare.
    TooDark,
    /// The face is too blurred (out of focus, moving, or heavily compressed).
    TooBlurred,
    /// Part of the face is covered (a mask, dark glasses, a hand).
    FaceCovered,
    /// The face is too small in the photo.
    FaceTooSmall,
    /// The face is turned in the picture plane (or the photo is sideways or upside down):
    /// turn the photo so that the face is upright.
    FaceRotated,
    /// The face is not seen from the front (turned away, in profile).
    NotFrontal,
    /// The face is mostly outside the photo (cut by its border).
    FaceOutsidePhoto,
    /// The recognizer sees the face too poorly to compare it (its raw embedding is weak), and
    /// no single measure says why: some blur, shadow, angle and covering together.
    Unclear,
}

impl QualityReason {
    /// Every reason, in the order the gate checks them.
    pub const ALL: [QualityReason; 8] = [
        QualityReason::FaceOutsidePhoto,
        QualityReason::FaceRotated,
        QualityReason::NotFrontal,
        QualityReason::FaceTooSmall,
        QualityReason::TooDark,
        QualityReason::TooBlurred,
        QualityReason::FaceCovered,
        QualityReason::Unclear,
    ];

    /// The stable camelCase name (as serialized).
    pub fn code(self) -> &'static str {
        match self {
            QualityReason::TooDark => "tooDark",
            QualityReason::TooBlurred => "tooBlurred",
            QualityReason::FaceCovered => "faceCovered",
            QualityReason::FaceTooSmall => "faceTooSmall",
            QualityReason::FaceRotated => "faceRotated",
            QualityReason::NotFrontal => "notFrontal",
            QualityReason::FaceOutsidePhoto => "faceOutsidePhoto",
            QualityReason::Unclear => "unclear",
        }
    }

    /// The reason in plain English, with what to do about it.
    pub fn words(self) -> &'static str {
        match self {
            QualityReason::TooDark => "the face is too dark: use a brighter photo",
            QualityReason::TooBlurred => "the face is too blurred: use a sharper photo",
            QualityReason::FaceCovered => "part of the face is covered (mask, dark glasses, hand)",
            QualityReason::FaceTooSmall => "the face is too small in the photo: use a closer photo",
            QualityReason::FaceRotated => "the face is rotated: turn the photo so that the face is upright",
            QualityReason::NotFrontal => "the face is not seen from the front",
            QualityReason::FaceOutsidePhoto => "the face is mostly outside the photo",
            QualityReason::Unclear => "the face is not clear enough to compare (blur, shadow, angle or something covering it)",
        }
    }
}

impl std::fmt::Display for QualityReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.words())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serialized_names_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for r in QualityReason::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
            assert!(seen.insert(r.code()));
            assert!(!r.words().is_empty());
        }
    }
}
