//! What facegate's fuzz targets check, in one place: the cargo-fuzz binaries in
//! `fuzz/fuzz_targets/` call [`run`], and `tests/fuzz_regressions.rs` includes this file and
//! replays every input of `tests/fuzz-corpus/<target>/` through the same function on stable
//! Rust. Each check feeds caller-controlled bytes to a public entry point and asserts that the
//! result is either a success that keeps facegate's invariants or one of the typed errors that
//! entry point documents; a panic, an abort or an unexpected error code is a finding.
//!
//! Only the crates facegate itself depends on are used here (so that the regression test builds
//! without any extra dependency).
#![allow(dead_code)]

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use facegate::export_layout as layout;
use facegate::limits::{HARD_MAX_REFERENCES, MAX_LABEL_CHARS, MAX_PURPOSE_CHARS, MAX_SUBJECT_NAME_CHARS};
use facegate::{
    ConsentRecord, DetectorConfig, Engine, EngineConfig, Error, Face, FaceChoice, FaceEngine, Gallery, GalleryConfig, Image, ImageInput, ImageLimits,
    KdfParams, Landmarks, ManualClock, ModelKind, Point, Purpose, Subject, Template, Timestamp,
};
use sha2::{Digest, Sha256};
use tract_onnx::prelude::Framework;

/// Every target, by the name of its cargo-fuzz binary and corpus folder.
pub const TARGETS: [&str; 5] = ["decode_detect", "import_file", "import_body", "consent", "model_load"];

/// The passphrase every fuzzed export is opened with.
pub const PASSPHRASE: &str = "fuzzing passphrase 0123";
/// The cheapest key-derivation parameters facegate accepts (a fuzzed import runs one derivation).
pub const FAST_KDF: KdfParams = KdfParams { memory_kib: 7 * 1024, iterations: 5, parallelism: 1 };
/// 2026-01-01T00:00:00Z: the clock of every fuzzed gallery.
pub const T0: i64 = 1_767_225_600_000;

/// Runs the check of `target` on `data`. Panics (a finding) when an invariant breaks.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "decode_detect" => decode_detect(data),
        "import_file" => import_file(data),
        "import_body" => import_body(data),
        "consent" => consent(data),
        "model_load" => model_load(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

// ------------------------------------------------------------------------------------------
// Shared set-up

fn models_dir() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [here.join("models"), here.join("../models")]
        .into_iter()
        .find(|p| p.join("face_detection_yunet_2023mar_int8bq.onnx").exists())
        .expect("the models/ folder of the facegate repository")
}

/// The two shipped model files.
pub fn model_bytes() -> &'static (Vec<u8>, Vec<u8>) {
    static MODELS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    MODELS.get_or_init(|| {
        let dir = models_dir();
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        (read("face_detection_yunet_2023mar_int8bq.onnx"), read("face_recognition_sface_2021dec_int8bq.onnx"))
    })
}

/// The image limits of the fuzzed engine: the defaults, but at most 4 megapixels so that each
/// input decodes and detects in milliseconds (the limit checks are the same code either way).
pub const FUZZ_LIMITS: ImageLimits =
    ImageLimits { max_encoded_bytes: 50 * 1024 * 1024, max_width: 16_384, max_height: 16_384, max_pixels: 4_000_000, max_jpeg_scans: 100 };

/// The real engine, with the smallest detector input (96 px) for speed.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let (d, r) = model_bytes();
        let config = EngineConfig { detector: DetectorConfig { input_size: 96, ..Default::default() }, limits: FUZZ_LIMITS, ..Default::default() };
        Engine::new(d, r, config).expect("the shipped models load")
    })
}

