// facegate: TypeScript declarations for the public JS API (hand-written: this is what users see).

/** Anything facegate can read a face from. Encoded bytes: JPEG, PNG, WebP, GIF or BMP. */
export type ImageLike =
  | Blob
  | File
  | ImageBitmap
  | ImageData
  | HTMLImageElement
  | HTMLCanvasElement
  | HTMLVideoElement
  | OffscreenCanvas
  | VideoFrame
  | Uint8Array
  | ArrayBuffer;

export interface Point { x: number; y: number }
export interface Box { x: number; y: number; width: number; height: number }

/** Five landmarks; "right"/"left" are the subject's (the right eye appears on the image's left). */
export interface Landmarks { rightEye: Point; leftEye: Point; nose: Point; rightMouth: Point; leftMouth: Point }

export interface Face {
  /** Face box in image pixels, clipped to the image. */
  bbox: Box;
  /** Detector confidence, 0..1. */
  score: number;
  landmarks: Landmarks;
  /**
   * How far the photo had to be turned (degrees clockwise) for the face to be found upright:
   * 0 for an upright photo; 90, 180 or 270 for a photo taken sideways or upside down. Box and
   * landmarks are in the photo's own pixels whatever the turn.
   */
  rotation: 0 | 90 | 180 | 270;
}

/** How the detector looked at the image: the input it ran at (the full size, 640, or the quick look's size when that is on and found a large enough face). */
export interface DetectorRun {
  /** Longest side of the detector input the faces come from, in pixels. */
  inputSize: number;
  inputWidth: number;
  inputHeight: number;
  /** Network runs for this image (1 to 3). */
  runs: number;
  /** Whether the faces were found only after framing the image with a border. */
  withBorder: boolean;
}

/**
 * The image's own size and faces, in its own pixels (EXIF orientation applied), also when a
 * large photo was decoded smaller for speed and memory.
 */
export interface Detection {
  width: number; height: number; faces: Face[]; detector: DetectorRun;
  /** With `detect(image, { keep: true })`: the kept detection's handle, for the next call's image (`{ detection }`). */
  detection?: string;
  /** When the kept detection is wiped at the latest (ms since the epoch): 60 s after it was made. */
  keptUntil?: number;
}

/** A kept detection as a call's image: used once (then wiped); `unknownDetection` once used, replaced, erased or after 60 s. */
export interface KeptDetection { detection: string }

export interface LoadProgress {
  /** What is loading: the wasm, each model, then preparing the networks. */
  stage: 'wasm' | 'detector' | 'recognizer' | 'prepare';
  /** Bytes received so far, over all files. */
  loaded: number;
  /** Bytes to receive in all. */
  total: number;
  /** loaded / total: reaches 1. */
  fraction: number;
}

export interface DetectorOptions {
  /** Longest side of the detector input, a multiple of 32 from 96 to 1920 (landscape images get a landscape input). Default 640. */
  inputSize?: number;
  /** Longest side of a quick first look (a multiple of 32 from 96 to 1920; 0: none). Its faces are kept when the largest is at least `quickMinFace` px wide in it, else the image is looked at again at `inputSize`. Default 0 (none): 320 pays off only where faces fill the frame. */
  quickInputSize?: number;
  /** See `quickInputSize`. Default 128. */
  quickMinFace?: number;
  /** Lowest detector score kept, (0, 1]. Default 0.6. */
  scoreThreshold?: number;
  /** Non-maximum-suppression IoU, (0, 1]. Default 0.3. */
  nmsIou?: number;
  /** Most faces per image, 1..1000. Default 100. */
  maxFaces?: number;
}

export type OperatingPoint = 'fmr1e2' | 'fmr1e3' | 'fmr1e4';

export interface GalleryOptions {
  /** Most references held, 1..100. Default 10. */
  maxReferences?: number;
  /** Decision threshold, named by its false-match rate. Default 'fmr1e3'. */
  operatingPoint?: OperatingPoint;
}

/** The teaching view's settings: `true` is `{ maxExplanations: 20, holdMs: 600000 }`. */
export interface TeachingOptions {
  /** Faces that may be explained in this session (a FaceGate's life, across eraseAll), 0..1000. Default 20. */
  maxExplanations?: number;
  /** How long an explained face's template stays held for a comparison, ms, 1000..3600000. Default 600000 (10 min). */
  holdMs?: number;
}

