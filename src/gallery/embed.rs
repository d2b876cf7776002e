//! The one template an image yields: decode, detect, choose, embed the chosen face only.

use super::face_engine::FaceEngine;
use crate::engine::ImageInput;
use crate::error::Result;
use crate::face::choice::{choose_face, FaceChoice};
use crate::template::Template;

/// Decodes `input`, detects its faces (or takes those of a kept detection,
/// [`ImageInput::Detected`]), and embeds the one `choice` designates, and only that one. The
/// pixels this call decoded are wiped (dropped) before it returns, whatever the outcome.
pub(crate) fn template_of_choice(engine: &impl FaceEngine, input: ImageInput<'_>, choice: FaceChoice) -> Result<Template> {
    let found = engine.detected(input)?;
    let chosen = choose_face(found.faces(), choice)?;
    engine.template(found.image(), &found.faces()[chosen])
}