/// Reads structured values out of fuzz bytes; past the end it reads zeros.
pub struct Bytes<'a> {
    rest: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { rest: data }
    }

    pub fn u8(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((&b, tail)) => {
                self.rest = tail;
                b
            }
            None => 0,
        }
    }

    pub fn i64(&mut self) -> i64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        i64::from_le_bytes(b)
    }

    /// A string of up to 255 bytes (one length byte, then the bytes, lossily decoded as UTF-8);
    /// a length byte above 250 stands for a long string of 90 to 140 repeated characters, so that
    /// the length limits are reached.
    pub fn string(&mut self) -> String {
        let n = self.u8();
        if n > 250 {
            let c = char::from_u32(u32::from(self.u8()) + 0x20).unwrap_or('x');
            let len = 90 + usize::from(self.u8()) % 51 + usize::from(n - 251) * 40;
            return std::iter::repeat_n(c, len).collect();
        }
        let take = usize::from(n).min(self.rest.len());
        let (s, tail) = self.rest.split_at(take);
        self.rest = tail;
        String::from_utf8_lossy(s).into_owned()
    }
}

fn is_image_error(e: &Error) -> bool {
    matches!(
        e,
        Error::EmptyImage
            | Error::EncodedTooLarge { .. }
            | Error::UnsupportedFormat { .. }
            | Error::ImageTooLarge { .. }
            | Error::ImageTooComplex { .. }
            | Error::ImageHasNoPixels { .. }
            | Error::ImageDecode { .. }
    )
}

fn is_import_error(e: &Error) -> bool {
    matches!(
        e,
        Error::ExportNotRecognized
            | Error::ExportUnsupportedVersion { .. }
            | Error::ExportTruncated { .. }
            | Error::ExportTampered { .. }
            | Error::ExportWrongPassphrase
            | Error::ExportKdfOutOfRange { .. }
            | Error::ExportMalformed { .. }
            | Error::GalleryFull { .. }
    )
}

/// Every error must have a code and a message.
fn describe(e: &Error) {
    assert!(!e.code().is_empty());
    assert!(!e.to_string().is_empty());
}

// ------------------------------------------------------------------------------------------
// decode_detect: encoded image bytes -> Image -> faces -> aligned crop

/// Decodes `data` as an image file; a decoded image goes through detection and the first
/// face through alignment.
pub fn decode_detect(data: &[u8]) {
    let engine = engine();
    let image = match engine.decode(data) {
        Ok(image) => image,
        Err(e) => {
            describe(&e);
            assert!(is_image_error(&e), "decode: unexpected error {e:?}");
            return;
        }
    };
    let (w, h) = (image.width(), image.height());
    assert!(FUZZ_LIMITS.check_dimensions(w, h).is_ok(), "decoded {w}x{h} beyond the limits");
    assert_eq!(image.as_rgb().len() as u64, u64::from(w) * u64::from(h) * 3);
    let faces = engine.detect(&image).unwrap_or_else(|e| panic!("detect on a decoded {w}x{h} image failed: {e:?}"));
    assert!(faces.len() <= DetectorConfig::default().max_faces);
    for f in &faces {
        assert!(f.score.is_finite() && f.score > 0.0 && f.score <= 1.0, "score {}", f.score);
        let b = f.bbox;
        assert!(b.x >= 0.0 && b.y >= 0.0 && b.width > 0.0 && b.height > 0.0, "box {b:?}");
        assert!(b.x + b.width <= w as f32 + 0.01 && b.y + b.height <= h as f32 + 0.01, "box {b:?} outside {w}x{h}");
    }
    if let Some(face) = faces.first() {
        match engine.align(&image, face) {
            Ok(crop) => assert_eq!(crop.as_rgb().len(), 112 * 112 * 3),
            Err(e) => assert!(matches!(e, Error::FaceOutOfImage { .. }), "align: {e:?}"),
        }
    }
}

// ------------------------------------------------------------------------------------------
// import_file and import_body: the export importer

fn fuzz_gallery() -> Gallery {
    let config = GalleryConfig { max_references: HARD_MAX_REFERENCES, ..Default::default() };
    Gallery::with_clock(config, ManualClock::new(Timestamp::from_unix_ms(T0))).expect("valid config")
}

