//! Folding constant `DequantizeLinear` nodes (including opset-21 *blocked* quantization, which
//! tract 0.23 does not run) into float32 initializers, directly on the ONNX protobuf.

use std::collections::{HashMap, HashSet};

use tract_onnx::pb::{tensor_proto::DataType, GraphProto, ModelProto, NodeProto, TensorProto};

/// Replaces every `DequantizeLinear` whose inputs are all initializers by a float32
/// initializer holding `(x - zero_point) * scale` (per tensor, per axis, or per block along
/// `axis` when `block_size > 0`), then drops initializers and graph inputs that no node uses
/// any more. Returns how many nodes were folded.
pub fn fold_constant_dequantize(model: &mut ModelProto) -> Result<usize, String> {
    let graph = model.graph.as_mut().ok_or("the model has no graph")?;
    let init_index: HashMap<String, usize> = graph.initializer.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
    let mut folded = Vec::new();
    let mut keep = Vec::with_capacity(graph.node.len());
    for node in std::mem::take(&mut graph.node) {
        let foldable =
            node.op_type == "DequantizeLinear" && node.domain.is_empty() && node.input.iter().filter(|i| !i.is_empty()).all(|i| init_index.contains_key(i));
        if foldable {
            let get = |k: usize| node.input.get(k).filter(|n| !n.is_empty()).map(|n| &graph.initializer[init_index[n]]);
            let tensor = dequantize(&node, get(0).ok_or("DequantizeLinear without input")?, get(1).ok_or("DequantizeLinear without scale")?, get(2))
                .map_err(|e| format!("folding DequantizeLinear `{}`: {e}", node.name))?;
            folded.push(tensor);
        } else {
            keep.push(node);
        }
    }
    let count = folded.len();
    graph.node = keep;
    graph.initializer.extend(folded);
    drop_unused(graph);
    Ok(count)
}

/// Removes initializers and graph inputs that no node reads and no output names.
fn drop_unused(graph: &mut GraphProto) {
    let used: HashSet<String> = graph.node.iter().flat_map(|n| n.input.iter().cloned()).chain(graph.output.iter().map(|o| o.name.clone())).collect();
    graph.initializer.retain(|t| used.contains(&t.name));
    graph.input.retain(|i| used.contains(&i.name));
}

fn dequantize(node: &NodeProto, x: &TensorProto, scale: &TensorProto, zero: Option<&TensorProto>) -> Result<TensorProto, String> {
    let attr = |name: &str| node.attribute.iter().find(|a| a.name == name).map(|a| a.i);
    let dims: Vec<usize> = x.dims.iter().map(|&d| usize::try_from(d).map_err(|_| "negative dimension")).collect::<Result<_, _>>()?;
    let rank = dims.len() as i64;
    let mut axis = attr("axis").unwrap_or(1);
    if axis < 0 {
        axis += rank;
    }
    let block = attr("block_size").unwrap_or(0);
    let xs = integers(x)?;
    let scales = floats(scale)?;
    let zeros = match zero {
        Some(z) => integers(z)?,
        None => vec![0; scales.len()],
    };
    // Checked: a hostile shape must not overflow (the element count bounds every product below).
    if Some(xs.len()) != dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) {
        return Err(format!("input holds {} values for shape {dims:?}", xs.len()));
    }
    let output = node.output.first().cloned().ok_or("DequantizeLinear without output")?;
    if xs.is_empty() {
        return Ok(TensorProto { dims: x.dims.clone(), data_type: DataType::Float as i32, name: output, ..Default::default() });
    }
    if zeros.len() != scales.len() {
        return Err("zero point and scale differ in size".into());
    }
    let scale_index = scale_indexer(&dims, &scale.dims, axis, block, scales.len())?;
    // Consecutive values share one scale over runs (per tensor: all; per axis: the axes after
    // `axis`; blocked along the last axis, as both facegate models are: a block): look the
    // scale up once per run, not per value (loading SFace's 9.8 M weights: 77 -> 15 ms natively).
    let n = xs.len();
    let axis_len = usize::try_from(axis).ok().and_then(|a| dims.get(a).copied()).unwrap_or(1).max(1);
    let inner = usize::try_from(axis).ok().filter(|&a| a < dims.len()).map_or(1, |a| dims[a + 1..].iter().product::<usize>()).max(1);
    let run_len = |i: usize| -> usize {
        if scales.len() == 1 {
            n - i
        } else if block <= 0 {
            inner - i % inner
        } else if inner == 1 {
            let (a, b) = (i % axis_len, block as usize);
            (b - a % b).min(axis_len - a)
        } else {
            1
        }
    };
    let mut out = vec![0u8; n * 4];
    let mut i = 0;
    while i < n {
        let j = scale_index(i);
        let run = run_len(i).clamp(1, n - i);
        let (zero, scale) = (zeros[j], scales[j]);
        for (&q, b) in xs[i..i + run].iter().zip(out[i * 4..(i + run) * 4].chunks_exact_mut(4)) {
            // In i64: int32 values minus an int32 zero point can leave the i32 range.
            b.copy_from_slice(&(((i64::from(q) - i64::from(zero)) as f32) * scale).to_le_bytes());
        }
        i += run;
    }
    Ok(TensorProto { dims: x.dims.clone(), data_type: DataType::Float as i32, name: output, raw_data: out, ..Default::default() })
}