export interface LoadOptions {
  /** Folder URL holding the two .onnx files. Default: the package's own models/. */
  modelsUrl?: string | URL;
  /** URL of a wasm build, checked as `wasmVariant` ('simd128' unless said otherwise). Default: the package's own. */
  wasmUrl?: string | URL;
  /** Which build: 'auto' (default: 'threads' when more than one thread can run, else 'relaxed-simd' where the browser supports it, else 'simd128'). */
  wasmVariant?: 'auto' | 'threads' | 'simd128' | 'relaxed-simd';
  /**
   * Threads the networks run on, 1 to 64. Default: min(4, navigator.hardwareConcurrency). More
   * than 1 needs a cross-origin isolated page (COOP same-origin + COEP require-corp); otherwise
   * one thread is used, as `FaceGate.threads` says.
   */
  threads?: number;
  /** URL of worker.js. Default: the package's own. */
  workerUrl?: string | URL;
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Cancels the load: aborting it before `load` resolves ends the worker (its downloads are
   * cancelled) and `load` rejects with `signal.reason`. Aborting later has no effect.
   */
  signal?: AbortSignal;
  detector?: DetectorOptions;
  gallery?: GalleryOptions;
  /**
   * Adds the teaching view (`explain`, `compareExplained`, `releaseExplanation`), which returns
   * biometric data: a picture of a face's template. Off by default, and then those methods do not
   * exist on the FaceGate.
   */
  teaching?: boolean | TeachingOptions;
}

/** Whose face a reference shows. */
export type Subject = 'self' | { otherPerson: string };
/** What a reference may be used for. */
export type Purpose = 'verifyItIsMe' | 'compareWithConsentingPerson' | { other: string };

/** The consent the user gave for one reference image. */
export interface Consent {
  subject: Subject;
  purpose: Purpose;
  /** The exact text the user was shown and agreed to (facegate keeps only its SHA-256). */
  consentText: string;
  /** When the consent ends (ms since the epoch); the reference is erased then. */
  expiresAt?: number;
}

/** Which face to use when a photo holds several: its index (largest first) or a point inside its box. */
export type FaceChoice = number | Point;

export interface EnrollOptions { consent: Consent; label: string; face?: FaceChoice }

/** The three outcomes of a comparison. */
export type Outcome = 'likelySamePerson' | 'likelyDifferentPeople' | 'cannotTell';

/**
 * Why facegate cannot tell (the probe's face failed the quality gate): at the stated
 * false-match rate, such a face would "match" too many other people. Also the `reason` of a
 * `faceUnusable` error, with which `enroll` refuses such a reference.
 */
export type QualityReason =
  | 'faceOutsidePhoto' | 'faceRotated' | 'notFrontal' | 'faceTooSmall' | 'tooDark' | 'tooBlurred' | 'faceCovered' | 'unclear';

export interface MatchResult {
  referenceId: string;
  label: string;
  outcome: Outcome;
  /** Why facegate cannot tell; null for the other outcomes. */
  reason: QualityReason | null;
  /** Cosine similarity, -1..1; null when facegate cannot tell (none was computed). */
  similarity: number | null;
  threshold: number;
  /** True only for the outcome 'likelySamePerson'. */
  likelySamePerson: boolean;
  /** "likely the same person", "likely different people" or "cannot tell"; never "identified". */
  wording: string;
  operatingPoint: OperatingPoint;
  /** The false-match rate the threshold was calibrated for. */
  falseMatchRate: number;
}

export interface IdentifyResult {
  /** The most similar reference when it is "likely the same person", else null. */
  best: MatchResult | null;
  /** Every reference compared, most similar first; each 'cannotTell' when the probe failed the quality gate. */
  candidates: MatchResult[];
}

export interface ConsentInfo {
  subject: { kind: 'selfPerson' } | { kind: 'otherPersonConsented'; name: string };
  purpose: { kind: 'verifyItIsMe' } | { kind: 'compareWithConsentingPerson' } | { kind: 'other'; description: string };
  givenAt: number;
  textSha256: string;
  expiresAt: number | null;
}

/** What is held about one reference. Never the template itself. */
export interface ReferenceInfo {
  id: string;
  label: string;
  createdAt: number;
  consent: ConsentInfo;
  templateBytes: number;
}

/**
 * One audit-log entry: `event` is 'consentGiven', 'enrolled', 'compared', 'withdrawn', 'expired',
 * 'exported', 'imported', 'erased', 'explained' or 'explanationsCompared'; ids, decisions and
 * counts only, never a label, name, image, template or score.
 */
export interface AuditEvent { at: number; event: string; [detail: string]: unknown }

export declare class FaceGateError extends Error {
  /**
   * Stable machine-readable kind, e.g. "consentRequired", "modelIntegrity", "unknownReference",
   * "faceUnusable" (enroll: the reference's face failed the quality gate; `reason` says why).
   */
  readonly code: string;
  /** For "faceUnusable": why the face cannot be used. */
  readonly reason?: QualityReason;
}

/** The teaching view of one face: what a lesson draws of each step (see `TeachingFaceGate.explain`). */
export interface Explanation {
  /** The opaque handle under which the worker holds this face's template (for `compareExplained`). */
  explanation: string;
  width: number;
  height: number;
  /** Every face found, largest first. Only `faces[chosen]` was aligned and embedded. */
  faces: Face[];
  chosen: number;
  /** Image -> crop similarity transform: x' = a*x - b*y + tx, y' = b*x + a*y + ty. */
  transform: { a: number; b: number; tx: number; ty: number };
  /** The 112x112 aligned crop the recognizer saw, RGBA (usable as `new ImageData(data, 112, 112)`). */
  aligned: { data: Uint8ClampedArray; width: 112; height: 112 };
  /**
   * The template as a picture: 128 signed bytes, -127..127 (the largest magnitude is ±127). Still
   * biometric data: it matches the face it comes from. Not the template.
   */
  strip: Int8Array;
  /** The template's values at positions 1, 2, 3, 4 and 128, to 4 decimals (what a lesson prints). */
  printed: number[];
  /** Values in the template: 128. */
  templateLength: number;
  /** Its size in memory: 512 bytes. */
  templateBytes: number;
  /** When the held template is wiped at the latest (ms since the epoch). */
  heldUntil: number;
  /** Faces this session may still explain. */
  explanationsLeft: number;
}