/// Imports `file` into an empty gallery. A refusal must leave the gallery untouched; a success
/// must hold only valid references, and export and re-import to the same listing.
fn import_and_check(file: &[u8], round_trip: bool) {
    let mut g = fuzz_gallery();
    match g.import(file, PASSPHRASE) {
        Err(e) => {
            describe(&e);
            assert!(is_import_error(&e), "import: unexpected error {e:?}");
            assert!(g.list().is_empty(), "a refused import added references");
            assert!(g.audit_log().is_empty(), "a refused import changed the audit log");
        }
        Ok(report) => {
            let listed = g.list();
            assert_eq!(listed.len(), report.added);
            assert!(listed.len() <= HARD_MAX_REFERENCES);
            for r in &listed {
                assert!(!r.label.trim().is_empty() && r.label.chars().count() <= MAX_LABEL_CHARS);
                assert!(!r.label.chars().any(char::is_control));
                assert!(r.consent.expires_at().is_none_or(|e| e > r.consent.given_at()));
                assert!(!r.consent.is_expired_at(Timestamp::from_unix_ms(T0)), "an expired reference was added");
                assert_eq!(r.template_bytes, 512);
            }
            // Results the API serialises must serialise.
            serde_json::to_string(&listed).expect("list serialises");
            serde_json::to_string(g.audit_log()).expect("audit log serialises");
            if round_trip {
                let again = g.export_with(PASSPHRASE, FAST_KDF).expect("an imported gallery exports");
                let mut h = fuzz_gallery();
                h.import(&again, PASSPHRASE).expect("a fresh export imports");
                assert_eq!(h.list(), listed, "export then import changed the references");
            }
        }
    }
}

/// Raw bytes given to `Gallery::import`: the header checks, then (rarely) the key derivation.
pub fn import_file(data: &[u8]) {
    import_and_check(data, false);
}

/// The key derived from [`PASSPHRASE`] with the fixed salt of [`seal`].
fn sealing_key() -> &'static [u8; 48] {
    static KEY: OnceLock<[u8; 48]> = OnceLock::new();
    KEY.get_or_init(|| {
        let params = argon2::Params::new(FAST_KDF.memory_kib, FAST_KDF.iterations, FAST_KDF.parallelism, Some(48)).expect("valid params");
        let mut out = [0u8; 48];
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(PASSPHRASE.as_bytes(), &SALT, &mut out)
            .expect("argon2");
        out
    })
}

const SALT: [u8; 16] = *b"facegate fuzzing";
const NONCE: [u8; 24] = *b"nonce of the fuzz target";

/// A version-1 export file (docs/export-format.md) whose plaintext body is `body`, encrypted
/// under [`PASSPHRASE`] with [`FAST_KDF`], a fixed salt and a fixed nonce (fine for tests only).
pub fn seal(body: &[u8]) -> Vec<u8> {
    let key = sealing_key();
    let mut header = [0u8; layout::HEADER_LEN];
    header[layout::MAGIC].copy_from_slice(b"FACEGATE");
    header[layout::VERSION].copy_from_slice(&1u16.to_le_bytes());
    header[layout::MEMORY_KIB].copy_from_slice(&FAST_KDF.memory_kib.to_le_bytes());
    header[layout::ITERATIONS].copy_from_slice(&FAST_KDF.iterations.to_le_bytes());
    header[layout::PARALLELISM].copy_from_slice(&FAST_KDF.parallelism.to_le_bytes());
    header[layout::SALT].copy_from_slice(&SALT);
    header[layout::NONCE].copy_from_slice(&NONCE);
    header[layout::KEY_CHECK].copy_from_slice(&key[32..48]);
    header[layout::CIPHERTEXT_LEN].copy_from_slice(&((body.len() + layout::TAG_LEN) as u32).to_le_bytes());
    let sum = Sha256::digest(&header[layout::CHECKED]);
    header[layout::CHECKSUM].copy_from_slice(&sum[..16]);
    let mut file = header.to_vec();
    file.extend_from_slice(body);
    let tag = XChaCha20Poly1305::new(Key::from_slice(&key[..32]))
        .encrypt_in_place_detached(XNonce::from_slice(&NONCE), &header, &mut file[layout::HEADER_LEN..])
        .expect("encrypt");
    file.extend_from_slice(&tag);
    file
}

