//! Replays the fuzzing corpora on stable Rust, without cargo-fuzz: every file under
//! `tests/fuzz-corpus/<target>/` (small seeds, and every input that ever crashed a target, named
//! `crash-*`) goes through the same check the fuzz target runs (`fuzz/src/lib.rs`, included
//! here), so a fixed finding stays fixed. docs/hostile-inputs.md records the fuzzing runs.
//!
//! `FACEGATE_FUZZ_FULL=1 cargo test --release --test fuzz_regressions` also replays the whole
//! working corpora a fuzzing run left in `fuzz/corpus/<target>/` (not committed).
//!
//! The seeds are regenerated with
//! `cargo test --release --test fuzz_regressions -- --ignored write_seed_corpus`.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use facegate::{ConsentRecord, FaceChoice, Gallery, GalleryConfig, ImageInput, ManualClock, Purpose, Subject, Timestamp};
use image::{DynamicImage, ImageFormat};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Runs every input of `target`'s committed corpus (and, with FACEGATE_FUZZ_FULL=1, its
/// working corpus) through the target's check; reports every failing file at once.
fn replay(target: &str) {
    let committed = files_in(&root().join("tests/fuzz-corpus").join(target));
    assert!(!committed.is_empty(), "tests/fuzz-corpus/{target}/ is empty");
    let mut inputs = committed;
    if std::env::var_os("FACEGATE_FUZZ_FULL").is_some() {
        inputs.extend(files_in(&root().join("fuzz/corpus").join(target)));
        inputs.extend(files_in(&root().join("fuzz/artifacts").join(target)));
    }
    let mut failures = Vec::new();
    for (path, data) in &inputs {
        if catch_unwind(AssertUnwindSafe(|| harness::run(target, data))).is_err() {
            failures.push(path.display().to_string());
        }
    }
    println!("{target}: {} inputs replayed", inputs.len());
    assert!(failures.is_empty(), "{target}: {} inputs fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn decode_detect_corpus() {
    replay("decode_detect");
}

#[test]
fn import_file_corpus() {
    replay("import_file");
}

#[test]
fn import_body_corpus() {
    replay("import_body");
}

#[test]
fn consent_corpus() {
    replay("consent");
}

#[test]
fn model_load_corpus() {
    replay("model_load");
}

#[test]
fn every_target_has_a_corpus() {
    for target in harness::TARGETS {
        assert!(root().join("tests/fuzz-corpus").join(target).is_dir(), "{target}");
    }
}

// ------------------------------------------------------------------------------------------
// The seeds (run by hand: `-- --ignored write_seed_corpus`)

fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn gradient(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 90]))
}

fn image_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let rgb = || DynamicImage::ImageRgb8(gradient(12, 9));
    let face = std::fs::read(root().join("tests/fixtures/person_a_1.jpg")).unwrap();
    let small_face = encode(image::load_from_memory(&face).unwrap().thumbnail(64, 76), ImageFormat::Jpeg);
    let mut gif_frames = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut gif_frames);
        for k in 0..2u8 {
            let frame = image::RgbaImage::from_pixel(6, 4, image::Rgba([k * 100, 50, 50, 255]));
            enc.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    vec![
        ("png-rgb", encode(rgb(), ImageFormat::Png)),
        ("png-grey", encode(DynamicImage::ImageLuma8(image::GrayImage::from_pixel(5, 3, image::Luma([77]))), ImageFormat::Png)),
        ("png-rgba", encode(DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(4, 4, image::Rgba([1, 2, 3, 100]))), ImageFormat::Png)),
        ("png-16bit", encode(DynamicImage::ImageRgb16(image::ImageBuffer::from_pixel(3, 3, image::Rgb([60000u16, 3, 9]))), ImageFormat::Png)),
        ("jpeg-gradient", encode(rgb(), ImageFormat::Jpeg)),
        ("jpeg-face-64", small_face.clone()),
        ("jpeg-truncated", small_face[..small_face.len() / 2].to_vec()),
        ("gif-animated", gif_frames),
        ("bmp", encode(rgb(), ImageFormat::Bmp)),
        ("webp-lossless", encode(rgb(), ImageFormat::WebP)),
        ("tiff-magic", b"II*\0\x08\0\0\0".to_vec()),
        ("heic-magic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec()),
        ("svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>".to_vec()),
    ]
}

