//! Plain data crossing the wasm boundary (deserialised from and serialised to JS objects).
//! No `#[wasm_bindgen]` items here: those live in `wasm/mod.rs`.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::pipeline::CosineRow;
use crate::{DetectorConfig, EngineConfig, Face, SessionHistory, TeachingConfig};

/// `FaceGateCore` constructor options: `{ detector: {...}, gallery: {...}, threads,
/// modelsVerified, teaching?, resume? }`, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct CoreOptions {
    pub detector: DetectorOptions,
    pub gallery: GalleryOptions,
    /// Threads for the networks (only the threaded build uses more than 1). Default 1.
    pub threads: Option<usize>,
    /// `true` when the caller (the package's worker) has checked both models' SHA-256 before
    /// passing them, so that they are not hashed twice. Default `false`: checked here.
    pub models_verified: bool,
    /// The teaching view: absent or `false` keeps it off; `true` or `{ maxExplanations,
    /// holdMs }` turns it on.
    pub teaching: Option<TeachingOptions>,
    /// What an earlier session of the same page carries over (the npm package's worker
    /// restart): its audit log and explanation count.
    pub resume: Option<SessionHistory>,
}

/// `teaching`: `true`, `false`, or `{ maxExplanations?, holdMs? }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum TeachingOptions {
    On(bool),
    Custom(TeachingCustom),
}

/// `teaching: { maxExplanations?, holdMs? }`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct TeachingCustom {
    pub max_explanations: Option<u32>,
    pub hold_ms: Option<i64>,
}

impl TeachingOptions {
    /// The gallery's teaching configuration (off when absent or `false`).
    pub fn config(options: &Option<TeachingOptions>) -> TeachingConfig {
        let lesson = TeachingConfig::LESSON;
        match options {
            None | Some(TeachingOptions::On(false)) => TeachingConfig::default(),
            Some(TeachingOptions::On(true)) => lesson,
            Some(TeachingOptions::Custom(c)) => {
                TeachingConfig { max_explanations: c.max_explanations.unwrap_or(lesson.max_explanations), hold_ms: c.hold_ms.unwrap_or(lesson.hold_ms) }
            }
        }
    }
}

/// Detector settings from JS; absent fields keep [`DetectorConfig::default`].
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct DetectorOptions {
    pub input_size: Option<u32>,
    pub score_threshold: Option<f32>,
    pub nms_iou: Option<f32>,
    pub max_faces: Option<usize>,
    pub retry_with_border: Option<bool>,
    /// The quick first look's input size; 0 turns it off.
    pub quick_input_size: Option<u32>,
    pub quick_min_face: Option<u32>,
}

/// Gallery settings from JS; absent fields keep the gallery's defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct GalleryOptions {
    pub max_references: Option<usize>,
    pub operating_point: Option<crate::OperatingPoint>,
}

impl CoreOptions {
    pub fn engine_config(&self) -> EngineConfig {
        let d = DetectorConfig::default();
        let o = &self.detector;
        EngineConfig {
            detector: DetectorConfig {
                input_size: o.input_size.unwrap_or(d.input_size),
                score_threshold: o.score_threshold.unwrap_or(d.score_threshold),
                nms_iou: o.nms_iou.unwrap_or(d.nms_iou),
                max_faces: o.max_faces.unwrap_or(d.max_faces),
                retry_with_border: o.retry_with_border.unwrap_or(d.retry_with_border),
                quick_input_size: match o.quick_input_size {
                    None => d.quick_input_size,
                    Some(0) => None,
                    Some(size) => Some(size),
                },
                quick_min_face: o.quick_min_face.unwrap_or(d.quick_min_face),
                ..d
            },
            threads: self.threads.unwrap_or(1),
            ..Default::default()
        }
    }
}

/// An image from JS: `{ rgba: Uint8Array, width, height }` (what a canvas gives),
/// `{ encoded: Uint8Array }` (file bytes) or `{ detection }` (the handle `detect` returned with
/// `keep: true`). The copy in wasm memory is wiped when dropped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ImageArg {
    #[serde(default)]
    pub detection: Option<String>,
    #[serde(default)]
    pub rgba: Option<WipedBytes>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub encoded: Option<WipedBytes>,
}

