//! Shared set-up: a counting wrapper around the real engine, consent records, galleries on a
//! manual clock, and a group photo.

use std::cell::{Cell, RefCell};

use facegate::pipeline::FaceSteps;
use facegate::{
    BoundingBox, Clock, ConsentRecord, Engine, Face, FaceChoice, FaceEngine, Gallery, GalleryConfig, Image, ImageInput, ManualClock, Purpose, ReferenceId,
    Result, Subject, Template, Timestamp,
};
use image::DynamicImage;

use crate::common::{engine, fixture_bytes};

/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600_000;
pub const DAY_MS: i64 = 86_400_000;

/// The real engine, counting every step it runs and recording which faces it embedded.
pub struct Counting {
    inner: &'static Engine,
    pub decoded: Cell<usize>,
    pub detected: Cell<usize>,
    pub embedded: RefCell<Vec<BoundingBox>>,
}

impl Counting {
    pub fn new() -> Counting {
        Counting { inner: engine(), decoded: Cell::new(0), detected: Cell::new(0), embedded: RefCell::new(Vec::new()) }
    }

    /// (decodes, detections, templates) so far.
    pub fn calls(&self) -> (usize, usize, usize) {
        (self.decoded.get(), self.detected.get(), self.embedded.borrow().len())
    }
}

impl FaceEngine for Counting {
    fn decode(&self, bytes: &[u8]) -> Result<Image> {
        self.decoded.set(self.decoded.get() + 1);
        self.inner.decode(bytes)
    }

    fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> Result<Image> {
        self.decoded.set(self.decoded.get() + 1);
        self.inner.from_rgba(pixels, width, height)
    }

    fn detect(&self, image: &Image) -> Result<Vec<Face>> {
        self.detected.set(self.detected.get() + 1);
        self.inner.detect(image)
    }

    fn template(&self, image: &Image, face: &Face) -> Result<Template> {
        self.embedded.borrow_mut().push(face.bbox);
        self.inner.template(image, face)
    }

    fn explain_face(&self, image: &Image, face: &Face) -> Result<FaceSteps> {
        self.embedded.borrow_mut().push(face.bbox);
        self.inner.explain_face(image, face)
    }
}

pub fn clock() -> ManualClock {
    ManualClock::new(Timestamp::from_unix_ms(T0))
}

pub fn gallery(clock: &ManualClock) -> Gallery {
    Gallery::with_clock(GalleryConfig::default(), clock.clone()).unwrap()
}

pub fn my_consent(clock: &ManualClock) -> Option<ConsentRecord> {
    Some(
        ConsentRecord::new(
            Subject::SelfPerson,
            Purpose::VerifyItIsMe,
            "I agree that facegate keeps a template of my face on this device to check later photos.",
            None,
            clock,
        )
        .unwrap(),
    )
}

pub fn their_consent(clock: &ManualClock, name: &str, expires_in_ms: Option<i64>) -> Option<ConsentRecord> {
    let subject = Subject::OtherPersonConsented { name: name.to_string() };
    let expiry = expires_in_ms.map(|ms| clock.now().plus_ms(ms));
    Some(ConsentRecord::new(subject, Purpose::CompareWithConsentingPerson, "Ana agreed that her photo may be compared.", expiry, clock).unwrap())
}

/// Encoded bytes of a fixture photo, held for an `ImageInput::Encoded`.
pub fn photo(name: &str) -> Vec<u8> {
    fixture_bytes(name)
}

/// Enrolls the single face of a fixture photo.
pub fn enroll(gallery: &mut Gallery, name: &str, label: &str, consent: Option<ConsentRecord>) -> ReferenceId {
    gallery.enroll(engine(), ImageInput::Encoded(&photo(name)), FaceChoice::Auto, label, consent).unwrap()
}

/// A 2x2 collage of four portraits as RGBA pixels (800 x 1000): a "group photo".
pub fn group_photo(names: [&str; 4]) -> (Vec<u8>, u32, u32) {
    let mut canvas = image::RgbaImage::from_pixel(800, 1000, image::Rgba([40, 40, 40, 255]));
    for (k, name) in names.iter().enumerate() {
        let tile: DynamicImage = image::load_from_memory(&fixture_bytes(name)).unwrap().thumbnail(400, 500);
        image::imageops::overlay(&mut canvas, &tile.to_rgba8(), (k as i64 % 2) * 400, (k as i64 / 2) * 500);
    }
    (canvas.into_raw(), 800, 1000)
}
