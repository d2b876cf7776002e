//! Runtime equivalence: tract (with facegate's dequantize fold) against an independent
//! onnxruntime reference, `tests/golden/reference.json`, made by `tools/golden/make_golden.py`
//! from the two PNGs next to it. The PNGs are the network inputs, so no resampling is compared,
//! only inference.
//!
//! Tolerance: a value passes when `|tract - ort| <= 1e-4 * max(1, |ort|)`, i.e. 1e-4 absolute
//! for values up to 1 in magnitude and 1e-4 relative above that.
//!
//! Run with `cargo test --release --test golden` (a debug build works but is slow).

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use tract_onnx::prelude::*;

const TOLERANCE: f64 = 1e-4;
const MIN_COSINE: f64 = 0.99999;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> Json {
    let text = std::fs::read_to_string(root().join("tests/golden/reference.json")).expect("read tests/golden/reference.json");
    Json::parse(&text).expect("reference.json parses")
}

/// Decodes a golden PNG (checking it is the file the reference was made from) as RGB rows.
fn load_png(section: &Json) -> (u32, u32, Vec<u8>) {
    let name = section.get("input_png").str();
    let bytes = std::fs::read(root().join("tests/golden").join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(facegate::pipeline::sha256_hex(&bytes), section.get("input_png_sha256").str(), "{name} is not the PNG the reference was made from");
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).expect("decode PNG").to_rgb8();
    (img.width(), img.height(), img.into_raw())
}

/// RGB rows to a 1x3xHxW float32 tensor in 0..255, channels in RGB or BGR order.
fn nchw(width: u32, height: u32, rgb: &[u8], bgr: bool) -> Tensor {
    let (w, h) = (width as usize, height as usize);
    let order: [usize; 3] = if bgr { [2, 1, 0] } else { [0, 1, 2] };
    let mut data = Vec::with_capacity(3 * w * h);
    for &channel in &order {
        data.extend(rgb.chunks_exact(3).map(|px| f32::from(px[channel])));
    }
    tract_ndarray::Array4::from_shape_vec((1, 3, h, w), data).expect("tensor shape").into_tensor()
}

/// Builds a tract plan the way facegate does: verify, fold `DequantizeLinear`, pin the input,
/// optimise. Done here because the library's plans do not expose raw outputs.
fn plan(section: &Json, expected_sha256: &str, input_shape: &[usize]) -> Arc<TypedRunnableModel> {
    let file = section.get("model").str();
    let bytes = std::fs::read(root().join("models").join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(facegate::pipeline::sha256_hex(&bytes), expected_sha256, "{file}: wrong model bytes");
    assert_eq!(section.get("model_sha256").str(), expected_sha256, "reference made from another model");
    let onnx = tract_onnx::onnx();
    let mut proto = onnx.proto_model_for_read(&mut Cursor::new(&bytes)).expect("parse ONNX");
    let folded = facegate::pipeline::fold_constant_dequantize(&mut proto).expect("fold");
    assert_eq!(folded, section.get("folded_nodes").usize(), "{file}: number of DequantizeLinear folded");
    onnx.model_for_proto_model(&proto)
        .and_then(|m| m.with_input_fact(0, f32::fact(input_shape).into()))
        .and_then(|m| m.into_optimized())
        .and_then(|m| m.into_runnable())
        .expect("tract plan")
}

/// Runs the plan; returns each output's label, shape and values.
fn run(plan: &Arc<TypedRunnableModel>, input: Tensor) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let outputs = plan.run(tvec![input.into_tvalue()]).expect("tract run");
    let outlets = plan.model().output_outlets().expect("outlets");
    outputs
        .iter()
        .zip(outlets)
        .map(|(value, &outlet)| {
            let label = plan.model().outlet_label(outlet).unwrap_or(&plan.model().node(outlet.node).name).to_string();
            let view = value.to_plain_array_view::<f32>().expect("f32 output");
            (label, view.shape().to_vec(), view.iter().copied().collect())
        })
        .collect()
}

