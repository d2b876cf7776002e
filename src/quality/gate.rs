//! The quality gate: thresholds on the measures, and the first one a face fails.

use serde::Serialize;

use super::crop::CropMeasures;
use super::geometry::Geometry;
use super::reason::QualityReason;
use crate::error::{Error, Result};

/// Everything measured about one face, in pipeline order: the detector's score and the
/// landmark geometry (before any pixel is read), the aligned crop's pixels, the raw
/// embedding's norm (after the recognizer ran). Later stages are `None` when the gate stopped
/// earlier. No value here identifies anyone; none is a template.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityMeasures {
    /// The detector's confidence, `0..=1`.
    pub detector_score: f32,
    /// Size, roll, yaw, fit and position of the landmarks.
    pub geometry: Geometry,
    /// Exposure, sharpness and covered regions of the aligned crop.
    pub crop: Option<CropMeasures>,
    /// Euclidean norm of the recognizer's raw 128-d output before normalisation (unitless;
    /// it falls on faces the recognizer sees poorly).
    pub embedding_norm: Option<f32>,
}

/// The first check a face failed: the reason, and the measure against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityProblem {
    /// Why, in terms a person understands.
    pub reason: QualityReason,
    /// The measure that failed, as named in [`QualityMeasures`] (camelCase, e.g.
    /// `"insideFraction"`, `"rollDegrees"`, `"brightness"`, `"embeddingNorm"`).
    pub measure: &'static str,
    /// Its value for this face.
    pub value: f32,
    /// The limit it failed (a minimum or a maximum, as the measure's doc says).
    pub limit: f32,
}

impl QualityProblem {
    /// The error enrolment refuses a reference with.
    pub fn into_error(self) -> Error {
        Error::FaceUnusable { reason: self.reason, measure: self.measure, value: self.value, limit: self.limit }
    }
}

/// Thresholds of the quality gate. Each default was calibrated on half of the people of LFW
/// View 1 train (deep-funneled; `facegate eval --transform ... --split calibration`) and
/// transformed copies of their photos (turned, rolled, blurred, dark, masked, dark glasses,
/// cut at the nose, shrunk): the clean photos pass (at most 0.5 % refused) and the faces
/// whose templates resemble one another whoever they show are refused. The README's "Hard
/// photos" section gives the figures, and the held-out half they were checked on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityConfig {
    /// Run the gate at all. Default: **true**. `false` templates every face found (the
    /// behaviour before the gate; for measurement only: decisions then lose their stated
    /// false-match rate on hard photos).
    pub enabled: bool,
    /// Least fraction of the aligned crop that must come from inside the photo, `0..=1`.
    /// Default: **0.65** (a face cut at the nose has about 0.46; clean photos 1.0).
    pub min_inside_fraction: f32,
    /// Largest head roll accepted within the face's turn, after straightening, degrees.
    /// Default: **70** (straightened heads rolled by 60 degrees pass).
    pub max_roll_degrees: f32,
    /// Largest landmark misfit to the template, crop pixels. Default: **10.5** (clean photos
    /// up to about 10).
    pub max_fit_residual: f32,
    /// Largest yaw estimate (nose offset in eye distances, either side). Default: **0.9**
    /// (the 1,372 clean photos of the calibration half up to 0.85; half profiles beyond).
    pub max_yaw: f32,
    /// Smallest distance between the eyes, source pixels. Default: **15** (a face about 40
    /// pixels wide; photos shrunk to 40 px wide have 2 to 12).
    pub min_inter_ocular_px: f32,
    /// Lowest mean luma of the face in the crop, 0..255. Default: **30** (clean photos 70 and
    /// more; photos darkened 16 times, 4 to 12).
    pub min_brightness: f32,
    /// Lowest sharpness (Laplacian variance over luma variance, within 8 x 8 tiles: see
    /// [`CropMeasures::sharpness`]). Default: **0.06** (the 1,372 clean photos of the
    /// calibration half 0.082 and more; blur of sigma 4 pixels, 0.007 to 0.048 for 99 % of 582
    /// photos).
    pub min_sharpness: f32,
    /// Largest dark fraction of the eye band (see [`CropMeasures::eyes_dark`]), `0..=1`.
    /// Default: **0.75** (clean photos of the calibration half up to 0.70: people in shadow or
    /// tinted glasses, whose eyes still show; lenses that hide them are caught by
    /// `max_eyes_covered`).
    pub max_eyes_dark: f32,
    /// Largest dark and flat fraction of a lens-sized window near each eye, the smaller of
    /// the two eyes (see [`CropMeasures::eyes_covered`]), `0..=1`. Default: **0.55** (the
    /// 1,372 clean photos of the calibration half up to 0.50, 99 % under 0.18; drawn dark
    /// glasses 0.57 and more for 582 of 584 photos, 0.96 and more for 99 %).
    pub max_eyes_covered: f32,
    /// Lowest mouth texture (see [`CropMeasures::mouth_texture`]). Default: **0.3** (clean
    /// photos 0.37 and more; a drawn mask 0 for three in four).
    pub min_mouth_texture: f32,
    /// Largest flat fraction of nose tip, mouth and chin (see [`CropMeasures::mouth_flat`]),
    /// `0..=1`. Default: **0.5** (clean photos of the calibration half up to 0.48, 99 % under
    /// 0.36; a drawn mask 0.87 and more for 19 in 20, including most masks
    /// `min_mouth_texture` misses).
    pub max_mouth_flat: f32,
    /// Lowest norm of the raw embedding. Default: **8.5** (clean photos 9.1 and more; upside
    /// down or cut faces mostly under 8).
    pub min_embedding_norm: f32,
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            enabled: true,
            min_inside_fraction: 0.65,
            max_roll_degrees: 70.0,
            max_fit_residual: 10.5,
            max_yaw: 0.9,
            min_inter_ocular_px: 15.0,
            min_brightness: 30.0,
            min_sharpness: 0.06,
            max_eyes_dark: 0.75,
            max_eyes_covered: 0.55,
            min_mouth_texture: 0.3,
            max_mouth_flat: 0.5,
            min_embedding_norm: 8.5,
        }
    }
}

