// Generated from the Rust types (facegate-wasm/src/dto.rs and the types it uses) by the test
// `generated_typescript_is_up_to_date` (facegate-wasm/src/dto.rs). Do not edit: change the Rust
// types, then run
//   FACEGATE_UPDATE_TYPES=1 cargo test --release -p facegate-wasm --lib generated_typescript

export type Point = { 
/**
 * Horizontal coordinate, pixels.
 */
x: number, 
/**
 * Vertical coordinate, pixels.
 */
y: number, };

export type BoundingBox = { 
/**
 * Left edge.
 */
x: number, 
/**
 * Top edge.
 */
y: number, 
/**
 * Width (never negative).
 */
width: number, 
/**
 * Height (never negative).
 */
height: number, };

export type Landmarks = { 
/**
 * Centre of the subject's right eye.
 */
rightEye: Point, 
/**
 * Centre of the subject's left eye.
 */
leftEye: Point, 
/**
 * Tip of the nose.
 */
nose: Point, 
/**
 * Right corner of the mouth (subject's right).
 */
rightMouth: Point, 
/**
 * Left corner of the mouth (subject's left).
 */
leftMouth: Point, };

export type Face = { 
/**
 * The face box, clipped to the image.
 */
bbox: BoundingBox, 
/**
 * Detector confidence in `0.0..=1.0`.
 */
score: number, 
/**
 * The five landmarks (may lie outside the image for faces cut by its border).
 */
landmarks: Landmarks, 
/**
 * How far the photo had to be turned for the detector to find this face upright
 * ([`Rotation::None`] for an upright photo; see
 * [`OrientationConfig`](crate::OrientationConfig)). Box and landmarks are in the photo's
 * own pixels whatever the turn.
 */
rotation: 0 | 90 | 180 | 270, };

export type DetectorRun = { 
/**
 * Longest side of the detector input the faces come from, in pixels.
 */
inputSize: number, 
/**
 * Width of that input, in pixels.
 */
inputWidth: number, 
/**
 * Height of that input, in pixels.
 */
inputHeight: number, 
/**
 * Network runs for this image: 1 to 3, or 1 + `closeLooks`.
 */
runs: number, 
/**
 * Faces looked at again closely, each in a window of the full-size input around it (then
 * `inputWidth` x `inputHeight` is the largest window); 0: the faces come from a look at the
 * whole image.
 */
closeLooks: number, 
/**
 * Whether the faces were found only after framing the image with a border.
 */
withBorder: boolean, };

export type Detection = { 
/**
 * The image's width, in pixels.
 */
width: number, 
/**
 * The image's height, in pixels.
 */
height: number, 
/**
 * Every face found, largest first.
 */
faces: Array<Face>, 
/**
 * How the detector looked at the image.
 */
detector: DetectorRun, 
/**
 * The kept detection's handle (with `keep: true`), else absent.
 */
detection?: string, 
/**
 * When it is wiped at the latest (ms since the epoch), with `detection`.
 */
keptUntil?: number, };

export type DetectorOptions = { 
/**
 * Longest side of the detector input, a multiple of 32 from 96 to 1920 (landscape images get a landscape input). Default 640.
 */
inputSize?: number, 
/**
 * Lowest detector score kept, (0, 1]. Default 0.6.
 */
scoreThreshold?: number, 
/**
 * Non-maximum-suppression IoU, (0, 1]. Default 0.3.
 */
nmsIou?: number, 
/**
 * Most faces per image, 1..1000. Default 100.
 */
maxFaces?: number, 
/**
 * When no face is found, look once more with the image framed by a border (a face filling
 * or cut by the frame). Default true.
 */
retryWithBorder?: boolean, 
/**
 * Longest side of a quick first look (a multiple of 32 from 96 to 1920; 0: none). Its faces
 * are kept when the largest is at least `quickMinFace` px wide in it; smaller faces are
 * each looked at again closely (`closeMaxSize`); with no face, the image is looked at
 * again at `inputSize`. Default 320.
 */
quickInputSize?: number, 
/**
 * See `quickInputSize`, in pixels of the quick input, 8 to 1920. Default 192 (a face
 * filling about 60 % of the frame's width: close-ups and ID photos).
 */
quickMinFace?: number, 
/**
 * Largest close-look window (a multiple of 64 from 128 to 1920; 0: none, small faces send
 * the image to `inputSize`): each smaller face of the quick look is looked at again in a
 * window of the `inputSize` input around it, twice its width. Default 448.
 */
closeMaxSize?: number, };

export type GalleryOptions = { 
/**
 * Most references held, 1..100. Default 10.
 */
maxReferences?: number, 
/**
 * Decision threshold, named by its false-match rate. Default 'fmr1e3'.
 */
operatingPoint?: OperatingPoint, };

export type TeachingOptions = { 
/**
 * Faces that may be explained in this session (a FaceGate's life, across eraseAll), 0..1000. Default 20.
 */
maxExplanations?: number, 
/**
 * How long an explained face's template stays held for a comparison, ms, 1000..3600000. Default 600000 (10 min).
 */
holdMs: number, };