/// `data` is an export's plaintext body: sealed into a valid file, so every fuzzed byte reaches
/// the body decoder (references, consent records, templates, audit events).
pub fn import_body(data: &[u8]) {
    import_and_check(&seal(data), true);
}

// ------------------------------------------------------------------------------------------
// consent: ConsentRecord::new, then enrolment under it

/// A face engine that finds one face in any image and returns a fixed template: enrolment
/// without the models, for the consent target.
pub struct OneFace;

impl FaceEngine for OneFace {
    fn decode(&self, _bytes: &[u8]) -> facegate::Result<Image> {
        Image::from_rgba(&[128; 4], 1, 1, &ImageLimits::default())
    }
    fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> facegate::Result<Image> {
        Image::from_rgba(pixels, width, height, &ImageLimits::default())
    }
    fn detect(&self, _image: &Image) -> facegate::Result<Vec<Face>> {
        let p = Point::new(0.5, 0.5);
        Ok(vec![Face {
            bbox: facegate::BoundingBox { x: 0.0, y: 0.0, width: 1.0, height: 1.0 },
            score: 0.9,
            landmarks: Landmarks::from_array([p; 5]),
            rotation: Default::default(),
        }])
    }
    fn template(&self, _image: &Image, _face: &Face) -> facegate::Result<Template> {
        Ok(Template::from_embedding(&[0.5; 128]).expect("a valid embedding"))
    }
    fn explain_face(&self, _image: &Image, _face: &Face) -> facegate::Result<facegate::pipeline::FaceSteps> {
        Err(Error::TeachingDisabled)
    }
}

/// Why a user text breaks the rules, independently of facegate's own check: not blank, not too
/// long, no control character, and no invisible format character (Unicode Cf: bidi controls,
/// zero-width characters, tags...). Joiners (U+200C, U+200D) are allowed in some contexts
/// (emoji sequences, Arabic and Indic letters): texts holding one are not judged here.
fn text_ok(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control) && !s.chars().any(is_format_not_joiner)
}

