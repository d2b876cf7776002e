//! Test helpers for the gallery's unit tests: a scripted, counting engine and sample
//! references. Compiled for tests only.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use super::clock::{ManualClock, Timestamp};
use super::consent::{ConsentRecord, Purpose, Subject};
use super::face_engine::FaceEngine;
use super::reference::{Reference, ReferenceId};
use super::stored_template::StoredTemplate;
use crate::error::{Error, Result};
use crate::face::{BoundingBox, Face, Landmarks};
use crate::image::Image;
use crate::limits::ImageLimits;
use crate::template::{Template, TEMPLATE_LEN};

/// A unit vector in the plane of axes `axis` and `axis + 1` (0.6, 0.8).
pub(crate) fn unit_along(axis: usize) -> [f32; TEMPLATE_LEN] {
    let mut raw = [0.0f32; TEMPLATE_LEN];
    raw[axis % TEMPLATE_LEN] = 0.6;
    raw[(axis + 1) % TEMPLATE_LEN] = 0.8;
    raw
}

/// A reference with template [`unit_along`]`(axis)`, consent given at t = 1000 ms, created at
/// t = 2000 ms.
pub(crate) fn reference(id: u64, axis: usize, subject: Subject, purpose: Purpose, expires: Option<i64>) -> Reference {
    let clock = ManualClock::new(Timestamp::from_unix_ms(1_000));
    let consent = ConsentRecord::new(subject, purpose, "consent text", expires.map(Timestamp::from_unix_ms), &clock).unwrap();
    let template = StoredTemplate::copy_of(&Template::from_embedding(&unit_along(axis)).unwrap());
    Reference { id: ReferenceId::from_u64(id), label: format!("label {id}"), created_at: Timestamp::from_unix_ms(2_000), consent, template }
}

/// A face whose box starts at `x`: the fake engine embeds it as [`unit_along`]`(x)`.
pub(crate) fn face_at(x: f32) -> Face {
    Face { bbox: BoundingBox { x, y: 0.0, width: 10.0, height: 10.0 }, score: 0.9, landmarks: Landmarks::default(), rotation: Default::default() }
}

/// An engine without models: an "image" is one byte naming a scene; each scene has scripted
/// faces; a face's template depends on its box. It counts every call.
#[derive(Default)]
pub(crate) struct FakeEngine {
    scenes: HashMap<u8, Vec<Face>>,
    pub(crate) decoded: Cell<usize>,
    pub(crate) detected: Cell<usize>,
    pub(crate) embedded: RefCell<Vec<BoundingBox>>,
    pub(crate) on_embed: Option<Box<dyn Fn()>>,
}

impl FakeEngine {
    pub(crate) fn with_scene(mut self, scene: u8, faces: Vec<Face>) -> FakeEngine {
        self.scenes.insert(scene, faces);
        self
    }

    pub(crate) fn calls(&self) -> (usize, usize, usize) {
        (self.decoded.get(), self.detected.get(), self.embedded.borrow().len())
    }
}

impl FaceEngine for FakeEngine {
    fn decode(&self, bytes: &[u8]) -> Result<Image> {
        self.decoded.set(self.decoded.get() + 1);
        let scene = *bytes.first().ok_or(Error::EmptyImage)?;
        Image::from_rgb(vec![scene; 3], 1, 1, &ImageLimits::default())
    }

    fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> Result<Image> {
        self.decoded.set(self.decoded.get() + 1);
        Image::from_rgba(pixels, width, height, &ImageLimits::default())
    }

    fn detect(&self, image: &Image) -> Result<Vec<Face>> {
        self.detected.set(self.detected.get() + 1);
        Ok(self.scenes.get(&image.as_rgb()[0]).cloned().unwrap_or_default())
    }

    fn template(&self, _image: &Image, face: &Face) -> Result<Template> {
        self.embedded.borrow_mut().push(face.bbox);
        if let Some(hook) = &self.on_embed {
            hook();
        }
        Ok(Template::from_embedding(&unit_along(face.bbox.x as usize)).unwrap())
    }

    fn explain_face(&self, image: &Image, face: &Face) -> Result<super::explain::FaceSteps> {
        let template = self.template(image, face)?;
        let transform = crate::align::SimilarityTransform { a: 1.0, b: 0.0, tx: 0.0, ty: 0.0 };
        Ok(super::explain::FaceSteps { transform, aligned: crate::recognizer::AlignedFace { rgb: vec![7; 112 * 112 * 3] }, template })
    }
}
