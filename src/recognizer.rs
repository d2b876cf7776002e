//! The SFace recognizer: aligned 112x112 crop -> 128-d template.

use std::sync::{Mutex, OnceLock};

use zeroize::Zeroize;

use crate::align::ALIGNED_SIZE;
use crate::error::{Error, ModelKind, Result};
use crate::model::{load_verified, output_slice, plan_for, run, verify_model, Plan, Threads};
use crate::template::Template;

/// An aligned face crop: 112x112 RGB, the landmarks on the ArcFace template. Wiped on drop.
pub struct AlignedFace {
    pub(crate) rgb: Vec<u8>,
}

impl AlignedFace {
    /// The crop's RGB bytes (112 x 112 x 3, row-major).
    pub fn as_rgb(&self) -> &[u8] {
        &self.rgb
    }
}

impl Drop for AlignedFace {
    fn drop(&mut self) {
        self.rgb.zeroize();
    }
}

impl std::fmt::Debug for AlignedFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AlignedFace { 112x112 RGB }")
    }
}

/// The SFace recognizer. Its bytes are checked at once; the network is folded and planned once,
/// on the first embedding or on [`Recognizer::warm_up`] (planning takes a moment, so a page can
/// be ready before it and plan while the user picks a photo).
pub struct Recognizer {
    /// The verified model bytes until the plan is made, then `None`.
    bytes: Mutex<Option<Vec<u8>>>,
    plan: OnceLock<Plan>,
    threads: Threads,
}

impl std::fmt::Debug for Recognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recognizer { .. }")
    }
}

const SHAPE: [usize; 4] = [1, 3, ALIGNED_SIZE as usize, ALIGNED_SIZE as usize];

impl Recognizer {
    /// Builds the recognizer from the SFace ONNX bytes (checked against
    /// [`RECOGNIZER_SHA256`](crate::RECOGNIZER_SHA256)).
    pub fn new(model: &[u8]) -> Result<Recognizer> {
        verify_model(ModelKind::Recognizer, model)?;
        Ok(Recognizer::new_verified(model, Threads::default()))
    }

    /// [`Recognizer::new`] for bytes whose SHA-256 the caller has checked, running on `threads`.
    pub(crate) fn new_verified(model: &[u8], threads: Threads) -> Recognizer {
        Recognizer { bytes: Mutex::new(Some(model.to_vec())), plan: OnceLock::new(), threads }
    }

    /// Folds and plans the network now, if not done yet.
    pub fn warm_up(&self) -> Result<()> {
        self.plan().map(|_| ())
    }

    fn plan(&self) -> Result<&Plan> {
        if let Some(plan) = self.plan.get() {
            return Ok(plan);
        }
        let mut bytes = self.bytes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(plan) = self.plan.get() {
            return Ok(plan);
        }
        let model = bytes.as_deref().ok_or_else(|| Error::ModelInvalid { model: ModelKind::Recognizer, reason: "planning failed before".into() })?;
        let plan = plan_for(ModelKind::Recognizer, &load_verified(ModelKind::Recognizer, model)?, &SHAPE)?;
        *bytes = None;
        Ok(self.plan.get_or_init(|| plan))
    }

    /// The template of an aligned face.
    pub fn embed(&self, face: &AlignedFace) -> Result<Template> {
        self.embed_measured(face).map(|(t, _)| t)
    }

    /// The template of an aligned face and the Euclidean norm of the raw embedding before it
    /// was scaled to unit length (a quality signal: it falls on faces the recognizer sees
    /// poorly).
    pub fn embed_measured(&self, face: &AlignedFace) -> Result<(Template, f32)> {
        let outputs = run(ModelKind::Recognizer, self.plan()?, &self.threads, &SHAPE, input_tensor(&face.rgb))?;
        let raw = output_slice(ModelKind::Recognizer, &outputs, 0)?;
        let norm = raw.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>().sqrt() as f32;
        let template = Template::from_embedding(raw)
            .ok_or_else(|| Error::Inference { model: ModelKind::Recognizer, reason: format!("the embedding has {} values or is not finite", raw.len()) })?;
        Ok((template, norm))
    }
}

impl Recognizer {
    /// Time per tract op kind of one network run on `face` (see `benches/pipeline.rs`).
    #[doc(hidden)]
    #[cfg(not(target_arch = "wasm32"))]
    pub fn op_times(&self, face: &AlignedFace) -> Result<Vec<(String, f64)>> {
        crate::model::op_times(ModelKind::Recognizer, self.plan()?, &SHAPE, input_tensor(&face.rgb))
    }
}

/// SFace's input: NCHW, **RGB** channel order, values 0..255 (the network normalises itself).
pub fn input_tensor(rgb: &[u8]) -> Vec<f32> {
    let plane = rgb.len() / 3;
    let mut out = vec![0f32; plane * 3];
    for (i, px) in rgb.chunks_exact(3).enumerate() {
        for c in 0..3 {
            out[c * plane + i] = f32::from(px[c]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_rgb_planes() {
        let t = input_tensor(&[1, 2, 3, 4, 5, 6]);
        assert_eq!(t, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }
}
