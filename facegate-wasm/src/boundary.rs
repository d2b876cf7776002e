//! The wasm boundary: every `#[wasm_bindgen]` item of facegate lives in this file.
//!
//! Long-lived state crosses as one opaque handle, [`FaceGateCore`], owning the engine and the
//! gallery. Images come in as bytes (RGBA pixels or an encoded file); small plain results go out
//! as JS objects (camelCase, via `serde-wasm-bindgen`). Every method returns
//! `Result<_, JsError>`; the thrown `Error` carries a stable `code` (see [`facegate::Error::code`]).
//! Templates never cross: not in results, not in errors. The teaching view (`explain`, off
//! unless the options turn it on) returns a picture of a template (one signed byte per value)
//! and five printed values, and keeps the template itself inside, under a handle.
//!
//! One user action decodes and detects once: `detect(image, { keep: true })` keeps the decoded
//! image and its faces under a short-lived `detection` handle ([`HeldDetections`](facegate::pipeline::HeldDetections)), and the
//! call that follows (`enroll`, `verify`, `identify`, `explain`) takes `{ detection }` instead of
//! an image, so that its face index refers to exactly the faces the user saw.

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::dto::{
    CompareExplainedArgs, ConsentArg, CoreOptions, CosineStepsDto, DetectArgs, Detection, EnrollArgs, EraseArgs, ExpiryReport, ExplainArgs, ExplainResult,
    FaceArg, IdentifyArgs, IdentifyResult, ImageArg, MatchResult, PassphraseArg, PixelSize, ProbedImage, SubjectArg, TeachingOptions, TransformDto, VerifyArgs,
};
use facegate::pipeline::{FaceSteps, HeldDetection, HeldDetections};
use facegate::{
    ConsentRecord, DetectionId, Engine, EraseOptions, Error, ExplanationId, Face, FaceEngine, Gallery, GalleryConfig, Image, ImageInput, ReferenceId, Template,
    Timestamp, TEMPLATE_LEN,
};

/// Installs the panic hook once, when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// facegate's engine and gallery behind one handle. Free it with `free()` (the JS wrapper's
/// `dispose()` does): its templates are wiped as it is dropped.
#[wasm_bindgen]
pub struct FaceGateCore {
    engine: Engine,
    gallery: Gallery,
    /// Detections kept for the call that follows (`detect` with `keep: true`).
    held: HeldDetections,
    /// Detector passes this core ran (`detect`, and each image decoded by a later call).
    detections_run: Cell<u32>,
}

#[wasm_bindgen]
impl FaceGateCore {
    /// Builds the engine from the two model files' bytes (each checked against its SHA-256,
    /// unless `modelsVerified` says the caller did) and `options` (`{ detector: { inputSize,
    /// quickInputSize, quickMinFace, scoreThreshold, nmsIou, maxFaces }, gallery: {
    /// maxReferences, operatingPoint }, threads, modelsVerified, teaching: true | {
    /// maxExplanations, holdMs }, resume: { auditLog, explanationsUsed } }`, all optional; the
    /// teaching view is off unless `teaching` turns it on).
    #[wasm_bindgen(constructor)]
    pub fn new(detector: &[u8], recognizer: &[u8], options: JsValue) -> Result<FaceGateCore, JsError> {
        let mut options: CoreOptions = from_js_or_default(options, "options")?;
        let defaults = GalleryConfig::default();
        let gallery_config = GalleryConfig {
            max_references: options.gallery.max_references.unwrap_or(defaults.max_references),
            operating_point: options.gallery.operating_point.unwrap_or(defaults.operating_point),
            teaching: TeachingOptions::config(&options.teaching),
        };
        let mut gallery = Gallery::new(gallery_config).map_err(|e| js_error(&e))?;
        if let Some(history) = options.resume.take() {
            gallery.resume(history);
        }
        let engine = if options.models_verified {
            Engine::new_verified(detector, recognizer, options.engine_config())
        } else {
            Engine::new(detector, recognizer, options.engine_config())
        }
        .map_err(|e| js_error(&e))?;
        Ok(FaceGateCore { engine, gallery, held: HeldDetections::default(), detections_run: Cell::new(0) })
    }

