//! An image as a caller hands it over, and the engine's one way in for both kinds.

use super::Engine;
use crate::error::Result;
use crate::face::Face;
use crate::image::Image;

/// An image as the caller hands it over: encoded file bytes or raw RGBA pixels (a canvas, a
/// camera frame). The gallery decodes it only after the checks that come first (consent,
/// cap, reference), and drops (wipes) the pixels before returning.
#[derive(Debug, Clone, Copy)]
pub enum ImageInput<'a> {
    /// JPEG, PNG, WebP, GIF or BMP bytes.
    Encoded(&'a [u8]),
    /// RGBA pixels, 4 bytes each, row-major.
    Rgba {
        /// `width * height * 4` bytes.
        pixels: &'a [u8],
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// An image already decoded and its faces already detected (a kept detection,
    /// [`HeldDetection`](crate::pipeline::HeldDetection)): the gallery uses these pixels and
    /// these faces, in this order, and neither decodes nor detects again. A face index refers
    /// to `faces`.
    Detected {
        /// The decoded image.
        image: &'a Image,
        /// Its faces, as returned by [`Engine::detect`] (largest first).
        faces: &'a [Face],
    },
}

impl Engine {
    /// The image of an [`ImageInput`]: [`Engine::decode`] for encoded bytes,
    /// [`Engine::from_rgba`] for pixels (their errors, their limits); a copy of an already
    /// decoded one ([`ImageInput::Detected`]).
    pub fn load(&self, input: ImageInput<'_>) -> Result<Image> {
        match input {
            ImageInput::Encoded(bytes) => self.decode(bytes),
            ImageInput::Rgba { pixels, width, height } => self.from_rgba(pixels, width, height),
            ImageInput::Detected { image, .. } => Ok(image.clone()),
        }
    }
}
