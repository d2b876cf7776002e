//! Plain data crossing the wasm boundary (deserialised from and serialised to JS objects).
//! No `#[wasm_bindgen]` items here: those live in `boundary.rs`.
//!
//! These types are the one source of the package's TypeScript: natively, under `cfg(test)`,
//! they derive `ts_rs::TS`, and the test `generated_typescript_is_up_to_date` (below) writes
//! their declarations, with the engine's error codes, to `npm/types/generated.d.ts`, which
//! `npm/index.d.ts` imports. Change a shape here and that test says how to regenerate.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use facegate::pipeline::CosineRow;
use facegate::{DetectorConfig, EngineConfig, Face, Purpose, SessionHistory, Subject, TeachingConfig};

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

/// The teaching view's settings: `true` is `{ maxExplanations: 20, holdMs: 600000 }`.
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "TeachingOptions", optional_fields))]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct TeachingCustom {
    /// Faces that may be explained in this session (a FaceGate's life, across eraseAll), 0..1000. Default 20.
    pub max_explanations: Option<u32>,
    /// How long an explained face's template stays held for a comparison, ms, 1000..3600000. Default 600000 (10 min).
    #[cfg_attr(test, ts(type = "number"))]
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
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct DetectorOptions {
    /// Longest side of the detector input, a multiple of 32 from 96 to 1920 (landscape images get a landscape input). Default 640.
    pub input_size: Option<u32>,
    /// Lowest detector score kept, (0, 1]. Default 0.6.
    pub score_threshold: Option<f32>,
    /// Non-maximum-suppression IoU, (0, 1]. Default 0.3.
    pub nms_iou: Option<f32>,
    /// Most faces per image, 1..1000. Default 100.
    pub max_faces: Option<usize>,
    /// When no face is found, look once more with the image framed by a border (a face filling
    /// or cut by the frame). Default true.
    pub retry_with_border: Option<bool>,
    /// Longest side of a quick first look (a multiple of 32 from 96 to 1920; 0: none). Its faces
    /// are kept when the largest is at least `quickMinFace` px wide in it; smaller faces are
    /// each looked at again closely (`closeMaxSize`); with no face, the image is looked at
    /// again at `inputSize`. Default 320.
    pub quick_input_size: Option<u32>,
    /// See `quickInputSize`, in pixels of the quick input, 8 to 1920. Default 192 (a face
    /// filling about 60 % of the frame's width: close-ups and ID photos).
    pub quick_min_face: Option<u32>,
    /// Largest close-look window (a multiple of 64 from 128 to 1920; 0: none, small faces send
    /// the image to `inputSize`): each smaller face of the quick look is looked at again in a
    /// window of the `inputSize` input around it, twice its width. Default 448.
    pub close_max_size: Option<u32>,
}

/// Gallery settings from JS; absent fields keep the gallery's defaults.
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct GalleryOptions {
    /// Most references held, 1..100. Default 10.
    pub max_references: Option<usize>,
    /// Decision threshold, named by its false-match rate. Default 'fmr1e3'.
    pub operating_point: Option<facegate::OperatingPoint>,
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
                close_max_size: match o.close_max_size {
                    None => d.close_max_size,
                    Some(0) => None,
                    Some(size) => Some(size),
                },
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

/// The image's own size and faces, in its own pixels (EXIF orientation applied), also when a
/// large photo was decoded smaller for speed and memory: what `detect` returns.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Detection {
    /// The image's width, in pixels.
    pub width: u32,
    /// The image's height, in pixels.
    pub height: u32,
    /// Every face found, largest first.
    pub faces: Vec<Face>,
    /// How the detector looked at the image.
    pub detector: DetectorRun,
    /// The kept detection's handle (with `keep: true`), else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub detection: Option<String>,
    /// When it is wiped at the latest (ms since the epoch), with `detection`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub kept_until: Option<f64>,
}

/// `detect`'s options: `{ keep }` (default false): keep the decoded image and its faces for
/// the next call, under the returned `detection` handle.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct DetectArgs {
    pub keep: bool,
}

/// How the detector looked at the image: the input the faces come from (the quick look's, 320,
/// when it found a large enough face; windows of the full-size input around each face when it
/// found smaller ones, `closeLooks` > 0; else the full size, 640).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DetectorRun {
    /// Longest side of the detector input the faces come from, in pixels.
    pub input_size: u32,
    /// Width of that input, in pixels.
    pub input_width: u32,
    /// Height of that input, in pixels.
    pub input_height: u32,
    /// Network runs for this image: 1 to 3, or 1 + `closeLooks`.
    pub runs: u32,
    /// Faces looked at again closely, each in a window of the full-size input around it (then
    /// `inputWidth` x `inputHeight` is the largest window); 0: the faces come from a look at the
    /// whole image.
    pub close_looks: u32,
    /// Whether the faces were found only after framing the image with a border.
    pub with_border: bool,
}