    /// Plans the next network the constructor left for later ([`facegate::WarmUpStep`]: the
    /// detector's quick look, its close look, the recognizer, the detector's full size); `false` once all are
    /// planned. The worker calls it after reporting ready, one step per event-loop turn, so
    /// that a message that arrives meanwhile waits for one step at most.
    #[wasm_bindgen(js_name = warmUpNext)]
    pub fn warm_up_next(&self) -> Result<bool, JsError> {
        self.engine.warm_up_next().map(|step| step.is_some()).map_err(|e| js_error(&e))
    }

    /// How many threads the networks run on.
    #[wasm_bindgen(getter)]
    pub fn threads(&self) -> usize {
        self.engine.threads()
    }

    /// Every face in `image` (`{ rgba, width, height }` or `{ encoded }`):
    /// `{ width, height, faces: [{ bbox, score, landmarks }], detector: { inputSize, inputWidth,
    /// inputHeight, runs, withBorder } }`, largest first. With `options` `{ keep: true }`, the
    /// decoded image and these faces are kept for the next call under `detection` (a handle,
    /// returned with `keptUntil`, ms since the epoch): pass `{ detection }` as that call's image.
    /// A kept detection is wiped when used (whatever the outcome), replaced (at most
    /// [`facegate::limits::MAX_HELD_DETECTIONS`] are kept), erased (`eraseAll`) or after
    /// [`facegate::limits::DETECTION_HOLD_MS`] (60 s); then its handle gives `unknownDetection`.
    pub fn detect(&mut self, image: JsValue, options: JsValue) -> Result<JsValue, JsError> {
        let args: DetectArgs = from_js_or_default(options, "detect options")?;
        let image = self.image(image)?;
        self.count_detection();
        let found = self.engine.detections(&image).map_err(|e| js_error(&e))?;
        let detector = crate::dto::DetectorRun::from(&found);
        let (width, height) = (image.width(), image.height());
        let faces = found.faces;
        let (detection, kept_until) = if args.keep {
            let now = self.gallery.clock().now().as_unix_ms();
            let (id, until) = self.held.keep(HeldDetection { image, faces: faces.clone() }, now).map_err(|e| js_error(&e))?;
            (Some(id.to_string()), Some(until as f64))
        } else {
            (None, None)
        };
        to_js(&Detection { width, height, faces, detector, detection, kept_until })
    }

    /// How many times this core has run the face detector (`detect`, and every call given an
    /// image rather than a kept `detection`): a count for tests and benchmarks.
    #[wasm_bindgen(getter, js_name = detectionsRun)]
    pub fn detections_run(&self) -> u32 {
        self.detections_run.get()
    }

    /// Enrols a reference from `image` under `options` (`{ consent, label, face? }`):
    /// `{ referenceId }`. Without `consent`: error `consentRequired`, and the image is not even
    /// decoded.
    pub fn enroll(&mut self, image: JsValue, options: JsValue) -> Result<JsValue, JsError> {
        // The image first: a kept detection is taken out before the options can be refused, so
        // that it is wiped whatever the outcome (see `source`).
        let arg: ImageArg = from_js(image, "image")?;
        let source = self.source(&arg)?;
        let mut args: EnrollArgs = from_js(options, "enroll options")?;
        let consent = match args.consent.take() {
            Some(c) => Some(self.consent(c)?),
            None => None,
        };
        let engine = Counting { engine: &self.engine, runs: &self.detections_run };
        let id = self.gallery.enroll(&engine, source.input()?, FaceArg::choice(args.face.take()), &args.label, consent).map_err(|e| js_error(&e))?;
        to_js(&serde_json_like_id(id))
    }

