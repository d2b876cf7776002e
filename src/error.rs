//! The one error type of facegate.

use std::fmt;

/// Which of the two bundled models an error or a measurement refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ModelKind {
    /// The YuNet face detector.
    Detector,
    /// The SFace face recognizer (template extractor).
    Recognizer,
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelKind::Detector => "detector (YuNet)",
            ModelKind::Recognizer => "recognizer (SFace)",
        })
    }
}

/// Everything that can go wrong in facegate.
///
/// Every variant says when it happens and carries what a caller needs to report or recover.
/// No variant carries image pixels or template values. New variants may be added in minor
/// releases, so match with a wildcard arm. [`Error::code`] gives a stable string per variant
/// (what the browser API exposes as `error.code`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The model bytes do not have the SHA-256 digest facegate ships with: the file was changed,
    /// truncated, or is another model. Nothing was parsed.
    #[error("{model} model failed its integrity check: expected SHA-256 {expected}, got {actual}")]
    ModelIntegrity {
        /// Which model.
        model: ModelKind,
        /// The digest facegate expects (lower-case hex).
        expected: String,
        /// The digest of the bytes given (lower-case hex).
        actual: String,
    },

    /// The model passed its integrity check but could not be turned into a runnable plan
    /// (an unsupported ONNX construct, or a configuration the model cannot take, such as an
    /// input size it cannot run at).
    #[error("{model} model could not be prepared: {reason}")]
    ModelInvalid {
        /// Which model.
        model: ModelKind,
        /// What went wrong, in words.
        reason: String,
    },

    /// Running a prepared model failed. This indicates a bug in facegate, not bad input.
    #[error("{model} inference failed: {reason}")]
    Inference {
        /// Which model.
        model: ModelKind,
        /// What went wrong, in words.
        reason: String,
    },

    /// A configuration value is out of its documented range.
    #[error("invalid configuration: `{field}` {reason}")]
    InvalidConfig {
        /// The field, as named in the config struct.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The image bytes are empty.
    #[error("the image is empty (0 bytes)")]
    EmptyImage,

    /// The encoded image is larger than [`ImageLimits::max_encoded_bytes`](crate::ImageLimits).
    /// Nothing was decoded.
    #[error("the image file has {bytes} bytes, more than the limit of {limit}")]
    EncodedTooLarge {
        /// Size of the bytes given.
        bytes: usize,
        /// The limit in force.
        limit: usize,
    },

    /// The bytes are not an image format facegate decodes (JPEG, PNG, WebP, GIF, BMP).
    /// `detected` names the format when it was recognised (for example `"tiff"`, `"heic"`,
    /// `"avif"`, `"svg"`), and is `None` when the bytes look like no image at all.
    #[error("unsupported image format{}", match detected { Some(d) => format!(" ({d}); facegate reads JPEG, PNG, WebP, GIF and BMP"), None => ": the bytes are not a JPEG, PNG, WebP, GIF or BMP image".to_string() })]
    UnsupportedFormat {
        /// The format recognised from the file's first bytes, if any.
        detected: Option<&'static str>,
    },

    /// The image declares (or, for raw pixels, has) dimensions beyond
    /// [`ImageLimits`](crate::ImageLimits). Raised before any pixel memory is allocated, so
    /// decompression bombs stop here.
    #[error("the image is {width}x{height} pixels, beyond the limits (max {max_width}x{max_height}, {max_pixels} pixels)")]
    ImageTooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Largest width accepted.
        max_width: u32,
        /// Largest height accepted.
        max_height: u32,
        /// Largest width x height accepted.
        max_pixels: u64,
    },

    /// A JPEG is made of more scans than [`ImageLimits::max_jpeg_scans`](crate::ImageLimits)
    /// (a progressive photo has about 10). Every scan makes a decoder go over the whole image
    /// again: a 2 MB file of 20 000 scans kept a browser's decoder busy for 4 minutes. Counted
    /// on the bytes, before any decoder runs.
    #[error("the JPEG is made of {scans} scans, more than the {max_scans} facegate decodes (a progressive photo has about 10)")]
    ImageTooComplex {
        /// Scans counted before the end-of-image marker.
        scans: u32,
        /// Most scans accepted.
        max_scans: u32,
    },

    /// The image has a zero dimension.
    #[error("the image has no pixels ({width}x{height})")]
    ImageHasNoPixels {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },

    /// The bytes are a supported format but are corrupt or truncated.
    #[error("the {format} image could not be decoded: {reason}")]
    ImageDecode {
        /// The format the bytes claim to be.
        format: &'static str,
        /// What the decoder said.
        reason: String,
    },

    /// A raw pixel buffer does not have `width * height * 4` bytes (RGBA, 8 bits per channel).
    #[error("the pixel buffer has {actual} bytes, but {width}x{height} RGBA needs {expected}")]
    PixelBufferMismatch {
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
        /// `width * height * 4`.
        expected: u64,
        /// Length of the buffer given.
        actual: usize,
    },

    /// A face passed to [`Engine::template`](crate::Engine::template) has landmarks that are
    /// not finite numbers or lie far outside the image (it does not come from this image).
    #[error("the face does not fit the image: {reason}")]
    FaceOutOfImage {
        /// Why it was refused.
        reason: String,
    },

    /// The face failed the quality gate ([`QualityConfig`](crate::QualityConfig)): compared
    /// as it is, its template would not keep the stated false-match rate. Returned by
    /// [`Engine::template`](crate::Engine::template) and so by
    /// [`Gallery::enroll`](crate::Gallery::enroll), which refuses such a reference (a
    /// comparison whose probe fails the gate is not an error: its outcome is "cannot tell",
    /// with the same reason). No template was kept.
    #[error("this face cannot be used: {reason} ({measure} {value} against a limit of {limit})")]
    FaceUnusable {
        /// Why, in terms a person understands.
        reason: crate::quality::QualityReason,
        /// The measure that failed (see [`QualityProblem::measure`](crate::QualityProblem)).
        measure: &'static str,
        /// Its value for this face.
        value: f32,
        /// The limit it failed.
        limit: f32,
    },

    /// [`Gallery::enroll`](crate::Gallery::enroll) was called without a consent record.
    /// Checked first: nothing was decoded, detected or embedded.
    #[error("a consent record is required before a reference can be enrolled; nothing was processed")]
    ConsentRequired,

    /// A consent record field is missing, empty, too long, or inconsistent (for example the
    /// purpose "verify it is me" for another person's face, or an expiry before the time
    /// consent was given). Nothing was processed.
    #[error("invalid consent record: `{field}` {reason}")]
    ConsentInvalid {
        /// The field, in camelCase as it appears in the consent record (`"subject"`,
        /// `"purpose"`, `"textShown"`, `"expiresAt"`, `"givenAt"`).
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The consent record passed to [`Gallery::enroll`](crate::Gallery::enroll) has already
    /// expired. Nothing was processed.
    #[error("the consent expired at {expired_at} (Unix ms); ask for consent again")]
    ConsentExpired {
        /// When it expired, Unix time in milliseconds.
        expired_at: i64,
    },

    /// A reference label is empty, too long, or contains control characters.
    #[error("invalid label: {reason}")]
    InvalidLabel {
        /// Why it was refused.
        reason: String,
    },

    /// A label, a consent name or a purpose contains an invisible Unicode format character
    /// (general category Cf): a bidirectional control such as U+202E, which makes text display
    /// reversed, or a zero-width character such as U+200B, which makes two texts look alike.
    /// A zero-width joiner (U+200D) between two emoji is allowed. Nothing was processed.
    #[error("{field} contains the invisible character U+{code_point:04X} ({name}) at character {position}; remove it")]
    FormatCharacter {
        /// Which text: `"label"`, `"subject"` (the name of the person) or `"purpose"`.
        field: &'static str,
        /// The character's code point (for example 0x202E).
        code_point: u32,
        /// Its Unicode name when facegate knows it, else "a format character".
        name: &'static str,
        /// Where it is: the index of the character (not byte) in the text, from 0.
        position: usize,
    },

    /// [`Gallery::explain`](crate::Gallery::explain) was called on a gallery whose teaching
    /// view is off ([`TeachingConfig::max_explanations`](crate::TeachingConfig) is 0, the
    /// default). Nothing was processed.
    #[error("the teaching view is off: this gallery was not set up to explain faces")]
    TeachingDisabled,

    /// The gallery has already explained as many faces as its teaching configuration allows
    /// ([`TeachingConfig::max_explanations`](crate::TeachingConfig)); checked before the image.
    #[error("the teaching view has explained its maximum of {cap} faces in this session")]
    ExplanationCapReached {
        /// The cap in force.
        cap: u32,
    },

    /// No explained face with this handle is held: it was released, replaced by a newer one,
    /// erased, held past its time, or the handle is malformed.
    #[error("no explained face with handle {id} is held (explanations are wiped after use, replacement, erasure or a timeout)")]
    UnknownExplanation {
        /// The handle asked for, as given.
        id: String,
    },

    /// No detection with this handle is kept: it was used (by the one call it serves,
    /// whatever that call's outcome), replaced by a newer one (at most
    /// [`MAX_HELD_DETECTIONS`](crate::limits::MAX_HELD_DETECTIONS) are kept), erased, kept past
    /// [`DETECTION_HOLD_MS`](crate::limits::DETECTION_HOLD_MS), or the handle is malformed.
    #[error("no detection with handle {id} is kept (a detection is wiped when used, replaced, erased or after 60 s): detect the photo again")]
    UnknownDetection {
        /// The handle asked for, as given (at most 40 characters).
        id: String,
    },

    /// The gallery already holds its maximum number of references
    /// ([`GalleryConfig::max_references`](crate::GalleryConfig::max_references)), or an import
    /// would take it beyond. Nothing was processed or changed.
    #[error("the gallery is full: at most {cap} references; withdraw one first")]
    GalleryFull {
        /// The cap in force.
        cap: usize,
    },

    /// [`Gallery::identify`](crate::Gallery::identify) was called on a gallery with no
    /// reference. The probe was not processed.
    #[error("the gallery holds no reference to compare with")]
    GalleryEmpty,

    /// No reference with this id is in the gallery: it was never enrolled here, was withdrawn
    /// or erased, expired earlier, or the id is malformed.
    #[error("no reference with id {id} in this gallery")]
    UnknownReference {
        /// The id asked for, as given.
        id: String,
    },

    /// The reference asked for had a consent that expired: it has just been erased, and was
    /// not compared. Later calls report [`Error::UnknownReference`].
    #[error("reference {id} was erased because its consent expired at {expired_at} (Unix ms)")]
    ReferenceExpired {
        /// The reference's id.
        id: String,
        /// When its consent expired, Unix time in milliseconds.
        expired_at: i64,
    },

    /// The image holds no face the detector finds. Nothing was embedded.
    #[error("no face found in the image")]
    NoFaceFound,

    /// The image holds several faces and the face choice was `Auto`: say which one (by index
    /// into `faces`, or by a point inside its box). No face was embedded.
    #[error("the image holds {} faces: choose one (by index or by a point inside it)", faces.len())]
    FaceChoiceRequired {
        /// The boxes of the faces found, largest first: `FaceChoice::Index` counts in this order.
        faces: Vec<crate::face::BoundingBox>,
    },

    /// The face choice matches no face: the index is out of range, or no face box contains the
    /// point (or the point is not finite). No face was embedded.
    #[error("the face choice matches no face ({faces} found): {reason}")]
    FaceChoiceInvalid {
        /// How many faces were found.
        faces: usize,
        /// Why the choice matches none.
        reason: String,
    },

    /// The system's random number source failed (reference ids, export salt and nonce).
    #[error("the random number source failed: {reason}")]
    Randomness {
        /// What the source reported.
        reason: String,
    },

    /// An export passphrase is refused: too easy to guess (its estimated strength, from the
    /// `zxcvbn` estimator, is below [`MIN_PASSPHRASE_SCORE`](crate::limits::MIN_PASSPHRASE_SCORE)), or
    /// longer than [`MAX_PASSPHRASE_BYTES`](crate::limits::MAX_PASSPHRASE_BYTES) bytes. The reason
    /// says why and how to do better; [`generate_passphrase`](crate::generate_passphrase)
    /// makes one that passes.
    #[error("passphrase refused: {reason}")]
    PassphraseRejected {
        /// Why it was refused, with the estimator's advice.
        reason: String,
        /// The estimated strength, 0 (guessed at once) to 4 (very hard to guess), when it was
        /// estimated.
        score: Option<u8>,
    },

    /// The bytes given to [`Gallery::import`](crate::Gallery::import) are not a facegate export
    /// (they do not start with the format's magic bytes).
    #[error("these bytes are not a facegate gallery export")]
    ExportNotRecognized,

    /// The export was written in a format version this release does not read.
    #[error("export format version {found} is not supported (this release reads versions 1 to {supported})")]
    ExportUnsupportedVersion {
        /// The version in the file.
        found: u16,
        /// The newest version this release reads (and the one it writes); it reads every
        /// version from 1 up to it.
        supported: u16,
    },

    /// The export is shorter than its header says: it was cut off.
    #[error("the export is truncated: {actual} bytes, expected {expected}")]
    ExportTruncated {
        /// Bytes the header announces (header plus ciphertext).
        expected: u64,
        /// Bytes given.
        actual: u64,
    },

    /// The export was altered: its header checksum does not match, bytes follow the
    /// ciphertext, or the ciphertext fails authentication although the passphrase is right.
    /// Nothing was imported.
    #[error("the export has been altered or corrupted ({part}); nothing was imported")]
    ExportTampered {
        /// Where: `"header"`, `"body"` or `"trailing bytes"`.
        part: &'static str,
    },

    /// The passphrase does not open this export (or the header's salt or key-derivation
    /// parameters were altered consistently with its checksum). Nothing was imported.
    #[error("wrong passphrase for this export")]
    ExportWrongPassphrase,

    /// A key-derivation parameter in the export header (or asked of export) is outside the
    /// range facegate accepts; a hostile file cannot make facegate allocate or compute without
    /// bound.
    #[error("key-derivation parameter `{param}` = {value} is outside {min}..={max}")]
    ExportKdfOutOfRange {
        /// `"memoryKib"`, `"iterations"`, `"parallelism"` or `"memoryKib*iterations"`.
        param: &'static str,
        /// The value found.
        value: u64,
        /// Smallest accepted.
        min: u64,
        /// Largest accepted.
        max: u64,
    },

    /// The export decrypted and authenticated, but its contents break the format (a bug in
    /// the program that wrote it). Nothing was imported.
    #[error("the export's contents are malformed: {reason}")]
    ExportMalformed {
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// Every code [`Error::code`] can return, in the order of the variants: the list the
    /// package's TypeScript (`EngineErrorCode` in `npm/types/generated.d.ts`) and its contract
    /// test are made from. A unit test checks it against `code`'s arms.
    pub const CODES: &'static [&'static str] = &[
        "modelIntegrity",
        "modelInvalid",
        "inference",
        "invalidConfig",
        "emptyImage",
        "encodedTooLarge",
        "unsupportedFormat",
        "imageTooLarge",
        "imageTooComplex",
        "imageHasNoPixels",
        "imageDecode",
        "pixelBufferMismatch",
        "faceOutOfImage",
        "faceUnusable",
        "consentRequired",
        "consentInvalid",
        "consentExpired",
        "invalidLabel",
        "formatCharacter",
        "teachingDisabled",
        "explanationCapReached",
        "unknownExplanation",
        "unknownDetection",
        "galleryFull",
        "galleryEmpty",
        "unknownReference",
        "referenceExpired",
        "noFaceFound",
        "faceChoiceRequired",
        "faceChoiceInvalid",
        "randomness",
        "passphraseRejected",
        "exportNotRecognized",
        "exportUnsupportedVersion",
        "exportTruncated",
        "exportTampered",
        "exportWrongPassphrase",
        "exportKdfOutOfRange",
        "exportMalformed",
    ];

    /// A stable, machine-readable name for the variant, in camelCase (for example
    /// `"modelIntegrity"`). It does not change between releases; the message may.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ModelIntegrity { .. } => "modelIntegrity",
            Error::ModelInvalid { .. } => "modelInvalid",
            Error::Inference { .. } => "inference",
            Error::InvalidConfig { .. } => "invalidConfig",
            Error::EmptyImage => "emptyImage",
            Error::EncodedTooLarge { .. } => "encodedTooLarge",
            Error::UnsupportedFormat { .. } => "unsupportedFormat",
            Error::ImageTooLarge { .. } => "imageTooLarge",
            Error::ImageTooComplex { .. } => "imageTooComplex",
            Error::ImageHasNoPixels { .. } => "imageHasNoPixels",
            Error::ImageDecode { .. } => "imageDecode",
            Error::PixelBufferMismatch { .. } => "pixelBufferMismatch",
            Error::FaceOutOfImage { .. } => "faceOutOfImage",
            Error::FaceUnusable { .. } => "faceUnusable",
            Error::ConsentRequired => "consentRequired",
            Error::ConsentInvalid { .. } => "consentInvalid",
            Error::ConsentExpired { .. } => "consentExpired",
            Error::InvalidLabel { .. } => "invalidLabel",
            Error::FormatCharacter { .. } => "formatCharacter",
            Error::TeachingDisabled => "teachingDisabled",
            Error::ExplanationCapReached { .. } => "explanationCapReached",
            Error::UnknownExplanation { .. } => "unknownExplanation",
            Error::UnknownDetection { .. } => "unknownDetection",
            Error::GalleryFull { .. } => "galleryFull",
            Error::GalleryEmpty => "galleryEmpty",
            Error::UnknownReference { .. } => "unknownReference",
            Error::ReferenceExpired { .. } => "referenceExpired",
            Error::NoFaceFound => "noFaceFound",
            Error::FaceChoiceRequired { .. } => "faceChoiceRequired",
            Error::FaceChoiceInvalid { .. } => "faceChoiceInvalid",
            Error::Randomness { .. } => "randomness",
            Error::PassphraseRejected { .. } => "passphraseRejected",
            Error::ExportNotRecognized => "exportNotRecognized",
            Error::ExportUnsupportedVersion { .. } => "exportUnsupportedVersion",
            Error::ExportTruncated { .. } => "exportTruncated",
            Error::ExportTampered { .. } => "exportTampered",
            Error::ExportWrongPassphrase => "exportWrongPassphrase",
            Error::ExportKdfOutOfRange { .. } => "exportKdfOutOfRange",
            Error::ExportMalformed { .. } => "exportMalformed",
        }
    }
}