/// Maps a flat index into `x` to the flat index of its scale.
fn scale_indexer(dims: &[usize], scale_dims: &[i64], axis: i64, block: i64, n_scales: usize) -> Result<Box<dyn Fn(usize) -> usize>, String> {
    if n_scales == 1 {
        return Ok(Box::new(|_| 0));
    }
    let axis = usize::try_from(axis).ok().filter(|&a| a < dims.len()).ok_or("axis out of range")?;
    let inner: usize = dims[axis + 1..].iter().product();
    let len = dims[axis];
    if block <= 0 {
        if n_scales != len {
            return Err(format!("per-axis scale has {n_scales} values for axis of {len}"));
        }
        return Ok(Box::new(move |i| (i / inner) % len));
    }
    let block = block as usize;
    let blocks = len.div_ceil(block);
    let sdims: Vec<usize> = scale_dims.iter().map(|&d| d.max(0) as usize).collect();
    let mut expect = dims.to_vec();
    expect[axis] = blocks;
    if sdims != expect || n_scales != expect.iter().product::<usize>() {
        return Err(format!("blocked scale shape {sdims:?} does not match {expect:?}"));
    }
    // Flat index i = (outer * len + a) * inner + r  ->  (outer * blocks + a / block) * inner + r.
    Ok(Box::new(move |i| {
        let (r, rest) = (i % inner, i / inner);
        let (a, outer) = (rest % len, rest / len);
        (outer * blocks + a / block) * inner + r
    }))
}

fn integers(t: &TensorProto) -> Result<Vec<i32>, String> {
    let raw = &t.raw_data;
    match DataType::try_from(t.data_type) {
        Ok(DataType::Int8) if !raw.is_empty() => Ok(raw.iter().map(|&b| i32::from(b as i8)).collect()),
        Ok(DataType::Uint8) if !raw.is_empty() => Ok(raw.iter().map(|&b| i32::from(b)).collect()),
        Ok(DataType::Int32) if !raw.is_empty() => Ok(raw.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()),
        Ok(DataType::Int8 | DataType::Uint8 | DataType::Int32) => Ok(t.int32_data.clone()),
        _ => Err(format!("unsupported quantized type {} in `{}`", t.data_type, t.name)),
    }
}