/// A little-endian export body writer, straight from docs/export-format.md section 5.
#[derive(Default)]
struct Body(Vec<u8>);

impl Body {
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn i64(&mut self, v: i64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    /// One reference: subject 0 (self) or 1 (named), purpose 0/1/2, optional expiry.
    fn reference(&mut self, id: u64, label: &str, subject: Option<&str>, purpose: u8, expiry: Option<i64>) -> &mut Self {
        self.u64(id).str(label).i64(harness::T0 - 1000);
        match subject {
            None => self.u8(0),
            Some(name) => self.u8(1).str(name),
        };
        self.u8(purpose);
        if purpose == 2 {
            self.str("open the door");
        }
        self.i64(harness::T0 - 1000);
        self.0.extend_from_slice(&[0xAB; 32]);
        match expiry {
            None => self.u8(0),
            Some(t) => self.u8(1).i64(t),
        };
        let v = 1.0f32 / (128f32).sqrt();
        for k in 0..128 {
            self.0.extend_from_slice(&(if k % 2 == 0 { v } else { -v }).to_le_bytes());
        }
        self
    }
}

fn body_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let empty = vec![0u8; 8];
    let mut one = Body::default();
    one.u32(1).reference(1, "me", None, 0, None).u32(0);
    let mut full = Body::default();
    full.u32(3)
        .reference(1, "me", None, 0, None)
        .reference(2, "Ana", Some("Ana"), 1, Some(harness::T0 + 86_400_000))
        .reference(3, "door", None, 2, None)
        .u32(8);
    for (k, kind) in (0u8..8).enumerate() {
        full.i64(harness::T0 - 900 + k as i64).u8(kind);
        match kind {
            0 | 1 | 3 | 4 => {
                full.u64(1);
            }
            2 => {
                full.u64(1).u8(1).u8(1).u8(0);
            }
            6 => {
                full.u32(2).u32(1);
            }
            _ => {
                full.u32(3);
            }
        }
    }
    let mut expired = Body::default();
    expired.u32(1).reference(9, "old", Some("Bo"), 1, Some(harness::T0 - 1)).u32(0);
    vec![("body-empty", empty), ("body-one", one.0), ("body-full", full.0), ("body-expired", expired.0)]
}

fn file_seeds() -> Vec<(&'static str, Vec<u8>)> {
    // A real export, written by facegate itself, of a gallery with two references.
    let clock = ManualClock::new(Timestamp::from_unix_ms(harness::T0));
    let mut g = Gallery::with_clock(GalleryConfig::default(), clock.clone()).unwrap();
    let consent = ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "I agree", None, &clock).unwrap();
    g.enroll(&harness::OneFace, ImageInput::Encoded(b"x"), FaceChoice::Auto, "me", Some(consent)).unwrap();
    let other = Subject::OtherPersonConsented { name: "Ana".into() };
    let consent = ConsentRecord::new(other, Purpose::CompareWithConsentingPerson, "Ana agreed", Some(Timestamp::from_unix_ms(harness::T0 + 1000)), &clock);
    g.enroll(&harness::OneFace, ImageInput::Encoded(b"x"), FaceChoice::Auto, "Ana", Some(consent.unwrap())).unwrap();
    let real = g.export_with(harness::PASSPHRASE, harness::FAST_KDF).unwrap();
    let sealed = harness::seal(&body_seeds()[2].1);
    vec![("export-real", real.clone()), ("export-sealed", sealed), ("export-header-only", real[..98].to_vec()), ("export-magic-only", b"FACEGATE".to_vec())]
}

