//! Faster replacements for ONNX operators that tract runs slowly on facegate's two networks.
//!
//! Profiling SFace per tract op (`cargo bench --bench pipeline -- --ops`) showed that tract
//! expands ONNX `PRelu` into three generic operators (a broadcast `Mul`, a `>` against a zero
//! tensor, an element-wise select) that took about 30 of 45 ms natively, three times as long as
//! every convolution together. [`ChannelPrelu`] computes the same function in one pass over the
//! tensor, in place when tract hands over the only reference: `y = x` where `x >= 0`, else
//! `slope[c] * x`, with one slope per channel (axis 1, NCHW). The result is bit-identical (the
//! same single multiplication per negative value).
//!
//! YuNet's four `MaxPool` nodes (2x2 windows, stride 2, no padding) took a fifth of its time in
//! tract's general pooling code; [`MaxPool2x2`] does that one case in two passes per row pair.
//!
//! Each replacement is installed by overriding the ONNX operator builder, and applies only to
//! the cases it handles (PRelu: a constant slope with one value per channel, or one value in
//! all; MaxPool: 2x2, stride 2, no padding, dilation or indices output, f32 NCHW); anything
//! else is wired exactly as tract would.

use std::sync::Arc;

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::ops::cnn::{HirMaxPool, PaddingSpec, PoolSpec};
use tract_onnx::tract_hir::ops::nn::DataFormat;

/// Installs the faster operators into an ONNX framework.
pub(crate) fn install(onnx: &mut tract_onnx::Onnx) {
    onnx.op_register.insert("PRelu", |_ctx: &ParsingContext, _node: &NodeProto| Ok((expand(PreluExpansion), vec![])));
    if let Some(&original) = onnx.op_register.0.get("MaxPool") {
        let _ = TRACT_MAX_POOL.set(original);
        onnx.op_register.insert("MaxPool", max_pool);
    }
}

type OpBuilder = fn(&ParsingContext, &NodeProto) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// tract's own `MaxPool` builder, for the cases [`MaxPool2x2`] does not cover.
static TRACT_MAX_POOL: std::sync::OnceLock<OpBuilder> = std::sync::OnceLock::new();

fn max_pool(ctx: &ParsingContext, node: &NodeProto) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let ints = |name: &str| node.get_attr_opt_tvec::<usize>(name);
    let all = |v: Option<TVec<usize>>, want: usize, default_ok: bool| v.map_or(default_ok, |v| v.len() == 2 && v.iter().all(|&x| x == want));
    let pads_zero = node.get_attr_opt_tvec::<usize>("pads")?.is_none_or(|p| p.iter().all(|&x| x == 0));
    let auto_pad_none = node.get_attr_opt::<&str>("auto_pad")?.is_none_or(|a| a == "NOTSET" || a == "VALID");
    let simple = node.output.len() == 1
        && all(ints("kernel_shape")?, 2, false)
        && all(ints("strides")?, 2, false)
        && all(ints("dilations")?, 1, true)
        && pads_zero
        && auto_pad_none
        && node.get_attr_opt::<i64>("ceil_mode")?.unwrap_or(0) == 0;
    if simple {
        let spec = PoolSpec::new(DataFormat::NCHW, tvec![2, 2], PaddingSpec::Valid, None, Some(tvec![2, 2]), 0, 0);
        return Ok((expand(MaxPool2x2Expansion { hir: HirMaxPool::new(spec, None) }), vec![]));
    }
    let original = TRACT_MAX_POOL.get().context("tract's MaxPool builder is missing")?;
    original(ctx, node)
}

/// What a 2x2 stride-2 `MaxPool` becomes: [`MaxPool2x2`] on f32 NCHW, tract's own pooling
/// otherwise.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct MaxPool2x2Expansion {
    hir: HirMaxPool,
}

impl Expansion for MaxPool2x2Expansion {
    fn name(&self) -> StaticName {
        "MaxPool".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(&'s self, s: &mut Solver<'r>, inputs: &'p [TensorProxy], outputs: &'p [TensorProxy]) -> InferenceResult {
        self.hir.rules(s, inputs, outputs)
    }

    fn wire(&self, name: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        let fact = model.outlet_fact(inputs[0])?;
        if fact.datum_type == f32::datum_type() && fact.rank() == 4 {
            return model.wire_node(name, MaxPool2x2, &[inputs[0]]);
        }
        self.hir.wire(name, model, inputs)
    }
}

/// Max over 2x2 windows at stride 2 of an f32 NCHW tensor (an odd last row or column is
/// dropped, as ONNX does without `ceil_mode`).
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub(crate) struct MaxPool2x2;

impl Op for MaxPool2x2 {
    fn name(&self) -> StaticName {
        "MaxPool2x2".into()
    }