impl From<&facegate::pipeline::Detections> for DetectorRun {
    fn from(d: &facegate::pipeline::Detections) -> Self {
        DetectorRun {
            input_size: d.input_size,
            input_width: d.input_width,
            input_height: d.input_height,
            runs: d.runs,
            close_looks: d.close_looks,
            with_border: d.with_border,
        }
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
    pub fn choice(arg: Option<FaceArg>) -> facegate::FaceChoice {
        match arg {
            None => facegate::FaceChoice::Auto,
            Some(FaceArg::Index(i)) => facegate::FaceChoice::Index(i),
            Some(FaceArg::Point { x, y }) => facegate::FaceChoice::Point(facegate::Point::new(x, y)),
        }
    }
}

/// Whose face: the shape `list()` gives back ([`Subject`] serialized),
/// `{ kind: "selfPerson" }` or `{ kind: "otherPersonConsented", name }`, or the older shorthand
/// `"self"` or `{ otherPerson: "name" }` (still accepted). The name is wiped when dropped (it is
/// moved out, with [`SubjectArg::take`], into the consent record, which wipes its own).
#[derive(Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub(crate) enum SubjectArg {
    Same(SubjectShape),
    Keyword(String),
    Other {
        #[serde(rename = "otherPerson")]
        other_person: String,
    },
}

/// [`Subject`] as it is serialized, read back; a stray field is refused (serde would let one
/// through on a unit variant). The test `subject_and_purpose_go_in_as_they_come_out` keeps it
/// equal to what `Subject` writes.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum SubjectShape {
    SelfPerson {},
    OtherPersonConsented { name: String },
}

impl SubjectArg {
    /// The subject, its name moved out (not copied); `Err`: why the value is refused.
    pub fn take(&mut self) -> Result<Subject, &'static str> {
        match self {
            SubjectArg::Same(SubjectShape::SelfPerson {}) => Ok(Subject::SelfPerson),
            SubjectArg::Same(SubjectShape::OtherPersonConsented { name }) => Ok(Subject::OtherPersonConsented { name: std::mem::take(name) }),
            SubjectArg::Keyword(k) if k == "self" => Ok(Subject::SelfPerson),
            SubjectArg::Keyword(_) => {
                Err("must be { kind: \"selfPerson\" } or { kind: \"otherPersonConsented\", name } (or \"self\" or { otherPerson: name })")
            }
            SubjectArg::Other { other_person } => Ok(Subject::OtherPersonConsented { name: std::mem::take(other_person) }),
        }
    }
}

impl Drop for SubjectArg {
    fn drop(&mut self) {
        match self {
            SubjectArg::Same(SubjectShape::SelfPerson {}) => {}
            SubjectArg::Keyword(s) | SubjectArg::Other { other_person: s } | SubjectArg::Same(SubjectShape::OtherPersonConsented { name: s }) => s.zeroize(),
        }
    }
}

/// What for: the shape `list()` gives back ([`Purpose`] serialized), `{ kind: "verifyItIsMe" }`,
/// `{ kind: "compareWithConsentingPerson" }` or `{ kind: "other", description }`, or the older
/// shorthand `"verifyItIsMe"`, `"compareWithConsentingPerson"` or `{ other: "description" }`.
#[derive(Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub(crate) enum PurposeArg {
    Same(PurposeShape),
    Keyword(String),
    Other { other: String },
}

/// [`Purpose`] as it is serialized, read back (as [`SubjectShape`]).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum PurposeShape {
    VerifyItIsMe {},
    CompareWithConsentingPerson {},
    Other { description: String },
}

impl PurposeArg {
    /// The purpose, its description moved out (not copied); `Err`: why the value is refused.
    pub fn take(&mut self) -> Result<Purpose, &'static str> {
        match self {
            PurposeArg::Same(PurposeShape::VerifyItIsMe {}) => Ok(Purpose::VerifyItIsMe),
            PurposeArg::Same(PurposeShape::CompareWithConsentingPerson {}) => Ok(Purpose::CompareWithConsentingPerson),
            PurposeArg::Same(PurposeShape::Other { description }) => Ok(Purpose::Other { description: std::mem::take(description) }),
            PurposeArg::Keyword(k) if k == "verifyItIsMe" => Ok(Purpose::VerifyItIsMe),
            PurposeArg::Keyword(k) if k == "compareWithConsentingPerson" => Ok(Purpose::CompareWithConsentingPerson),
            PurposeArg::Keyword(_) => Err("must be { kind: \"verifyItIsMe\" }, { kind: \"compareWithConsentingPerson\" } or { kind: \"other\", description } (or the keyword, or { other: text })"),
            PurposeArg::Other { other } => Ok(Purpose::Other { description: std::mem::take(other) }),
        }
    }
}

