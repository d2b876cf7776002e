//! The one template an image yields: decode, detect, choose, embed the chosen face only.

use super::choice::{choose_face, FaceChoice};
use super::face_engine::FaceEngine;
use crate::engine::ImageInput;
use crate::error::Result;
use crate::template::Template;

/// Decodes `input`, detects its faces, and embeds the one `choice` designates, and only that
/// one. The pixels are wiped (dropped) before this returns, whatever the outcome.
pub(crate) fn template_of_choice(engine: &impl FaceEngine, input: ImageInput<'_>, choice: FaceChoice) -> Result<Template> {
    let image = engine.load(input)?;
    let faces = engine.detect(&image)?;
    let chosen = choose_face(&faces, choice)?;
    engine.template(&image, &faces[chosen])
}