/// `Result` with facegate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_camel_case_and_distinct() {
        let errors = [
            Error::EmptyImage,
            Error::UnsupportedFormat { detected: Some("tiff") },
            Error::ImageHasNoPixels { width: 0, height: 3 },
            Error::EncodedTooLarge { bytes: 2, limit: 1 },
        ];
        let codes: Vec<_> = errors.iter().map(Error::code).collect();
        assert_eq!(codes, ["emptyImage", "unsupportedFormat", "imageHasNoPixels", "encodedTooLarge"]);
    }

    #[test]
    fn codes_lists_every_code_once() {
        let source = include_str!("error.rs");
        let body = &source[source.find("pub fn code(&self)").unwrap()..source.find("/// `Result` with").unwrap()];
        let arms: Vec<&str> = body.split("=> \"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
        assert!(arms.len() > 30, "only {} arms found in Error::code", arms.len());
        assert_eq!(Error::CODES, arms.as_slice(), "Error::CODES differs from the arms of Error::code");
        let distinct: std::collections::HashSet<_> = Error::CODES.iter().collect();
        assert_eq!(distinct.len(), Error::CODES.len(), "a code is used twice");
    }

    #[test]
    fn unsupported_format_message_names_the_format() {
        let e = Error::UnsupportedFormat { detected: Some("heic") };
        assert!(e.to_string().contains("heic"), "{e}");
        let e = Error::UnsupportedFormat { detected: None };
        assert!(e.to_string().contains("not a JPEG"), "{e}");
    }
}
