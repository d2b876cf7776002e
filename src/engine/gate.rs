//! The quality gate in the pipeline: geometry before any pixel is read, the aligned crop
//! before the recognizer runs, the raw embedding's norm before a template is handed out.

use super::Engine;
use crate::error::{Error, Result};
use crate::face::Face;
use crate::image::Image;
use crate::orientation::Rotation;
use crate::quality::{crop_measures, face_geometry, CropMeasures, Geometry, QualityMeasures, QualityProblem};
use crate::template::Template;

/// Everything [`Engine::measure`] found about one face.
#[derive(Debug)]
pub struct Measured {
    /// The face as templated: after straightening a rolled head, or finding it in a turn of
    /// the photo, its landmarks may differ from the detector's.
    pub face: Face,
    /// The quality measures.
    pub measures: QualityMeasures,
    /// The first check of the engine's [`QualityConfig`](crate::QualityConfig) it fails.
    pub problem: Option<QualityProblem>,
    /// Its template, made whatever the gate says (for measurement only).
    pub template: Template,
}

fn out_of_image(reason: &str) -> Error {
    Error::FaceOutOfImage { reason: reason.to_string() }
}

/// One face through the pipeline: geometry, crop measures, template and the raw norm.
struct Embedded {
    face: Face,
    geometry: Geometry,
    crop: CropMeasures,
    template: Template,
    norm: f32,
}

impl Engine {
    /// The template of `face` in `image`, if it passes the quality gate: a rolled head is
    /// straightened first ([`OrientationConfig`](crate::OrientationConfig)), then the
    /// landmarks' geometry is checked (before any pixel is read), then the aligned crop's
    /// pixels (before the recognizer runs; a face found upright that fails them is embedded
    /// all the same, to look for it in the turns of the photo), then the norm of the
    /// recognizer's raw output
    /// ([`QualityConfig`](crate::QualityConfig)). A face found upright whose raw output is too
    /// weak is looked for in the quarter turns of the photo (YuNet finds upside-down faces
    /// with upright-looking landmarks); the turn that shows it best is kept.
    ///
    /// Errors: [`Error::FaceOutOfImage`] when the landmarks are not finite, coincide or lie
    /// far outside the image (the face does not come from it); [`Error::FaceUnusable`] with
    /// the reason when the face fails the gate (a template made for the last check is wiped);
    /// [`Error::Inference`].
    pub fn template(&self, image: &Image, face: &Face) -> Result<Template> {
        self.check_landmarks(image, face)?;
        let gate = &self.config.quality;
        let face = self.straighten(image, face);
        let g = face_geometry(&face, image.width(), image.height()).ok_or_else(|| out_of_image("the landmarks coincide"))?;
        if let Some(p) = gate.check_geometry(&g) {
            return Err(p.into_error());
        }
        let aligned = self.align(image, &face)?;
        let c = crop_measures(aligned.as_rgb()).ok_or_else(|| out_of_image("the aligned crop has the wrong size"))?;
        let crop_problem = gate.check_crop(&c);
        // A face found upright that fails the crop checks may be upside down (its forehead
        // reads as a flat lower face): only then is it embedded before being refused, to look
        // for it in the turns of the photo.
        if let Some(p) = crop_problem.filter(|_| !self.may_be_turned(&face)) {
            return Err(p.into_error());
        }
        let (template, norm) = self.recognizer.embed_measured(&aligned)?;
        let e = self.best_turn(image, Embedded { face, geometry: g, crop: c, template, norm })?;
        let problem = if e.face.rotation != face.rotation { gate.check_geometry(&e.geometry).or_else(|| gate.check_crop(&e.crop)) } else { crop_problem };
        if let Some(p) = problem {
            return Err(p.into_error());
        }
        match gate.check_embedding(e.norm, &e.crop) {
            Some(p) => Err(p.into_error()),
            None => Ok(e.template),
        }
    }

    /// For evaluation: every quality measure of `face`, what the gate says, and the template
    /// made whatever it says (`facegate eval` reports figures with and without the gate from
    /// one run). The gallery never calls this; it templates through [`Engine::template`].
    ///
    /// Errors: as [`Engine::template`], except [`Error::FaceUnusable`].
    pub fn measure(&self, image: &Image, face: &Face) -> Result<Measured> {
        self.check_landmarks(image, face)?;
        let e = self.embedded(image, &self.straighten(image, face))?;
        let gate = &self.config.quality;
        let e = if gate.check_geometry(&e.geometry).is_none() && (gate.check_crop(&e.crop).is_none() || self.may_be_turned(&e.face)) {
            self.best_turn(image, e)?
        } else {
            e
        };
        let measures = QualityMeasures { detector_score: e.face.score, geometry: e.geometry, crop: Some(e.crop), embedding_norm: Some(e.norm) };
        Ok(Measured { face: e.face, problem: self.config.quality.judge(&measures), measures, template: e.template })
    }

    /// `face` aligned, measured and embedded.
    fn embedded(&self, image: &Image, face: &Face) -> Result<Embedded> {
        let geometry = face_geometry(face, image.width(), image.height()).ok_or_else(|| out_of_image("the landmarks coincide"))?;
        let aligned = self.align(image, face)?;
        let crop = crop_measures(aligned.as_rgb()).ok_or_else(|| out_of_image("the aligned crop has the wrong size"))?;
        let (template, norm) = self.recognizer.embed_measured(&aligned)?;
        Ok(Embedded { face: *face, geometry, crop, template, norm })
    }

    /// `found`, or the same face found in a quarter turn of the photo when `found` was found
    /// upright, its raw embedding is weak, and a turn gives a stronger one. Below the gate's
    /// floor every turn is tried; below
    /// [`OrientationConfig::min_upright_norm`](crate::OrientationConfig) only the half turn
    /// (upside-down faces get upright-looking landmarks; sideways ones are found by
    /// [`Engine::detect`]'s own search).
    fn best_turn(&self, image: &Image, found: Embedded) -> Result<Embedded> {
        let config = &self.config;
        if !self.may_be_turned(&found.face) || found.norm >= config.orientation.min_upright_norm {
            return Ok(found);
        }
        let turns: &[Rotation] = if found.norm < config.quality.min_embedding_norm { &Rotation::TURNS } else { &[Rotation::Half180] };
        let mut best = found;
        for alternative in self.same_face_turned(image, &best.face, turns)? {
            let Ok(e) = self.embedded(image, &self.straighten(image, &alternative)) else {
                continue;
            };
            if e.norm > best.norm {
                best = e;
            }
        }
        Ok(best)
    }

    /// Whether `face`, found upright, is looked for in the turns of the photo when its crop or
    /// its embedding is weak (the turn search is on and it has not been turned yet).
    fn may_be_turned(&self, face: &Face) -> bool {
        self.config.orientation.search_turns && face.rotation == Rotation::None
    }

    /// Refuses landmarks that cannot come from `image`: not finite, or far outside it.
    pub(super) fn check_landmarks(&self, image: &Image, face: &Face) -> Result<()> {
        let pts = face.landmarks.to_array();
        if pts.iter().any(|p| !p.x.is_finite() || !p.y.is_finite()) {
            return Err(out_of_image("a landmark is not a finite number"));
        }
        let (w, h) = (image.width() as f32, image.height() as f32);
        if pts.iter().any(|p| p.x < -w || p.y < -h || p.x > 2.0 * w || p.y > 2.0 * h) {
            return Err(out_of_image("the landmarks lie far outside the image"));
        }
        Ok(())
    }
}