    /// 1:1 comparison of the face in `image` with reference `options.referenceId`.
    pub fn verify(&mut self, image: JsValue, options: JsValue) -> Result<JsValue, JsError> {
        let arg: ImageArg = from_js(image, "image")?;
        let source = self.source(&arg)?;
        let args: VerifyArgs = from_js(options, "verify options")?;
        let id: ReferenceId = args.reference_id.parse().map_err(|e| js_error(&e))?;
        let engine = Counting { engine: &self.engine, runs: &self.detections_run };
        let m = self.gallery.verify(&engine, source.input()?, FaceArg::choice(args.face), id).map_err(|e| js_error(&e))?;
        to_js(&MatchResult::new(&m, self.gallery.config().operating_point))
    }

    /// The best match for the face in `image` among this gallery's references only.
    pub fn identify(&mut self, image: JsValue, options: JsValue) -> Result<JsValue, JsError> {
        let arg: ImageArg = from_js(image, "image")?;
        let source = self.source(&arg)?;
        let args: IdentifyArgs = from_js_or_default(options, "identify options")?;
        let engine = Counting { engine: &self.engine, runs: &self.detections_run };
        let found = self.gallery.identify(&engine, source.input()?, FaceArg::choice(args.face)).map_err(|e| js_error(&e))?;
        let point = self.gallery.config().operating_point;
        to_js(&IdentifyResult {
            best: found.best.as_ref().map(|m| MatchResult::new(m, point)),
            candidates: found.candidates.iter().map(|m| MatchResult::new(m, point)).collect(),
        })
    }