/// Compares `got[indices[k]]` with `want[k]`. Returns the largest absolute difference and a
/// description of every value outside the tolerance.
fn compare(name: &str, got: &[f32], indices: &[usize], want: &[f64]) -> (f64, Vec<String>) {
    assert_eq!(indices.len(), want.len(), "{name}: indices and values differ in length");
    let mut max_abs = 0f64;
    let mut failures = Vec::new();
    for (&i, &w) in indices.iter().zip(want) {
        let g = f64::from(*got.get(i).unwrap_or_else(|| panic!("{name}: index {i} out of range {}", got.len())));
        let diff = (g - w).abs();
        if diff.is_nan() || diff > TOLERANCE * w.abs().max(1.0) {
            failures.push(format!("{name}[{i}]: tract {g}, onnxruntime {w}, |diff| {diff:.3e}"));
        }
        if diff.is_nan() {
            max_abs = f64::INFINITY;
        } else {
            max_abs = max_abs.max(diff);
        }
    }
    (max_abs, failures)
}

fn assert_no_failures(model: &str, failures: &[String]) {
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(20).map(String::as_str).collect();
        panic!("{model}: {} values differ from onnxruntime beyond the tolerance:\n{}", failures.len(), shown.join("\n"));
    }
}

#[test]
fn detector_outputs_match_onnxruntime() {
    let reference = reference();
    let det = reference.get("detector");
    assert_eq!(det.get("input_layout").str(), "BGR float32 NCHW 0..255");
    let (w, h, rgb) = load_png(det);
    let shape = det.get("input_shape").usizes();
    assert_eq!(shape, [1, 3, h as usize, w as usize]);
    let plan = plan(det, facegate::DETECTOR_SHA256, &shape);
    let outputs = run(&plan, nchw(w, h, &rgb, true));

    let expected = det.get("outputs").array();
    assert_eq!(outputs.len(), expected.len(), "number of detector outputs");
    let (mut overall, mut failures, mut compared) = (0f64, Vec::new(), 0);
    for ((label, shape, values), want) in outputs.iter().zip(expected) {
        let name = want.get("name").str();
        assert_eq!(label, name, "detector output order");
        assert_eq!(*shape, want.get("shape").usizes(), "{name}: shape");
        let indices = want.get("indices").usizes();
        let (max_abs, mut bad) = compare(name, values, &indices, &want.get("values").f64s());
        println!("{name:8} {shape:?}: {} values compared, max |diff| {max_abs:.3e}", indices.len());
        overall = overall.max(max_abs);
        compared += indices.len();
        failures.append(&mut bad);
    }
    println!("detector: {compared} values, max |tract - onnxruntime| = {overall:.3e}");
    assert_no_failures("detector", &failures);
}