impl Drop for PurposeArg {
    fn drop(&mut self) {
        match self {
            PurposeArg::Same(PurposeShape::VerifyItIsMe {} | PurposeShape::CompareWithConsentingPerson {}) => {}
            PurposeArg::Keyword(s) | PurposeArg::Other { other: s } | PurposeArg::Same(PurposeShape::Other { description: s }) => s.zeroize(),
        }
    }
}

/// The consent the user gave for one reference image (`enroll`, `explain`). `subject` and
/// `purpose` have the shape `list()` gives back; the older shorthands (`"self"`,
/// `{ otherPerson }`, `"verifyItIsMe"`, `{ other }`) are still accepted. Its texts are wiped
/// when dropped.
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Consent"))]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ConsentArg {
    /// Whose face; required (a missing one is `consentInvalid`, naming the field).
    #[serde(default)]
    #[cfg_attr(test, ts(type = "Subject | 'self' | { otherPerson: string }"))]
    pub subject: Option<SubjectArg>,
    /// What the reference may be used for.
    #[cfg_attr(test, ts(type = "Purpose | 'verifyItIsMe' | 'compareWithConsentingPerson' | { other: string }"))]
    pub purpose: PurposeArg,
    /// The exact text the user was shown and agreed to (facegate keeps only its SHA-256).
    pub consent_text: String,
    /// When the consent ends (ms since the epoch); the reference is erased then.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
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
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MatchResult {
    /// The reference compared with.
    pub reference_id: String,
    /// Its label.
    pub label: String,
    /// The decision.
    pub outcome: facegate::Outcome,
    /// Why facegate cannot tell; null for the other outcomes.
    pub reason: Option<facegate::QualityReason>,
    /// Cosine similarity, -1..1; null when facegate cannot tell (none was computed).
    pub similarity: Option<f32>,
    /// The threshold of the operating point.
    pub threshold: f32,
    /// True only for the outcome 'likelySamePerson'.
    pub likely_same_person: bool,
    /// "likely the same person", "likely different people" or "cannot tell"; never "identified".
    pub wording: &'static str,
    /// The operating point the threshold belongs to.
    pub operating_point: facegate::OperatingPoint,
    /// The false-match rate the threshold was calibrated for.
    pub false_match_rate: f64,
}

impl Drop for MatchResult {
    fn drop(&mut self) {
        self.label.zeroize();
    }
}

impl MatchResult {
    pub fn new(m: &facegate::Match, point: facegate::OperatingPoint) -> Self {
        MatchResult {
            reference_id: m.reference.to_string(),
            label: m.label.clone(),
            outcome: m.outcome(),
            reason: m.reason(),
            similarity: m.decision().map(|d| d.similarity),
            threshold: point.threshold(),
            likely_same_person: m.outcome() == facegate::Outcome::LikelySamePerson,
            wording: m.wording(),
            operating_point: point,
            false_match_rate: m.false_match_rate(),
        }
    }
}

/// `identify`'s outcome: the best match (when one reaches the threshold) and every candidate.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentifyResult {
    /// The most similar reference when it is "likely the same person", else null.
    pub best: Option<MatchResult>,
    /// Every reference compared, most similar first; each 'cannotTell' when the probe failed the quality gate.
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
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Transform"))]
#[derive(Serialize)]
pub(crate) struct TransformDto {
    /// Scale times the cosine of the rotation.
    pub a: f64,
    /// Scale times the sine of the rotation.
    pub b: f64,
    /// Horizontal shift, crop pixels.
    pub tx: f64,
    /// Vertical shift, crop pixels.
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

/// The package's TypeScript, generated from the types above (see the module docs).
#[cfg(test)]
mod typescript {
    use ts_rs::{Config, TS};

    use super::*;
    use facegate::{BoundingBox, ConsentRecord, Landmarks, OperatingPoint, Outcome, Point, QualityReason, ReferenceInfo, Timestamp};

    /// Where the declarations are committed, relative to this crate's root (facegate-wasm/).
    const GENERATED: &str = "../npm/types/generated.d.ts";

    /// `export type Name = ...;` for one type, its doc comment included.
    fn declare<T: TS>(cfg: &Config) -> String {
        format!("export {}\n", T::decl(cfg))
    }