    /// The teaching view of one face of `image` (`options`: `{ consent, face? }`):
    /// `{ explanation, width, height, faces, chosen, transform, alignedRgba, strip, printed,
    /// templateLength, templateBytes, heldUntil, explanationsLeft }`. Needs consent (else
    /// `consentRequired`, nothing decoded), the teaching view on (`teachingDisabled`) and the
    /// session's cap not reached (`explanationCapReached`); logs an `explained` event. The
    /// template stays here under the `explanation` handle; only its picture (`strip`, 128
    /// signed bytes) and five printed values cross.
    pub fn explain(&mut self, image: JsValue, options: JsValue) -> Result<JsValue, JsError> {
        let arg: ImageArg = from_js(image, "image")?;
        let source = self.source(&arg)?;
        let args: ExplainArgs = from_js(options, "explain options")?;
        let consent = match args.consent {
            Some(c) => Some(self.consent(c)?),
            None => None,
        };
        let engine = Counting { engine: &self.engine, runs: &self.detections_run };
        let e = self.gallery.explain(&engine, source.input()?, FaceArg::choice(args.face), consent).map_err(|e| js_error(&e))?;
        let rgb = e.aligned.as_rgb();
        let mut rgba = Vec::with_capacity(rgb.len() / 3 * 4);
        for px in rgb.chunks_exact(3) {
            rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        let result = ExplainResult {
            explanation: e.id.to_string(),
            width: e.width,
            height: e.height,
            chosen: e.chosen,
            transform: TransformDto { a: e.transform.a, b: e.transform.b, tx: e.transform.tx, ty: e.transform.ty },
            aligned_rgba: serde_bytes::ByteBuf::from(rgba),
            strip: e.strip.0.to_vec(),
            printed: e.printed.to_vec(),
            template_length: TEMPLATE_LEN,
            template_bytes: Template::byte_len(),
            held_until: e.held_until.as_unix_ms() as f64,
            explanations_left: e.explanations_left,
            faces: e.faces.clone(),
        };
        to_js(&result)
    }

    /// The cosine of two explained faces step by step (`options`: `{ a, b }`, two
    /// `explanation` handles): `{ rows, products, dot, lengthA, lengthB, cosine }`. Errors:
    /// `unknownExplanation`.
    #[wasm_bindgen(js_name = compareExplained)]
    pub fn compare_explained(&mut self, options: JsValue) -> Result<JsValue, JsError> {
        let args: CompareExplainedArgs = from_js(options, "compareExplained options")?;
        let a: ExplanationId = args.a.parse().map_err(|e| js_error(&e))?;
        let b: ExplanationId = args.b.parse().map_err(|e| js_error(&e))?;
        let s = self.gallery.compare_explained(a, b).map_err(|e| js_error(&e))?;
        to_js(&CosineStepsDto { rows: s.rows, products: s.products.0.to_vec(), dot: s.dot, length_a: s.length_a, length_b: s.length_b, cosine: s.cosine })
    }

    /// Wipes an explained face's template now. Errors: `unknownExplanation`.
    #[wasm_bindgen(js_name = releaseExplanation)]
    pub fn release_explanation(&mut self, explanation: &str) -> Result<(), JsError> {
        let id: ExplanationId = explanation.parse().map_err(|e| js_error(&e))?;
        self.gallery.release_explanation(id).map_err(|e| js_error(&e))
    }

    /// When the next consent expires, explained face or kept detection is wiped (ms since the
    /// epoch), or `undefined`: when to call `expireDue`.
    #[wasm_bindgen(js_name = nextExpiry)]
    pub fn next_expiry(&self) -> Option<f64> {
        let gallery = self.gallery.next_expiry().map(|t| t.as_unix_ms());
        let held = self.held.next_expiry();
        gallery.into_iter().chain(held).min().map(|ms| ms as f64)
    }

    /// Erases what is due now (references whose consent expired, explained faces and kept
    /// detections past their time): `{ expired: [referenceId] }`.
    #[wasm_bindgen(js_name = expireDue)]
    pub fn expire_due(&mut self) -> Result<JsValue, JsError> {
        self.held.expire(self.gallery.clock().now().as_unix_ms());
        let expired = self.gallery.expire_due().iter().map(ReferenceId::to_string).collect();
        to_js(&ExpiryReport { expired })
    }

    /// A number that changes whenever the set of references changes.
    pub fn revision(&self) -> f64 {
        self.gallery.revision() as f64
    }

    /// What the next session should carry over: `{ auditLog, explanationsUsed }` (no
    /// reference, template or key).
    pub fn history(&self) -> Result<JsValue, JsError> {
        to_js(&self.gallery.history())
    }

    /// A new export passphrase: six words of the EFF Long Wordlist, drawn with
    /// `crypto.getRandomValues`.
    #[wasm_bindgen(js_name = generatePassphrase)]
    pub fn generate_passphrase(&self) -> Result<String, JsError> {
        facegate::generate_passphrase().map_err(|e| js_error(&e))
    }

    /// facegate's checks on an image before anything decodes, reads or copies its pixels, with
    /// this engine's limits. `image` is either encoded bytes (a `Uint8Array`: the checks of
    /// [`facegate::probe`]; its length is checked before the bytes are copied into wasm memory)
    /// giving `{ format, width, height }` (the size once the EXIF orientation is applied), or
    /// the size of pixels about to be read, `{ width, height }`, given back with `format: null`.
    /// Errors: `emptyImage`, `encodedTooLarge`, `unsupportedFormat`, `imageTooLarge`,
    /// `imageHasNoPixels`, `imageTooComplex`, `imageDecode` (a truncated JPEG), `invalidInput`.
    #[wasm_bindgen(js_name = probeImage)]
    pub fn probe_image(&self, image: JsValue) -> Result<JsValue, JsError> {
        let limits = &self.engine.config().limits;
        if let Some(array) = image.dyn_ref::<js_sys::Uint8Array>() {
            limits.check_encoded(array.length() as usize).map_err(|e| js_error(&e))?;
            let bytes = crate::dto::WipedBytes(array.to_vec());
            let info = self.engine.probe(&bytes.0).map_err(|e| js_error(&e))?;
            let (width, height) = info.oriented_size();
            return to_js(&ProbedImage { format: Some(info.format), width, height });
        }
        let size: PixelSize = from_js(image, "image size")?;
        limits.check_dimensions(size.width, size.height).map_err(|e| js_error(&e))?;
        to_js(&ProbedImage { format: None, width: size.width, height: size.height })
    }

    /// Withdraws consent for one reference: its template is wiped at once.
    pub fn withdraw(&mut self, reference_id: &str) -> Result<(), JsError> {
        let id: ReferenceId = reference_id.parse().map_err(|e| js_error(&e))?;
        self.gallery.withdraw(id).map_err(|e| js_error(&e))
    }

    /// Erases every reference and kept detection (and the audit log with `{ auditLog: true }`):
    /// `{ erased }`.
    #[wasm_bindgen(js_name = eraseAll)]
    pub fn erase_all(&mut self, options: JsValue) -> Result<JsValue, JsError> {
        let args: EraseArgs = from_js_or_default(options, "erase options")?;
        self.held.clear();
        let erased = self.gallery.erase_all(EraseOptions { audit_log: args.audit_log });
        to_js(&Erased { erased })
    }

    /// Everything held, per reference (never the template).
    pub fn list(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.gallery.list())
    }