#[test]
fn recognizer_output_matches_onnxruntime() {
    let reference = reference();
    let rec = reference.get("recognizer");
    assert_eq!(rec.get("input_layout").str(), "RGB float32 NCHW 0..255");
    let (w, h, rgb) = load_png(rec);
    let shape = rec.get("input_shape").usizes();
    assert_eq!(shape, [1, 3, h as usize, w as usize]);
    let plan = plan(rec, facegate::RECOGNIZER_SHA256, &shape);
    let outputs = run(&plan, nchw(w, h, &rgb, false));

    assert_eq!(outputs.len(), 1, "one recognizer output");
    let (label, out_shape, values) = &outputs[0];
    assert_eq!(label, rec.get("output").str());
    assert_eq!(*out_shape, rec.get("output_shape").usizes());
    let want = rec.get("values").f64s();
    assert_eq!(values.len(), want.len());
    let indices: Vec<usize> = (0..want.len()).collect();
    let (max_abs, failures) = compare(label, values, &indices, &want);
    println!("recognizer: {} values, max |tract - onnxruntime| = {max_abs:.3e}", want.len());
    assert_no_failures("recognizer", &failures);

    // the template direction, which is all matching uses
    let mut a = values.clone();
    let mut b: Vec<f32> = want.iter().map(|&x| x as f32).collect();
    assert!(facegate::pipeline::l2_normalize(&mut a) && facegate::pipeline::l2_normalize(&mut b), "zero output");
    let cosine: f64 = a.iter().zip(&b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum();
    println!("recognizer: cosine of the L2-normalised outputs = {cosine:.9}");
    assert!(cosine > MIN_COSINE, "cosine {cosine} <= {MIN_COSINE}");
}

/// The comparison itself must reject a disagreement just above the tolerance, in both the
/// absolute and the relative range, and NaN.
#[test]
fn comparison_rejects_perturbed_values() {
    let want = [0.5, -3.0, 200.0];
    let exact: Vec<f32> = want.iter().map(|&x| x as f32).collect();
    assert!(compare("t", &exact, &[0, 1, 2], &want).1.is_empty());
    for (k, delta) in [(0, 1.5e-4), (1, -4.5e-4), (2, 0.03)] {
        let mut got = exact.clone();
        got[k] += delta as f32;
        let (max_abs, failures) = compare("t", &got, &[0, 1, 2], &want);
        assert_eq!(failures.len(), 1, "perturbing value {k} by {delta} must fail");
        assert!(max_abs > 0.0);
    }
    let mut got = exact.clone();
    got[0] = f32::NAN;
    assert_eq!(compare("t", &got, &[0, 1, 2], &want).1.len(), 1);
}

/// Just enough JSON for reference.json (the crate has no JSON dependency).
#[derive(Debug)]
#[allow(dead_code)] // `Bool`'s payload is only read through `Debug`
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Result<Json, String> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing data at byte {}", p.i));
        }
        Ok(v)
    }

    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap_or_else(|| panic!("no key {key:?}")),
            other => panic!("not an object looking up {key:?}: {other:?}"),
        }
    }

    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    fn array(&self) -> &[Json] {
        match self {
            Json::Arr(items) => items,
            other => panic!("not an array: {other:?}"),
        }
    }

    fn f64(&self) -> f64 {
        match self {
            Json::Num(x) => *x,
            other => panic!("not a number: {other:?}"),
        }
    }

    fn usize(&self) -> usize {
        let x = self.f64();
        assert!(x >= 0.0 && x.fract() == 0.0, "not an index: {x}");
        x as usize
    }

    fn f64s(&self) -> Vec<f64> {
        self.array().iter().map(Json::f64).collect()
    }

    fn usizes(&self) -> Vec<usize> {
        self.array().iter().map(Json::usize).collect()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at byte {}", byte as char, self.i))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.s.get(self.i).copied() {
            Some(b'{') => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(fields));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.eat(b':')?;
                    fields.push((key, self.value()?));
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(fields));
                        }
                        _ => return Err(format!("expected ',' or '}}' at byte {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(format!("expected ',' or ']' at byte {}", self.i)),
                    }
                }
            }
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Json::Bool(true))
            }
            Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Json::Bool(false))
            }
            Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Json::Null)
            }
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len() && matches!(self.s[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    self.i += 1;
                }
                let token = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                token.parse().map(Json::Num).map_err(|_| format!("bad number {token:?} at byte {start}"))
            }
            None => Err("unexpected end of input".into()),
        }
    }

    /// A string without escapes other than `\"` and `\\` (all reference.json needs).
    fn string(&mut self) -> Result<String, String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i).copied() {
                Some(b'"') => {
                    self.i += 1;
                    return String::from_utf8(out).map_err(|e| e.to_string());
                }
                Some(b'\\') => match self.s.get(self.i + 1).copied() {
                    Some(c @ (b'"' | b'\\' | b'/')) => {
                        out.push(c);
                        self.i += 2;
                    }
                    _ => return Err(format!("unsupported escape at byte {}", self.i)),
                },
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
                None => return Err("unterminated string".into()),
            }
        }
    }
}