fn floats(t: &TensorProto) -> Result<Vec<f32>, String> {
    match DataType::try_from(t.data_type) {
        Ok(DataType::Float) if !t.raw_data.is_empty() => Ok(t.raw_data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()),
        Ok(DataType::Float) => Ok(t.float_data.clone()),
        _ => Err(format!("unsupported scale type {} in `{}`", t.data_type, t.name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tract_onnx::pb::AttributeProto;

    fn int8(name: &str, dims: &[i64], v: &[i8]) -> TensorProto {
        TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: DataType::Int8 as i32,
            raw_data: v.iter().map(|&x| x as u8).collect(),
            ..Default::default()
        }
    }

    fn float(name: &str, dims: &[i64], v: &[f32]) -> TensorProto {
        TensorProto { name: name.into(), dims: dims.to_vec(), data_type: DataType::Float as i32, float_data: v.to_vec(), ..Default::default() }
    }

    fn int_attr(name: &str, i: i64) -> AttributeProto {
        AttributeProto { name: name.into(), i, ..Default::default() }
    }

    fn model(inits: Vec<TensorProto>, attrs: Vec<AttributeProto>) -> ModelProto {
        let dq = NodeProto {
            op_type: "DequantizeLinear".into(),
            input: vec!["x".into(), "s".into(), "z".into()],
            output: vec!["w".into()],
            attribute: attrs,
            ..Default::default()
        };
        let relu = NodeProto { op_type: "Relu".into(), input: vec!["w".into()], output: vec!["y".into()], ..Default::default() };
        let out = tract_onnx::pb::ValueInfoProto { name: "y".into(), ..Default::default() };
        let unused_input = tract_onnx::pb::ValueInfoProto { name: "stale".into(), ..Default::default() };
        ModelProto {
            graph: Some(GraphProto { node: vec![dq, relu], initializer: inits, output: vec![out], input: vec![unused_input], ..Default::default() }),
            ..Default::default()
        }
    }

    fn folded_values(m: &ModelProto) -> Vec<f32> {
        let g = m.graph.as_ref().unwrap();
        let w = g.initializer.iter().find(|t| t.name == "w").unwrap();
        floats(w).unwrap()
    }

    #[test]
    fn blocked_dequantize_uses_one_scale_per_block() {
        // x is 2x4, blocks of 2 along axis 1: scales [[1, 10], [2, 20]], zero points [[0, 1], [0, -1]].
        let mut m = model(
            vec![int8("x", &[2, 4], &[1, 2, 3, 4, 5, 6, 7, 8]), float("s", &[2, 2], &[1.0, 10.0, 2.0, 20.0]), int8("z", &[2, 2], &[0, 1, 0, -1])],
            vec![int_attr("axis", 1), int_attr("block_size", 2)],
        );
        assert_eq!(fold_constant_dequantize(&mut m).unwrap(), 1);
        assert_eq!(folded_values(&m), [1.0, 2.0, 20.0, 30.0, 10.0, 12.0, 160.0, 180.0]);
        let g = m.graph.as_ref().unwrap();
        assert_eq!(g.node.len(), 1, "only the Relu remains");
        assert!(g.initializer.iter().all(|t| t.name == "w"), "x, s, z dropped");
        assert!(g.input.is_empty(), "unused graph input dropped");
    }

    #[test]
    fn blocked_dequantize_along_axis_0_with_a_partial_block() {
        // x is 3x1, blocks of 2 along axis 0: rows 0-1 use scale 0.5, row 2 uses 3.
        let mut m = model(
            vec![int8("x", &[3, 1], &[2, 4, 5]), float("s", &[2, 1], &[0.5, 3.0]), int8("z", &[2, 1], &[0, 1])],
            vec![int_attr("axis", 0), int_attr("block_size", 2)],
        );
        fold_constant_dequantize(&mut m).unwrap();
        assert_eq!(folded_values(&m), [1.0, 2.0, 12.0]);
    }

    #[test]
    fn per_axis_and_per_tensor_dequantize() {
        let mut m = model(vec![int8("x", &[2, 2], &[1, 2, 3, 4]), float("s", &[2], &[1.0, 0.5]), int8("z", &[2], &[1, 0])], vec![int_attr("axis", 0)]);
        fold_constant_dequantize(&mut m).unwrap();
        assert_eq!(folded_values(&m), [0.0, 1.0, 1.5, 2.0]);
        let mut m = model(vec![int8("x", &[3], &[-1, 0, 1]), float("s", &[], &[2.0]), int8("z", &[], &[1])], vec![]);
        fold_constant_dequantize(&mut m).unwrap();
        assert_eq!(folded_values(&m), [-4.0, -2.0, 0.0]);
    }

    #[test]
    fn hostile_values_and_shapes_give_errors_not_panics() {
        // int32 data at the bottom of its range minus a positive zero point (found by review,
        // replayed from tests/fuzz-corpus/model_load/crash-int32-min-minus-zero-point).
        let raw = |v: &[i32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let int32 = |name: &str, dims: &[i64], v: &[i32]| TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: DataType::Int32 as i32,
            raw_data: raw(v),
            ..Default::default()
        };
        let mut m = model(vec![int32("x", &[2], &[i32::MIN, i32::MAX]), float("s", &[], &[1.0]), int32("z", &[], &[1])], vec![]);
        fold_constant_dequantize(&mut m).unwrap();
        assert_eq!(folded_values(&m), [i32::MIN as f32 - 1.0, i32::MAX as f32 - 1.0]);
        // A shape whose element count overflows, and one with a zero dimension beside huge ones.
        let mut m = model(vec![int8("x", &[1 << 40, 1 << 40], &[1]), float("s", &[], &[1.0]), int8("z", &[], &[0])], vec![]);
        assert!(fold_constant_dequantize(&mut m).unwrap_err().contains("values for shape"));
        let empty = TensorProto { name: "x".into(), dims: vec![0, 1 << 40, 1 << 40], data_type: DataType::Int8 as i32, ..Default::default() };
        let mut m = model(vec![empty, float("s", &[2], &[1.0, 2.0]), int8("z", &[2], &[0, 0])], vec![int_attr("axis", 0), int_attr("block_size", 3)]);
        fold_constant_dequantize(&mut m).unwrap();
        assert!(folded_values(&m).is_empty());
    }

    #[test]
    fn mismatched_block_shape_is_an_error() {
        let mut m = model(
            vec![int8("x", &[2, 4], &[0; 8]), float("s", &[2, 3], &[1.0; 6]), int8("z", &[2, 3], &[0; 6])],
            vec![int_attr("axis", 1), int_attr("block_size", 2)],
        );
        assert!(fold_constant_dequantize(&mut m).unwrap_err().contains("does not match"));
    }
}