    /// The audit log: events with times, no biometric data.
    #[wasm_bindgen(js_name = auditLog)]
    pub fn audit_log(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.gallery.audit_log())
    }

    /// The gallery encrypted under `options.passphrase` (docs/export-format.md).
    #[wasm_bindgen(js_name = exportGallery)]
    pub fn export_gallery(&mut self, options: JsValue) -> Result<Vec<u8>, JsError> {
        let args: PassphraseArg = from_js(options, "export options")?;
        self.gallery.export(&args.passphrase).map_err(|e| js_error(&e))
    }

    /// Restores an export made with `options.passphrase`: `{ added, alreadyPresent, expiredErased }`.
    #[wasm_bindgen(js_name = importGallery)]
    pub fn import_gallery(&mut self, bytes: &[u8], options: JsValue) -> Result<JsValue, JsError> {
        let args: PassphraseArg = from_js(options, "import options")?;
        let report = self.gallery.import(bytes, &args.passphrase).map_err(|e| js_error(&e))?;
        to_js(&report)
    }
}

#[derive(Serialize)]
struct Erased {
    erased: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Enrolled {
    reference_id: String,
}

fn serde_json_like_id(id: ReferenceId) -> Enrolled {
    Enrolled { reference_id: id.to_string() }
}

/// Where a call's image comes from: a kept detection (taken out of the store, so wiped once the
/// call is done), or the caller's bytes.
enum Source<'a> {
    Kept(HeldDetection),
    Given(&'a ImageArg),
}

impl Source<'_> {
    fn input(&self) -> Result<ImageInput<'_>, JsError> {
        match self {
            Source::Kept(held) => Ok(ImageInput::Detected { image: &held.image, faces: &held.faces }),
            Source::Given(arg) => image_input(arg),
        }
    }
}

/// The engine as the gallery uses it, counting detector passes (`detectionsRun`).
struct Counting<'a> {
    engine: &'a Engine,
    runs: &'a Cell<u32>,
}

impl FaceEngine for Counting<'_> {
    fn decode(&self, bytes: &[u8]) -> facegate::Result<Image> {
        self.engine.decode(bytes)
    }

    fn from_rgba(&self, pixels: &[u8], width: u32, height: u32) -> facegate::Result<Image> {
        self.engine.from_rgba(pixels, width, height)
    }

    fn detect(&self, image: &Image) -> facegate::Result<Vec<Face>> {
        self.runs.set(self.runs.get().saturating_add(1));
        self.engine.detect(image)
    }

    fn template(&self, image: &Image, face: &Face) -> facegate::Result<Template> {
        FaceEngine::template(self.engine, image, face)
    }

    fn explain_face(&self, image: &Image, face: &Face) -> facegate::Result<FaceSteps> {
        self.engine.explain_face(image, face)
    }
}