export type OperatingPoint = "fmr1e2" | "fmr1e3" | "fmr1e4";

export type Outcome = "likelySamePerson" | "likelyDifferentPeople" | "cannotTell";

export type QualityReason = "tooDark" | "tooBlurred" | "faceCovered" | "faceTooSmall" | "faceRotated" | "notFrontal" | "faceOutsidePhoto" | "unclear";

export type MatchResult = { 
/**
 * The reference compared with.
 */
referenceId: string, 
/**
 * Its label.
 */
label: string, 
/**
 * The decision.
 */
outcome: Outcome, 
/**
 * Why facegate cannot tell; null for the other outcomes.
 */
reason: QualityReason | null, 
/**
 * Cosine similarity, -1..1; null when facegate cannot tell (none was computed).
 */
similarity: number | null, 
/**
 * The threshold of the operating point.
 */
threshold: number, 
/**
 * True only for the outcome 'likelySamePerson'.
 */
likelySamePerson: boolean, 
/**
 * "likely the same person", "likely different people" or "cannot tell"; never "identified".
 */
wording: string, 
/**
 * The operating point the threshold belongs to.
 */
operatingPoint: OperatingPoint, 
/**
 * The false-match rate the threshold was calibrated for.
 */
falseMatchRate: number, };

export type IdentifyResult = { 
/**
 * The most similar reference when it is "likely the same person", else null.
 */
best: MatchResult | null, 
/**
 * Every reference compared, most similar first; each 'cannotTell' when the probe failed the quality gate.
 */
candidates: Array<MatchResult>, };

export type Timestamp = number;

export type Subject = { "kind": "selfPerson" } | { "kind": "otherPersonConsented", 
/**
 * Name or pseudonym as typed by the user (1 to 100 characters).
 */
name: string, };

export type Purpose = { "kind": "verifyItIsMe" } | { "kind": "compareWithConsentingPerson" } | { "kind": "other", 
/**
 * The purpose as stated to the person.
 */
description: string, };

export type Consent = { 
/**
 * Whose face; required (a missing one is `consentInvalid`, naming the field).
 */
subject: Subject | 'self' | { otherPerson: string }, 
/**
 * What the reference may be used for.
 */
purpose: Purpose | 'verifyItIsMe' | 'compareWithConsentingPerson' | { other: string }, 
/**
 * The exact text the user was shown and agreed to (facegate keeps only its SHA-256).
 */
consentText: string, 
/**
 * When the consent ends (ms since the epoch); the reference is erased then.
 */
expiresAt?: number, };

export type ConsentRecord = { subject: Subject, purpose: Purpose, givenAt: Timestamp, textSha256: string, expiresAt: Timestamp | null, };

export type ReferenceInfo = { 
/**
 * The reference's id.
 */
id: string, 
/**
 * The label the user gave.
 */
label: string, 
/**
 * When it was enrolled.
 */
createdAt: Timestamp, 
/**
 * The consent it was enrolled under.
 */
consent: ConsentRecord, 
/**
 * Size of the template held, in bytes (128 values x 4 bytes).
 */
templateBytes: number, };

export type Transform = { 
/**
 * Scale times the cosine of the rotation.
 */
a: number, 
/**
 * Scale times the sine of the rotation.
 */
b: number, 
/**
 * Horizontal shift, crop pixels.
 */
tx: number, 
/**
 * Vertical shift, crop pixels.
 */
ty: number, };

export type CosineRow = { 
/**
 * Position of the value, from 1 to 128.
 */
position: number, 
/**
 * Value of template A there, to 4 decimals.
 */
a: number, 
/**
 * Value of template B there, to 4 decimals.
 */
b: number, 
/**
 * A x B, to 5 decimals.
 */
product: number, 
/**
 * Sum of the products up to here, to 4 decimals.
 */
runningSum: number, };

/** Every code the engine's errors carry (`Error::code` in src/error.rs). */
export type EngineErrorCode =
  | 'modelIntegrity'
  | 'modelInvalid'
  | 'inference'
  | 'invalidConfig'
  | 'emptyImage'
  | 'encodedTooLarge'
  | 'unsupportedFormat'
  | 'imageTooLarge'
  | 'imageTooComplex'
  | 'imageHasNoPixels'
  | 'imageDecode'
  | 'pixelBufferMismatch'
  | 'faceOutOfImage'
  | 'faceUnusable'
  | 'consentRequired'
  | 'consentInvalid'
  | 'consentExpired'
  | 'invalidLabel'
  | 'formatCharacter'
  | 'teachingDisabled'
  | 'explanationCapReached'
  | 'unknownExplanation'
  | 'unknownDetection'
  | 'galleryFull'
  | 'galleryEmpty'
  | 'unknownReference'
  | 'referenceExpired'
  | 'noFaceFound'
  | 'faceChoiceRequired'
  | 'faceChoiceInvalid'
  | 'randomness'
  | 'passphraseRejected'
  | 'exportNotRecognized'
  | 'exportUnsupportedVersion'
  | 'exportTruncated'
  | 'exportTampered'
  | 'exportWrongPassphrase'
  | 'exportKdfOutOfRange'
  | 'exportMalformed';