impl QualityConfig {
    /// The gate switched off (every face found is templated), for measurement.
    pub fn off() -> QualityConfig {
        QualityConfig { enabled: false, ..QualityConfig::default() }
    }

    /// Refuses values out of range with [`Error::InvalidConfig`].
    pub fn validate(&self) -> Result<()> {
        let bad = |field, reason: &str| Err(Error::InvalidConfig { field, reason: reason.to_string() });
        let finite_non_negative = |v: f32| v.is_finite() && v >= 0.0;
        if !(0.0..=1.0).contains(&self.min_inside_fraction) {
            return bad("min_inside_fraction", "must be in 0..=1");
        }
        for (field, v) in [
            ("max_roll_degrees", self.max_roll_degrees),
            ("max_fit_residual", self.max_fit_residual),
            ("max_yaw", self.max_yaw),
            ("min_inter_ocular_px", self.min_inter_ocular_px),
            ("min_brightness", self.min_brightness),
            ("min_sharpness", self.min_sharpness),
            ("max_eyes_dark", self.max_eyes_dark),
            ("max_eyes_covered", self.max_eyes_covered),
            ("min_mouth_texture", self.min_mouth_texture),
            ("max_mouth_flat", self.max_mouth_flat),
            ("min_embedding_norm", self.min_embedding_norm),
        ] {
            if !finite_non_negative(v) {
                return bad(field, "must be a finite number, 0 or more");
            }
        }
        Ok(())
    }