/// The gallery's view of an image argument (not decoded yet).
fn image_input(arg: &ImageArg) -> Result<ImageInput<'_>, JsError> {
    if arg.detection.is_some() {
        return Err(coded("invalidInput", "an image is `{ rgba, width, height }`, `{ encoded }` or `{ detection }` alone"));
    }
    match (&arg.rgba, &arg.encoded) {
        (Some(px), None) => match (arg.width, arg.height) {
            (Some(width), Some(height)) => Ok(ImageInput::Rgba { pixels: &px.0, width, height }),
            _ => Err(coded("invalidInput", "an RGBA image needs `width` and `height`")),
        },
        (None, Some(bytes)) => Ok(ImageInput::Encoded(&bytes.0)),
        _ => Err(coded("invalidInput", "an image is `{ rgba, width, height }`, `{ encoded }` or `{ detection }`")),
    }
}

impl FaceGateCore {
    /// A validated consent record from the JS consent object, timed by the gallery's clock.
    /// The texts are moved into the record (which wipes them when dropped).
    fn consent(&self, mut c: ConsentArg) -> Result<ConsentRecord, JsError> {
        let invalid = |field: &str, reason: &str| coded("consentInvalid", &format!("consent `{field}` {reason}"));
        let subject = match c.subject.as_mut().map(SubjectArg::take) {
            Some(subject) => subject.map_err(|reason| invalid("subject", reason))?,
            None => {
                return Err(invalid(
                    "subject",
                    "is required: whose face it is, { kind: \"selfPerson\" } or { kind: \"otherPersonConsented\", name } (a person who agreed)",
                ))
            }
        };
        let purpose = c.purpose.take().map_err(|reason| invalid("purpose", reason))?;
        let expires_at = match c.expires_at {
            None => None,
            Some(ms) if ms.is_finite() && ms.abs() < 8.64e15 => Some(Timestamp::from_unix_ms(ms as i64)),
            Some(_) => return Err(invalid("expiresAt", "must be a finite time in milliseconds since the epoch")),
        };
        ConsentRecord::new(subject, purpose, &c.consent_text, expires_at, self.gallery.clock()).map_err(|e| js_error(&e))
    }

    /// The image of a call: the kept detection `arg.detection` names (taken out: it serves
    /// this call only; `unknownDetection` when it is not kept), or the bytes given. Each call
    /// takes it before reading its options, so that a call refused for its options (a malformed
    /// consent or reference id) wipes the kept detection too, as any other outcome does.
    fn source<'a>(&mut self, arg: &'a ImageArg) -> Result<Source<'a>, JsError> {
        let Some(handle) = &arg.detection else { return Ok(Source::Given(arg)) };
        if arg.rgba.is_some() || arg.encoded.is_some() || arg.width.is_some() || arg.height.is_some() {
            return Err(coded("invalidInput", "an image is `{ detection }` alone, or bytes"));
        }
        let id: DetectionId = handle.parse().map_err(|e| js_error(&e))?;
        let now = self.gallery.clock().now().as_unix_ms();
        self.held.take(id, now).map(Source::Kept).map_err(|e| js_error(&e))
    }

    fn count_detection(&self) {
        self.detections_run.set(self.detections_run.get().saturating_add(1));
    }

    fn image(&self, value: JsValue) -> Result<Image, JsError> {
        let arg: ImageArg = from_js(value, "image")?;
        self.engine.load(image_input(&arg)?).map_err(|e| js_error(&e))
    }
}

/// A JS `Error` with `message` and a stable `code`.
fn coded(code: &str, message: &str) -> JsError {
    let error = JsError::new(message);
    let value: JsValue = error.clone().into();
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&value, &JsValue::from_str("code"), &JsValue::from_str(code));
    let _ = js_sys::Reflect::set(&value, &JsValue::from_str("name"), &JsValue::from_str("FaceGateError"));
    error
}

fn js_error(e: &Error) -> JsError {
    let error = coded(e.code(), &e.to_string());
    if let Error::FaceUnusable { reason, .. } = e {
        let value: JsValue = error.clone().into();
        let _ = js_sys::Reflect::set(&value, &JsValue::from_str("reason"), &JsValue::from_str(reason.code()));
    }
    error
}

fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| coded("invalidInput", &format!("invalid {what}: {e}")))
}

fn from_js_or_default<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(value, what)
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| coded("internal", &format!("result could not be converted: {e}")))
}