/// The size of pixels about to be read, given to `probeImage`: `{ width, height }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PixelSize {
    pub width: u32,
    pub height: u32,
}

/// What `probeImage` returns: `{ format, width, height }`, the size once the EXIF orientation
/// is applied; `format` is null for a pixel size.
#[derive(Serialize)]
pub(crate) struct ProbedImage {
    pub format: Option<&'static str>,
    pub width: u32,
    pub height: u32,
}

/// What `detect` returns.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Detection {
    pub width: u32,
    pub height: u32,
    pub faces: Vec<Face>,
    pub detector: DetectorRun,
    /// The kept detection's handle (with `keep: true`), else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection: Option<String>,
    /// When it is wiped at the latest (ms since the epoch), with `detection`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_until: Option<f64>,
}

/// `detect`'s options: `{ keep }` (default false): keep the decoded image and its faces for
/// the next call, under the returned `detection` handle.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct DetectArgs {
    pub keep: bool,
}

/// How `detect` found its faces: `{ inputSize, inputWidth, inputHeight, runs, withBorder }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DetectorRun {
    pub input_size: u32,
    pub input_width: u32,
    pub input_height: u32,
    pub runs: u32,
    pub with_border: bool,
}

impl From<&crate::pipeline::Detections> for DetectorRun {
    fn from(d: &crate::pipeline::Detections) -> Self {
        DetectorRun { input_size: d.input_size, input_width: d.input_width, input_height: d.input_height, runs: d.runs, with_border: d.with_border }
    }
}

/// Bytes from JS (a `Uint8Array`), overwritten with zeros when dropped.
pub(crate) struct WipedBytes(pub Vec<u8>);

impl<'de> Deserialize<'de> for WipedBytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_bytes::ByteBuf::deserialize(d).map(|b| WipedBytes(b.into_vec()))
    }
}

impl Drop for WipedBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A face choice from JS: an index (largest face first) or a point `{ x, y }` inside its box.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum FaceArg {
    Index(usize),
    Point { x: f32, y: f32 },
}

impl FaceArg {
    pub fn choice(arg: Option<FaceArg>) -> crate::FaceChoice {
        match arg {
            None => crate::FaceChoice::Auto,
            Some(FaceArg::Index(i)) => crate::FaceChoice::Index(i),
            Some(FaceArg::Point { x, y }) => crate::FaceChoice::Point(crate::Point::new(x, y)),
        }
    }
}

/// Whose face: `"self"` or `{ otherPerson: "name" }`. The name is wiped when dropped (it is
/// moved out, with `std::mem::take`, into the consent record, which wipes its own).
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum SubjectArg {
    Keyword(String),
    Other {
        #[serde(rename = "otherPerson")]
        other_person: String,
    },
}

impl Drop for SubjectArg {
    fn drop(&mut self) {
        match self {
            SubjectArg::Keyword(s) | SubjectArg::Other { other_person: s } => s.zeroize(),
        }
    }
}

/// What for: `"verifyItIsMe"`, `"compareWithConsentingPerson"` or `{ other: "description" }`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum PurposeArg {
    Keyword(String),
    Other { other: String },
}

impl Drop for PurposeArg {
    fn drop(&mut self) {
        match self {
            PurposeArg::Keyword(s) | PurposeArg::Other { other: s } => s.zeroize(),
        }
    }
}

/// The consent object of `enroll` and `explain`. Its texts are wiped when dropped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ConsentArg {
    /// Whose face; required (a missing one is `consentInvalid`, naming the field).
    #[serde(default)]
    pub subject: Option<SubjectArg>,
    pub purpose: PurposeArg,
    pub consent_text: String,
    #[serde(default)]
    pub expires_at: Option<f64>,
}

impl Drop for ConsentArg {
    fn drop(&mut self) {
        self.consent_text.zeroize();
    }
}

/// `enroll` options: `{ consent, label, face? }`. The label is wiped when dropped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct EnrollArgs {
    #[serde(default)]
    pub consent: Option<ConsentArg>,
    pub label: String,
    #[serde(default)]
    pub face: Option<FaceArg>,
}

impl Drop for EnrollArgs {
    fn drop(&mut self) {
        self.label.zeroize();
    }
}

/// `verify` options: `{ referenceId, face? }`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct VerifyArgs {
    pub reference_id: String,
    #[serde(default)]
    pub face: Option<FaceArg>,
}