    /// The first geometric check `g` fails, if any: checked before any pixel is read.
    pub fn check_geometry(&self, g: &Geometry) -> Option<QualityProblem> {
        let problem = |reason, measure, value: f32, limit: f32| Some(QualityProblem { reason, measure, value, limit });
        if !self.enabled {
            return None;
        }
        if !g.landmarks_inside {
            // Never templated, whatever the configuration: the points were guessed, not seen.
            return problem(QualityReason::FaceOutsidePhoto, "landmarksInside", 0.0, 1.0);
        }
        if g.inside_fraction < self.min_inside_fraction {
            return problem(QualityReason::FaceOutsidePhoto, "insideFraction", g.inside_fraction, self.min_inside_fraction);
        }
        if !g.face_order {
            return problem(QualityReason::FaceRotated, "faceOrder", 0.0, 1.0);
        }
        if g.roll_degrees.abs() > self.max_roll_degrees {
            return problem(QualityReason::FaceRotated, "rollDegrees", g.roll_degrees, self.max_roll_degrees);
        }
        if g.fit_residual > self.max_fit_residual {
            return problem(QualityReason::NotFrontal, "fitResidual", g.fit_residual, self.max_fit_residual);
        }
        if g.yaw.abs() > self.max_yaw {
            return problem(QualityReason::NotFrontal, "yaw", g.yaw, self.max_yaw);
        }
        if g.inter_ocular_px < self.min_inter_ocular_px {
            return problem(QualityReason::FaceTooSmall, "interOcularPx", g.inter_ocular_px, self.min_inter_ocular_px);
        }
        None
    }

    /// The first check of the aligned crop's pixels `c` fails, if any.
    pub fn check_crop(&self, c: &CropMeasures) -> Option<QualityProblem> {
        let problem = |reason, measure, value: f32, limit: f32| Some(QualityProblem { reason, measure, value, limit });
        if !self.enabled {
            return None;
        }
        if c.brightness < self.min_brightness {
            return problem(QualityReason::TooDark, "brightness", c.brightness, self.min_brightness);
        }
        if c.sharpness < self.min_sharpness {
            return problem(QualityReason::TooBlurred, "sharpness", c.sharpness, self.min_sharpness);
        }
        if c.eyes_dark > self.max_eyes_dark {
            return problem(QualityReason::FaceCovered, "eyesDark", c.eyes_dark, self.max_eyes_dark);
        }
        if c.eyes_covered > self.max_eyes_covered {
            return problem(QualityReason::FaceCovered, "eyesCovered", c.eyes_covered, self.max_eyes_covered);
        }
        if c.mouth_texture < self.min_mouth_texture {
            return problem(QualityReason::FaceCovered, "mouthTexture", c.mouth_texture, self.min_mouth_texture);
        }
        if c.mouth_flat > self.max_mouth_flat {
            return problem(QualityReason::FaceCovered, "mouthFlat", c.mouth_flat, self.max_mouth_flat);
        }
        None
    }

    /// The check of the raw embedding's norm. The reason is the measure nearest its own
    /// limit, when one is close (within a factor of two for sharpness and brightness, 1.5 for
    /// the textures); else [`QualityReason::Unclear`].
    pub fn check_embedding(&self, norm: f32, crop: &CropMeasures) -> Option<QualityProblem> {
        if !self.enabled || norm >= self.min_embedding_norm {
            return None;
        }
        // How close each pixel measure is to its limit (1 at the limit, larger when farther).
        let margins = [
            (QualityReason::TooBlurred, crop.sharpness / (2.0 * self.min_sharpness)),
            (QualityReason::TooDark, crop.brightness / (2.0 * self.min_brightness)),
            (
                QualityReason::FaceCovered,
                (crop.mouth_texture / (1.5 * self.min_mouth_texture))
                    .min(1.5 * self.max_eyes_covered / crop.eyes_covered.max(1e-6))
                    .min(1.5 * self.max_mouth_flat / crop.mouth_flat.max(1e-6)),
            ),
        ];
        let reason = margins.iter().filter(|(_, m)| *m < 1.0).min_by(|a, b| a.1.total_cmp(&b.1)).map_or(QualityReason::Unclear, |(r, _)| *r);
        Some(QualityProblem { reason, measure: "embeddingNorm", value: norm, limit: self.min_embedding_norm })
    }

    /// The first check of all of `m` that fails, in pipeline order.
    pub fn judge(&self, m: &QualityMeasures) -> Option<QualityProblem> {
        self.check_geometry(&m.geometry)
            .or_else(|| m.crop.as_ref().and_then(|c| self.check_crop(c)))
            .or_else(|| m.crop.as_ref().zip(m.embedding_norm).and_then(|(c, n)| self.check_embedding(n, c)))
    }
}
