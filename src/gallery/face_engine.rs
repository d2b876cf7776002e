//! What the gallery needs of a face engine, as a trait: so that tests can count what ran.

use super::explain::FaceSteps;
use crate::align::alignment_transform;
use crate::engine::{Engine, ImageInput};
use crate::error::{Error, Result};
use crate::face::Face;
use crate::image::Image;
use crate::template::Template;

/// An image and its faces, as [`FaceEngine::detected`] gives them.
pub enum Detected<'a> {
    /// Decoded and detected by this call (wiped when dropped).
    Fresh {
        /// The decoded image.
        image: Image,
        /// Its faces, largest first.
        faces: Vec<Face>,
    },
    /// Kept from an earlier detection (see [`ImageInput::Detected`]).
    Kept {
        /// The decoded image.
        image: &'a Image,
        /// Its faces, in the order the caller saw.
        faces: &'a [Face],
    },
}

impl Detected<'_> {
    /// The image.
    pub fn image(&self) -> &Image {
        match self {
            Detected::Fresh { image, .. } => image,
            Detected::Kept { image, .. } => image,
        }
    }

    /// Its faces.
    pub fn faces(&self) -> &[Face] {
        match self {
            Detected::Fresh { faces, .. } => faces,
            Detected::Kept { faces, .. } => faces,
        }
    }
}

/// The steps of the pipeline the gallery uses. [`Engine`] implements it; a test can wrap an
/// engine to count calls and prove what did not run.
pub trait FaceEngine {
    /// Decodes encoded image bytes (see [`Engine::decode`]).
    fn decode(&self, bytes: &[u8]) -> Result<Image>;
    /// Wraps RGBA pixels (see [`Engine::from_rgba`]).
    #[allow(clippy::wrong_self_convention)] // named as the engine method it stands for
    fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> Result<Image>;
    /// Every face in the image, largest first (see [`Engine::detect`]).
    fn detect(&self, image: &Image) -> Result<Vec<Face>>;
    /// The template of one face (see [`Engine::template`]).
    fn template(&self, image: &Image, face: &Face) -> Result<Template>;
    /// Every step for one face: the alignment transform, the aligned crop and the template
    /// (see [`Engine::align`] and [`Engine::embed`]); for the teaching view only.
    fn explain_face(&self, image: &Image, face: &Face) -> Result<FaceSteps>;

    /// The image of an [`ImageInput`] (see [`Engine::load`]): [`FaceEngine::decode`] or
    /// [`FaceEngine::from_rgba`]; a copy of an [`ImageInput::Detected`] one.
    fn load(&self, input: ImageInput<'_>) -> Result<Image> {
        match input {
            ImageInput::Encoded(bytes) => self.decode(bytes),
            ImageInput::Rgba { pixels, width, height } => self.from_rgba(pixels, width, height),
            ImageInput::Detected { image, .. } => Ok(image.clone()),
        }
    }

    /// The image of `input` and its faces: decoded and detected now, or those a
    /// [`ImageInput::Detected`] carries (then nothing is decoded or detected).
    fn detected<'a>(&self, input: ImageInput<'a>) -> Result<Detected<'a>> {
        match input {
            ImageInput::Detected { image, faces } => Ok(Detected::Kept { image, faces }),
            other => {
                let image = self.load(other)?;
                let faces = self.detect(&image)?;
                Ok(Detected::Fresh { image, faces })
            }
        }
    }
}

impl FaceEngine for Engine {
    fn decode(&self, bytes: &[u8]) -> Result<Image> {
        Engine::decode(self, bytes)
    }

    fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> Result<Image> {
        Engine::from_rgba(self, pixels, width, height)
    }

    fn load(&self, input: ImageInput<'_>) -> Result<Image> {
        Engine::load(self, input)
    }

    fn detect(&self, image: &Image) -> Result<Vec<Face>> {
        Engine::detect(self, image)
    }

    fn template(&self, image: &Image, face: &Face) -> Result<Template> {
        Engine::template(self, image, face)
    }

    fn explain_face(&self, image: &Image, face: &Face) -> Result<FaceSteps> {
        let aligned = self.align(image, face)?;
        // `align` checked the landmarks: the transform exists.
        let transform = alignment_transform(&face.landmarks).ok_or_else(|| Error::FaceOutOfImage { reason: "the landmarks coincide".to_string() })?;
        let template = self.embed(&aligned)?;
        Ok(FaceSteps { transform, aligned, template })
    }
}

impl<T: FaceEngine + ?Sized> FaceEngine for &T {
    fn decode(&self, bytes: &[u8]) -> Result<Image> {
        (**self).decode(bytes)
    }

    fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> Result<Image> {
        (**self).from_rgba(pixels, width, height)
    }

    fn detect(&self, image: &Image) -> Result<Vec<Face>> {
        (**self).detect(image)
    }

    fn template(&self, image: &Image, face: &Face) -> Result<Template> {
        (**self).template(image, face)
    }

    fn explain_face(&self, image: &Image, face: &Face) -> Result<FaceSteps> {
        (**self).explain_face(image, face)
    }
}