/// `identify` options: `{ face? }`.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct IdentifyArgs {
    pub face: Option<FaceArg>,
}

/// `{ passphrase }`; the copy in wasm memory is wiped when dropped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PassphraseArg {
    pub passphrase: String,
}

impl Drop for PassphraseArg {
    fn drop(&mut self) {
        self.passphrase.zeroize();
    }
}

/// One comparison's outcome, as JS sees it (flat; no template, no probe data). When facegate
/// cannot tell, `similarity` is `null` and `reason` says why.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MatchResult {
    pub reference_id: String,
    pub label: String,
    pub outcome: crate::Outcome,
    pub reason: Option<crate::QualityReason>,
    pub similarity: Option<f32>,
    pub threshold: f32,
    pub likely_same_person: bool,
    pub wording: &'static str,
    pub operating_point: crate::OperatingPoint,
    pub false_match_rate: f64,
}

impl Drop for MatchResult {
    fn drop(&mut self) {
        self.label.zeroize();
    }
}

impl MatchResult {
    pub fn new(m: &crate::Match, point: crate::OperatingPoint) -> Self {
        MatchResult {
            reference_id: m.reference.to_string(),
            label: m.label.clone(),
            outcome: m.outcome,
            reason: m.reason,
            similarity: m.decision.map(|d| d.similarity),
            threshold: point.threshold(),
            likely_same_person: m.outcome == crate::Outcome::LikelySamePerson,
            wording: m.wording,
            operating_point: point,
            false_match_rate: m.false_match_rate,
        }
    }
}

/// `identify`'s outcome: the best match (when one reaches the threshold) and every candidate.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentifyResult {
    pub best: Option<MatchResult>,
    pub candidates: Vec<MatchResult>,
}

/// `eraseAll` options: `{ auditLog?: boolean }` (default false: the log is kept and records the erasure).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct EraseArgs {
    pub audit_log: bool,
}

/// `explain` options: `{ consent, face? }` (consent is required, as for `enroll`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ExplainArgs {
    #[serde(default)]
    pub consent: Option<ConsentArg>,
    #[serde(default)]
    pub face: Option<FaceArg>,
}

/// The image-to-crop similarity transform: `x' = a*x - b*y + tx`, `y' = b*x + a*y + ty`.
#[derive(Serialize)]
pub(crate) struct TransformDto {
    pub a: f64,
    pub b: f64,
    pub tx: f64,
    pub ty: f64,
}

/// What `explain` returns: what a lesson draws of one face, never its template. The crop copy
/// made in wasm memory for it is wiped when this is dropped.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExplainResult {
    /// The opaque handle of the held template.
    pub explanation: String,
    pub width: u32,
    pub height: u32,
    pub faces: Vec<Face>,
    pub chosen: usize,
    pub transform: TransformDto,
    /// 112 x 112 RGBA (alpha 255), ready for `ImageData`.
    pub aligned_rgba: serde_bytes::ByteBuf,
    /// The template as a picture: 128 signed bytes (-127..=127).
    pub strip: Vec<i8>,
    /// The template's values at positions 1, 2, 3, 4 and 128, to 4 decimals.
    pub printed: Vec<f32>,
    pub template_length: usize,
    pub template_bytes: usize,
    /// When the held template is wiped at the latest (ms since the epoch).
    pub held_until: f64,
    pub explanations_left: u32,
}

impl Drop for ExplainResult {
    fn drop(&mut self) {
        self.aligned_rgba.as_mut_slice().zeroize();
        self.strip.zeroize();
        self.printed.zeroize();
    }
}

/// `compareExplained` options: `{ a, b }`, two explanation handles.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompareExplainedArgs {
    pub a: String,
    pub b: String,
}

/// What `compareExplained` returns: the cosine step by step, as a lesson prints and draws it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CosineStepsDto {
    pub rows: Vec<CosineRow>,
    /// The 128 products as a picture: signed bytes (-127..=127).
    pub products: Vec<i8>,
    pub dot: f32,
    pub length_a: f32,
    pub length_b: f32,
    pub cosine: f32,
}

/// What `expireDue` returns: the references erased because their consent expired.
#[derive(Serialize)]
pub(crate) struct ExpiryReport {
    pub expired: Vec<String>,
}