fn is_format_not_joiner(c: char) -> bool {
    matches!(u32::from(c), 0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E | 0x200B | 0x200E..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Whether a text holds a joiner, whose acceptance depends on its neighbours.
fn has_joiner(s: &str) -> bool {
    s.contains('\u{200C}') || s.contains('\u{200D}')
}

/// A consent record from fuzzed fields (subject, name, purpose, description, text shown,
/// expiry, clock), checked against an independent statement of the rules; a valid record is
/// then used to enrol (with a fuzzed label), listed, withdrawn, and enrolled again after its
/// expiry.
pub fn consent(data: &[u8]) {
    let mut b = Bytes::new(data);
    let subject_kind = b.u8() % 2;
    let name = b.string();
    let purpose_kind = b.u8() % 3;
    let description = b.string();
    let text = b.string();
    let expiry = if b.u8() % 2 == 1 { Some(Timestamp::from_unix_ms(b.i64())) } else { None };
    let now = match b.u8() % 4 {
        0 => Timestamp::from_unix_ms(T0),
        1 => Timestamp::from_unix_ms(b.i64()),
        2 => Timestamp::from_unix_ms(i64::MAX),
        _ => Timestamp::from_unix_ms(i64::MIN),
    };
    let label = b.string();

    let subject = if subject_kind == 0 { Subject::SelfPerson } else { Subject::OtherPersonConsented { name: name.clone() } };
    let purpose = match purpose_kind {
        0 => Purpose::VerifyItIsMe,
        1 => Purpose::CompareWithConsentingPerson,
        _ => Purpose::Other { description: description.clone() },
    };
    let clock = ManualClock::new(now);
    let result = ConsentRecord::new(subject.clone(), purpose.clone(), &text, expiry, &clock);

    // The rules, stated independently: which field (if any) must be refused.
    let expected_field = if text.trim().is_empty() {
        Some("textShown")
    } else if subject_kind == 1 && !text_ok(&name, MAX_SUBJECT_NAME_CHARS) {
        Some("subject")
    } else if (purpose_kind == 2 && !text_ok(&description, MAX_PURPOSE_CHARS))
        || (purpose_kind == 0 && subject_kind == 1)
        || (purpose_kind == 1 && subject_kind == 0)
    {
        // An unreadable description, or a purpose that does not fit the subject.
        Some("purpose")
    } else if expiry.is_some_and(|e| e <= now) {
        Some("expiresAt")
    } else {
        None
    };
    if (subject_kind == 1 && has_joiner(&name)) || (purpose_kind == 2 && has_joiner(&description)) {
        return; // not judged here (see `text_ok`)
    }
    let record = match (result, expected_field) {
        (Err(Error::ConsentInvalid { field, .. } | Error::FormatCharacter { field, .. }), Some(expected)) => {
            assert_eq!(field, expected, "refused on the wrong field");
            return;
        }
        (Err(e), expected) => panic!("ConsentRecord::new: {e:?}, expected refusal on {expected:?}"),
        (Ok(_), Some(expected)) => {
            panic!("ConsentRecord::new accepted a record that breaks `{expected}`")
        }
        (Ok(record), None) => record,
    };
    assert_eq!(record.subject(), &subject);
    assert_eq!(record.purpose(), &purpose);
    assert_eq!(record.given_at(), now);
    assert_eq!(record.expires_at(), expiry);
    assert_eq!(record.text_sha256(), &<[u8; 32]>::from(Sha256::digest(text.as_bytes())));
    assert!(!record.is_expired_at(now));
    serde_json::to_string(&record).expect("a consent record serialises");

    let mut g = Gallery::with_clock(GalleryConfig::default(), clock.clone()).expect("valid config");
    match g.enroll(&OneFace, ImageInput::Encoded(b"any"), FaceChoice::Auto, &label, Some(record.clone())) {
        Ok(id) => {
            assert!(text_ok(&label, MAX_LABEL_CHARS) || has_joiner(&label), "an invalid label was accepted: {label:?}");
            let listed = g.list();
            assert_eq!(listed.len(), 1);
            assert_eq!(listed[0].consent, record);
            serde_json::to_string(&listed).expect("list serialises");
            serde_json::to_string(g.audit_log()).expect("audit log serialises");
            g.withdraw(id).expect("withdraw");
            assert!(g.list().is_empty());
        }
        Err(Error::InvalidLabel { .. } | Error::FormatCharacter { field: "label", .. }) => {
            assert!(!text_ok(&label, MAX_LABEL_CHARS) || has_joiner(&label), "a valid label was refused: {label:?}")
        }
        Err(e) => panic!("enroll under a valid consent: {e:?}"),
    }
    // After its expiry the same record is refused before anything is processed.
    if let Some(e) = expiry {
        clock.set(e);
        let r = g.enroll(&OneFace, ImageInput::Encoded(b"any"), FaceChoice::Auto, "later", Some(record));
        assert!(matches!(r, Err(Error::ConsentExpired { .. })), "{r:?}");
    }
}

// ------------------------------------------------------------------------------------------
// model_load: model bytes

/// `data` as model bytes: the engine refuses them at the integrity check (only the two shipped
/// files pass it); behind that check, the ONNX protobuf reader and facegate's dequantize fold
/// must still not panic on them.
pub fn model_load(data: &[u8]) {
    let (detector, recognizer) = model_bytes();
    if data != detector.as_slice() {
        let e = Engine::new(data, recognizer, EngineConfig::default()).expect_err("foreign detector bytes");
        assert!(matches!(e, Error::ModelIntegrity { model: ModelKind::Detector, .. }), "{e:?}");
    }
    if data != recognizer.as_slice() {
        let e = facegate::pipeline::verify_model(ModelKind::Recognizer, data).expect_err("foreign recognizer bytes");
        assert!(matches!(e, Error::ModelIntegrity { model: ModelKind::Recognizer, .. }), "{e:?}");
    }
    let onnx = tract_onnx::onnx();
    if let Ok(mut proto) = onnx.proto_model_for_read(&mut Cursor::new(data)) {
        let _ = facegate::pipeline::fold_constant_dequantize(&mut proto);
    }
}