/// A consent-target input: subject, name, purpose, description, text, expiry, clock, label.
#[expect(clippy::too_many_arguments, reason = "one argument per field of the fuzz input, in its byte order")]
fn consent_input(subject: u8, name: &str, purpose: u8, description: &str, text: &str, expiry: Option<i64>, clock: u8, label: &str) -> Vec<u8> {
    let mut v = vec![subject, name.len() as u8];
    v.extend_from_slice(name.as_bytes());
    v.push(purpose);
    v.push(description.len() as u8);
    v.extend_from_slice(description.as_bytes());
    v.push(text.len() as u8);
    v.extend_from_slice(text.as_bytes());
    match expiry {
        None => v.push(0),
        Some(t) => {
            v.push(1);
            v.extend_from_slice(&t.to_le_bytes());
        }
    }
    v.push(clock);
    v.push(label.len() as u8);
    v.extend_from_slice(label.as_bytes());
    v
}

fn consent_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let t = harness::T0;
    vec![
        ("self-verify", consent_input(0, "", 0, "", "I agree", None, 0, "me")),
        ("other-compare-expiring", consent_input(1, "Ana", 1, "", "Ana agreed", Some(t + 1000), 0, "Ana")),
        ("other-purpose", consent_input(0, "", 2, "open my door", "I agree", None, 0, "door")),
        ("mismatched-purpose", consent_input(1, "Ana", 0, "", "ok", None, 0, "x")),
        ("expiry-in-past", consent_input(0, "", 0, "", "ok", Some(t - 1), 0, "x")),
        ("control-chars", consent_input(1, "A\nna", 1, "", "ok", None, 0, "l\u{7}")),
        ("empty-text", consent_input(0, "", 0, "", "   ", None, 0, "x")),
        ("long-name", {
            let mut v = vec![1, 255, b'a', 50];
            v.extend(consent_input(1, "", 1, "", "ok", None, 0, "x").into_iter().skip(2));
            v
        }),
        ("clock-extremes", consent_input(0, "", 0, "", "ok", Some(i64::MAX), 2, "x")),
    ]
}