    /// The whole file: every shape that crosses the boundary, then the engine's error codes.
    fn generated() -> String {
        // Timestamps are i64 in Rust, and a plain number in JS (ms since the epoch, exact).
        let cfg = Config::new().with_large_int("number");
        let decls = [
            declare::<Point>(&cfg),
            declare::<BoundingBox>(&cfg),
            declare::<Landmarks>(&cfg),
            declare::<Face>(&cfg),
            declare::<DetectorRun>(&cfg),
            declare::<Detection>(&cfg),
            declare::<DetectorOptions>(&cfg),
            declare::<GalleryOptions>(&cfg),
            declare::<TeachingCustom>(&cfg),
            declare::<OperatingPoint>(&cfg),
            declare::<Outcome>(&cfg),
            declare::<QualityReason>(&cfg),
            declare::<MatchResult>(&cfg),
            declare::<IdentifyResult>(&cfg),
            declare::<Timestamp>(&cfg),
            declare::<Subject>(&cfg),
            declare::<Purpose>(&cfg),
            declare::<ConsentArg>(&cfg),
            declare::<ConsentRecord>(&cfg),
            declare::<ReferenceInfo>(&cfg),
            declare::<TransformDto>(&cfg),
            declare::<CosineRow>(&cfg),
        ];
        let codes: Vec<String> = facegate::Error::CODES.iter().map(|c| format!("\n  | '{c}'")).collect();
        format!(
            "// Generated from the Rust types (facegate-wasm/src/dto.rs and the types it uses) by the test\n\
             // `generated_typescript_is_up_to_date` (facegate-wasm/src/dto.rs). Do not edit: change the Rust\n\
             // types, then run\n\
             //   FACEGATE_UPDATE_TYPES=1 cargo test --release -p facegate-wasm --lib generated_typescript\n\n\
             {}\n\
             /** Every code the engine's errors carry (`Error::code` in src/error.rs). */\n\
             export type EngineErrorCode ={};\n",
            decls.join("\n"),
            codes.concat()
        )
    }

    #[test]
    fn generated_typescript_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
        let fresh = generated();
        if std::env::var_os("FACEGATE_UPDATE_TYPES").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{GENERATED} differs from the Rust types: run `FACEGATE_UPDATE_TYPES=1 cargo test --release -p facegate-wasm --lib generated_typescript` and commit it"
        );
    }
}

#[cfg(test)]
mod shapes {
    use serde_json::json;

    use super::*;

    #[test]
    fn subject_and_purpose_go_in_as_they_come_out() {
        for subject in [Subject::SelfPerson, Subject::OtherPersonConsented { name: "Ada".into() }] {
            let mut arg: SubjectArg = serde_json::from_value(serde_json::to_value(&subject).unwrap()).unwrap();
            assert_eq!(arg.take().unwrap(), subject);
        }
        for purpose in [Purpose::VerifyItIsMe, Purpose::CompareWithConsentingPerson, Purpose::Other { description: "a lesson".into() }] {
            let mut arg: PurposeArg = serde_json::from_value(serde_json::to_value(&purpose).unwrap()).unwrap();
            assert_eq!(arg.take().unwrap(), purpose);
        }
    }

    #[test]
    fn the_older_shorthands_are_still_read() {
        let subject = |v| serde_json::from_value::<SubjectArg>(v).unwrap().take();
        assert_eq!(subject(json!("self")), Ok(Subject::SelfPerson));
        assert_eq!(subject(json!({ "otherPerson": "Bo" })), Ok(Subject::OtherPersonConsented { name: "Bo".into() }));
        assert!(subject(json!("someone")).is_err());
        let purpose = |v| serde_json::from_value::<PurposeArg>(v).unwrap().take();
        assert_eq!(purpose(json!("verifyItIsMe")), Ok(Purpose::VerifyItIsMe));
        assert_eq!(purpose(json!("compareWithConsentingPerson")), Ok(Purpose::CompareWithConsentingPerson));
        assert_eq!(purpose(json!({ "other": "a lesson" })), Ok(Purpose::Other { description: "a lesson".into() }));
        assert!(purpose(json!("anything")).is_err());
    }

    #[test]
    fn a_subject_with_a_stray_field_is_refused() {
        assert!(serde_json::from_value::<SubjectArg>(json!({ "kind": "selfPerson", "otherPerson": "Bo" })).is_err());
        assert!(serde_json::from_value::<SubjectArg>(json!({ "kind": "someone" })).is_err());
        assert!(serde_json::from_value::<PurposeArg>(json!({ "kind": "other" })).is_err());
    }
}