/** One printed row of the cosine computed step by step. */
export interface CosineRow {
  /** 1..128. */
  position: number;
  /** A's value there, 4 decimals. */
  a: number;
  /** B's value there, 4 decimals. */
  b: number;
  /** A × B, 5 decimals. */
  product: number;
  /** Sum of the products up to here, 4 decimals. */
  runningSum: number;
}

/** The cosine of two explained faces, step by step (see `TeachingFaceGate.compareExplained`). */
export interface CosineSteps {
  /** Positions 1, 2, 3, 4 and 128. */
  rows: CosineRow[];
  /** The 128 products as a picture: signed bytes, -127..127. */
  products: Int8Array;
  dot: number;
  lengthA: number;
  lengthB: number;
  /** The cosine similarity, as the matcher computes it. */
  cosine: number;
}

/** The `change` event: the set of references changed. */
export interface ChangeEvent extends Event {
  detail: {
    reason: 'enrolled' | 'withdrawn' | 'erased' | 'imported' | 'expired';
    /** For 'expired': the ids erased. */
    references: string[];
  };
}

export declare class FaceGate {
  /** Starts the worker, fetches and checks the wasm and models (SHA-256), builds the engine. */
  static load(options: LoadOptions & { teaching: true | TeachingOptions }): Promise<TeachingFaceGate>;
  static load(options?: LoadOptions): Promise<FaceGate>;
  /** The wasm build in use. */
  readonly wasmBuild: 'threads' | 'relaxed-simd' | 'simd128';
  /** Threads the networks run on: 1 unless the page is cross-origin isolated. */
  readonly threads: number;
  /** Milliseconds from the start of loading (in the worker) to each phase: wasmFetched, detectorFetched, recognizerFetched, wasmInstantiated, threadsStarted (threads only), engineBuilt. */
  readonly loadPhases: Record<string, number>;
  /**
   * Detection makes no template, so it needs no consent. It keeps the image only with `keep: true`:
   * then the decoded image and these faces wait (at most 60 s, two at a time) for the next call given `{ detection }`.
   */
  detect(image: ImageLike, options?: { keep?: boolean }): Promise<Detection>;
  enroll(image: ImageLike | KeptDetection, options: EnrollOptions): Promise<{ referenceId: string }>;
  verify(image: ImageLike | KeptDetection, referenceId: string, options?: { face?: FaceChoice }): Promise<MatchResult>;
  identify(image: ImageLike | KeptDetection, options?: { face?: FaceChoice }): Promise<IdentifyResult>;
  withdraw(referenceId: string): Promise<void>;
  /**
   * Erases everything, then restarts the worker (the only way to hand back WebAssembly memory);
   * the FaceGate stays usable. `restartMs`: how long the restart took.
   */
  eraseAll(options?: { auditLog?: boolean }): Promise<{ erased: number; restartMs: number }>;
  list(): Promise<ReferenceInfo[]>;
  /** Refuses a passphrase too easy to guess (`passphraseRejected`, with the reason). */
  exportGallery(passphrase: string): Promise<Uint8Array>;
  importGallery(bytes: Uint8Array | ArrayBuffer, passphrase: string): Promise<{ added: number; alreadyPresent: number; expiredErased: number; textsRepaired: number }>;
  /** Six random words of the EFF Long Wordlist, for `exportGallery`. */
  generatePassphrase(): Promise<string>;
  auditLog(): Promise<AuditEvent[]>;
  addEventListener(type: 'change', listener: (event: ChangeEvent) => void, options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'change', listener: (event: ChangeEvent) => void, options?: boolean | EventListenerOptions): void;
  /** Wipes the worker's state and stops it. */
  dispose(): Promise<void>;
}

/** A FaceGate loaded with `teaching`: it also has the teaching view, which returns biometric data. */
export declare class TeachingFaceGate extends FaceGate {
  /**
   * Every step for one face, as a lesson draws it; needs a consent naming whose face it is (as
   * `enroll` does), counts against the session's cap and is logged. The template stays in the
   * worker under `explanation`.
   */
  explain(image: ImageLike | KeptDetection, options: { consent: Consent; face?: FaceChoice }): Promise<Explanation>;
  /** The cosine of two explained faces, step by step. */
  compareExplained(a: string, b: string): Promise<CosineSteps>;
  /** Wipes an explained face's template now. */
  releaseExplanation(explanation: string): Promise<void>;
}

export default FaceGate;