    op_as_typed_op!();
}

impl EvalOp for MaxPool2x2 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = args_1!(inputs);
        let shape = x.shape();
        ensure!(shape.len() == 4, "MaxPool2x2 takes NCHW, got {shape:?}");
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3]);
        let (oh, ow) = (h / 2, w / 2);
        let view = x.to_plain_array_view::<f32>()?;
        let standard;
        let input: &[f32] = match view.as_slice() {
            Some(s) => s,
            None => {
                standard = view.iter().copied().collect::<Vec<f32>>();
                &standard
            }
        };
        let mut out = vec![0f32; planes * oh * ow];
        let mut rowmax = vec![0f32; 2 * ow];
        for p in 0..planes {
            let plane = &input[p * h * w..][..h * w];
            for y in 0..oh {
                let (r0, r1) = (&plane[2 * y * w..][..2 * ow], &plane[(2 * y + 1) * w..][..2 * ow]);
                for ((m, a), b) in rowmax.iter_mut().zip(r0).zip(r1) {
                    *m = a.max(*b);
                }
                let dst = &mut out[(p * oh + y) * ow..][..ow];
                for (d, pair) in dst.iter_mut().zip(rowmax.chunks_exact(2)) {
                    *d = pair[0].max(pair[1]);
                }
            }
        }
        let out = tract_ndarray::ArrayD::from_shape_vec(vec![shape[0], shape[1], oh, ow], out)?;
        Ok(tvec!(out.into_tensor().into_tvalue()))
    }
}

impl TypedOp for MaxPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let s = &inputs[0].shape;
        ensure!(s.rank() == 4);
        Ok(tvec!(f32::fact(&[s[0].clone(), s[1].clone(), s[2].clone() / 2, s[3].clone() / 2])))
    }

    fn cost(&self, inputs: &[&TypedFact]) -> TractResult<TVec<(Cost, TDim)>> {
        let count: TDim = inputs[0].shape.iter().product();
        Ok(tvec!((Cost::FMA(f32::datum_type()), count)))
    }

    as_op!();
}

/// What the ONNX `PRelu` node becomes: [`ChannelPrelu`] when its slope is a per-channel or
/// scalar constant, tract's own decomposition otherwise.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct PreluExpansion;

impl Expansion for PreluExpansion {
    fn name(&self) -> StaticName {
        "Prelu".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(&'s self, s: &mut Solver<'r>, inputs: &'p [TensorProxy], outputs: &'p [TensorProxy]) -> InferenceResult {
        check_input_arity(inputs, 2)?;
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].datum_type, &outputs[0].datum_type)?;
        s.equals(&inputs[0].shape, &outputs[0].shape)?;
        Ok(())
    }

    fn wire(&self, name: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        let (x, slope) = (inputs[0], inputs[1]);
        if let Some(slopes) = channel_slopes(model.outlet_fact(x)?, model.outlet_fact(slope)?) {
            return model.wire_node(name, ChannelPrelu { slopes: Arc::new(slopes) }, &[x]);
        }
        generic_prelu(name, model, x, slope)
    }
}

/// The per-channel slopes when `slope` is an f32 constant holding one value, or one value per
/// channel of `x` (axis 1) broadcast over every other axis.
fn channel_slopes(x: &TypedFact, slope: &TypedFact) -> Option<Vec<f32>> {
    let k = slope.konst.as_ref()?;
    if x.datum_type != f32::datum_type() || k.datum_type() != f32::datum_type() || x.rank() < 2 {
        return None;
    }
    let channels = x.shape[1].to_usize().ok()?;
    let plain = k.try_as_plain_ram().ok()?;
    let values = plain.as_slice::<f32>().ok()?;
    if values.len() == 1 {
        return Some(vec![values[0]; channels]);
    }
    // Right-aligned broadcasting: the slope's own axes line up with x's last ones; the one
    // axis that is not 1 must be x's channel axis.
    let shape = k.shape();
    if values.len() != channels || shape.len() > x.rank() {
        return None;
    }
    let offset = x.rank() - shape.len();
    let on_channel_axis = shape.iter().enumerate().all(|(i, &d)| d == 1 || (i + offset == 1 && d == channels));
    on_channel_axis.then(|| values.to_vec())
}

/// tract's own expansion of `PRelu`: `x > 0 ? x : x * slope`.
fn generic_prelu(name: &str, model: &mut TypedModel, x: OutletId, mut slope: OutletId) -> TractResult<TVec<OutletId>> {
    let rank = model.outlet_fact(x)?.rank();
    while model.outlet_fact(slope)?.rank() < rank {
        slope = model.wire_node(format!("{name}.add-axis-{}", model.outlet_fact(slope)?.rank()), AxisOp::Add(0), &[slope])?[0];
    }
    let dt = model.outlet_fact(x)?.datum_type;
    let zero = model.add_const(format!("{name}.zero"), tensor0(0f32).cast_to_dt(dt)?.into_owned().broadcast_into_rank(rank)?)?;
    let scaled = model.wire_node(format!("{name}.mul"), tract_onnx::tract_hir::ops::math::mul(), &[x, slope])?[0];
    let positive = model.wire_node(format!("{name}.test"), tract_core::ops::binary::TypedBinOp(tract_core::ops::logic::comp_gt(), None), &[zero, x])?[0];
    // `zero > x` selects the scaled value.
    model.wire_node(format!("{name}.iff"), tract_core::ops::logic::Iff, &[positive, scaled, x])
}