// A protobuf writer, enough for small ONNX models (field numbers from onnx.proto).
fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}
fn pb_int(field: u64, v: i64, out: &mut Vec<u8>) {
    varint(field << 3, out);
    varint(v as u64, out);
}
fn pb_bytes(field: u64, bytes: &[u8], out: &mut Vec<u8>) {
    varint((field << 3) | 2, out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}
/// TensorProto: dims (1), data_type (2), name (8), raw_data (9).
fn tensor(name: &str, dims: &[i64], data_type: i64, raw: &[u8]) -> Vec<u8> {
    let mut t = Vec::new();
    for &d in dims {
        pb_int(1, d, &mut t);
    }
    pb_int(2, data_type, &mut t);
    pb_bytes(8, name.as_bytes(), &mut t);
    pb_bytes(9, raw, &mut t);
    t
}
/// A model whose graph is DequantizeLinear(x, s, z) -> Relu -> y, all inputs initializers.
fn dq_model(x: Vec<u8>, s: Vec<u8>, z: Option<Vec<u8>>, attrs: &[(&str, i64)]) -> Vec<u8> {
    let mut dq = Vec::new();
    for i in ["x", "s"].iter().chain(if z.is_some() { ["z"].iter() } else { [].iter() }) {
        pb_bytes(1, i.as_bytes(), &mut dq);
    }
    pb_bytes(2, b"w", &mut dq);
    pb_bytes(3, b"dq", &mut dq);
    pb_bytes(4, b"DequantizeLinear", &mut dq);
    for (name, v) in attrs {
        let mut a = Vec::new();
        pb_bytes(1, name.as_bytes(), &mut a);
        pb_int(3, *v, &mut a);
        pb_int(20, 2, &mut a); // AttributeType::INT
        pb_bytes(5, &a, &mut dq);
    }
    let mut relu = Vec::new();
    pb_bytes(1, b"w", &mut relu);
    pb_bytes(2, b"y", &mut relu);
    pb_bytes(4, b"Relu", &mut relu);
    let mut graph = Vec::new();
    pb_bytes(1, &dq, &mut graph);
    pb_bytes(1, &relu, &mut graph);
    pb_bytes(2, b"g", &mut graph);
    for t in [Some(x), Some(s), z].into_iter().flatten() {
        pb_bytes(5, &t, &mut graph);
    }
    let mut out_info = Vec::new();
    pb_bytes(1, b"y", &mut out_info);
    pb_bytes(12, &out_info, &mut graph);
    let mut model = Vec::new();
    pb_int(1, 8, &mut model); // ir_version
    let mut opset = Vec::new();
    pb_int(2, 21, &mut opset);
    pb_bytes(8, &opset, &mut model);
    pb_bytes(7, &graph, &mut model);
    model
}

fn model_seeds() -> Vec<(&'static str, Vec<u8>)> {
    const FLOAT: i64 = 1;
    const UINT8: i64 = 2;
    const INT8: i64 = 3;
    const INT32: i64 = 6;
    let f32s = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let i32s = |v: &[i32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let detector = std::fs::read(root().join("models/face_detection_yunet_2023mar_int8bq.onnx")).unwrap();
    vec![
        (
            "dq-blocked",
            dq_model(
                tensor("x", &[2, 4], INT8, &[1, 2, 3, 4, 5, 6, 7, 8]),
                tensor("s", &[2, 2], FLOAT, &f32s(&[1.0, 10.0, 2.0, 20.0])),
                Some(tensor("z", &[2, 2], INT8, &[0, 1, 0, 0xff])),
                &[("axis", 1), ("block_size", 2)],
            ),
        ),
        (
            "dq-per-axis",
            dq_model(
                tensor("x", &[2, 2], UINT8, &[1, 2, 3, 4]),
                tensor("s", &[2], FLOAT, &f32s(&[1.0, 0.5])),
                Some(tensor("z", &[2], UINT8, &[1, 0])),
                &[("axis", 0)],
            ),
        ),
        (
            "dq-int32-per-tensor",
            dq_model(tensor("x", &[3], INT32, &i32s(&[-7, 0, 7])), tensor("s", &[], FLOAT, &f32s(&[2.0])), Some(tensor("z", &[], INT32, &i32s(&[1]))), &[]),
        ),
        ("dq-no-zero-point", dq_model(tensor("x", &[2], INT8, &[3, 4]), tensor("s", &[], FLOAT, &f32s(&[0.5])), None, &[("axis", -1)])),
        ("yunet-first-4k", detector[..4096].to_vec()),
    ]
}

/// Inputs that made a target fail once (fixed since), by target: written as `crash-<name>`.
fn crash_inputs() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    const FLOAT: i64 = 1;
    const INT8: i64 = 3;
    const INT32: i64 = 6;
    let f32s = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let i32s = |v: &[i32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    vec![
        // `(q - zero_point)` in i32 overflowed (a panic with overflow checks, a wrong weight without).
        (
            "model_load",
            "int32-min-minus-zero-point",
            dq_model(
                tensor("x", &[3], INT32, &i32s(&[i32::MIN, 0, 7])),
                tensor("s", &[], FLOAT, &f32s(&[2.0])),
                Some(tensor("z", &[], INT32, &i32s(&[1]))),
                &[],
            ),
        ),
        // A zero dimension beside two of 2^40: the element count is 0, the product of the others
        // overflowed.
        (
            "model_load",
            "zero-dim-beside-huge-dims",
            dq_model(
                tensor("x", &[0, 1 << 40, 1 << 40], INT8, &[]),
                tensor("s", &[2], FLOAT, &f32s(&[1.0, 2.0])),
                Some(tensor("z", &[2], INT8, &[0, 0])),
                &[("axis", 0), ("block_size", 3)],
            ),
        ),
    ]
}

#[test]
#[ignore = "writes tests/fuzz-corpus/: run by hand to regenerate the seeds"]
fn write_seed_corpus() {
    let sets = [
        ("decode_detect", image_seeds()),
        ("import_body", body_seeds()),
        ("import_file", file_seeds()),
        ("consent", consent_seeds()),
        ("model_load", model_seeds()),
    ];
    for (target, seeds) in sets {
        let dir = root().join("tests/fuzz-corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in seeds {
            std::fs::write(dir.join(format!("seed-{name}")), &bytes).unwrap();
            // Every seed must pass its own target's check.
            harness::run(target, &bytes);
        }
    }
    for (target, name, bytes) in crash_inputs() {
        std::fs::write(root().join("tests/fuzz-corpus").join(target).join(format!("crash-{name}")), &bytes).unwrap();
        harness::run(target, &bytes);
    }
}