/// PReLU with one slope per channel (axis 1), computed in one pass.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChannelPrelu {
    slopes: Arc<Vec<f32>>,
}

impl Eq for ChannelPrelu {}

impl Op for ChannelPrelu {
    fn name(&self) -> StaticName {
        "ChannelPrelu".into()
    }

    op_as_typed_op!();
}

impl EvalOp for ChannelPrelu {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = args_1!(inputs);
        let shape = x.shape().to_vec();
        ensure!(shape.len() >= 2 && shape[1] == self.slopes.len(), "ChannelPrelu: input shape {shape:?} for {} slopes", self.slopes.len());
        // The only reference: work in place. Otherwise one copy (as tract's own ops would make).
        let mut t = x.into_tensor();
        if t.len() != shape.iter().product::<usize>() || t.strides() != &*Tensor::natural_strides(&shape) {
            // Not laid out row-major: copy in logical order first.
            let logical: Vec<f32> = t.to_plain_array_view::<f32>()?.iter().copied().collect();
            t = tract_ndarray::ArrayD::from_shape_vec(shape.clone(), logical)?.into_tensor();
        }
        let plane: usize = shape[2..].iter().product();
        let mut plain = t.try_as_plain_ram_mut()?;
        let data = plain.as_slice_mut::<f32>()?;
        for (chunk, &slope) in data.chunks_exact_mut(plane.max(1)).zip(self.slopes.iter().cycle()) {
            apply_prelu(chunk, slope);
        }
        Ok(tvec!(t.into_tvalue()))
    }
}

/// `v = if v < 0 { v * slope } else { v }` over a slice, written so that the compiler
/// vectorises it (a select, no branch).
#[inline]
fn apply_prelu(values: &mut [f32], slope: f32) {
    for v in values {
        let scaled = *v * slope;
        *v = if *v < 0.0 { scaled } else { *v };
    }
}

impl TypedOp for ChannelPrelu {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(inputs[0].without_value()))
    }

    fn cost(&self, inputs: &[&TypedFact]) -> TractResult<TVec<(Cost, TDim)>> {
        let count: TDim = inputs[0].shape.iter().product();
        Ok(tvec!((Cost::FMA(f32::datum_type()), count)))
    }

    as_op!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prelu_scales_negative_values_per_channel() {
        let op = ChannelPrelu { slopes: Arc::new(vec![0.5, 2.0]) };
        let x = tensor4(&[[[[-2f32, 3.0]], [[-1.0, 0.0]]]]);
        let y = op.eval(&EvalContext::out_of_plan(), tvec!(x.into_tvalue())).unwrap();
        assert_eq!(y[0].try_as_plain_ram().unwrap().as_slice::<f32>().unwrap(), &[-1.0, 3.0, -2.0, 0.0]);
    }

    #[test]
    fn max_pool_takes_the_max_of_each_2x2_window_and_drops_an_odd_edge() {
        // One 3x5 plane: windows over rows 0-1, columns 0-1 and 2-3.
        let x = tract_ndarray::Array4::from_shape_vec((1, 1, 3, 5), (0..15).map(|v| ((v * 7) % 11) as f32).collect()).unwrap();
        let y = MaxPool2x2.eval(&EvalContext::out_of_plan(), tvec!(x.clone().into_tensor().into_tvalue())).unwrap();
        assert_eq!(y[0].shape(), &[1, 1, 1, 2]);
        let expect = [0, 2].map(|c| [x[[0, 0, 0, c]], x[[0, 0, 0, c + 1]], x[[0, 0, 1, c]], x[[0, 0, 1, c + 1]]].into_iter().fold(f32::MIN, f32::max));
        assert_eq!(y[0].try_as_plain_ram().unwrap().as_slice::<f32>().unwrap(), &expect);
    }

    #[test]
    fn slopes_must_be_per_channel_constants() {
        let x = f32::fact([1, 2, 4, 4]);
        let per_channel = TypedFact::try_from(tensor3(&[[[0.1f32]], [[0.2]]])).unwrap();
        assert_eq!(channel_slopes(&x, &per_channel), Some(vec![0.1, 0.2]));
        let scalar = TypedFact::try_from(tensor0(0.3f32)).unwrap();
        assert_eq!(channel_slopes(&x, &scalar), Some(vec![0.3, 0.3]));
        let per_column = TypedFact::try_from(tensor1(&[0.1f32, 0.2, 0.3, 0.4])).unwrap();
        assert_eq!(channel_slopes(&x, &per_column), None, "a slope along the last axis is not per channel");
    }
}
