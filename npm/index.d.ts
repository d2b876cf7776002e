// facegate: TypeScript declarations for the public JS API.
//
// The shapes that cross the wasm boundary (faces, detections, options, consents, results, the
// engine's error codes) are generated from the Rust types into types/generated.d.ts (see
// facegate-wasm/src/dto.rs); this file adds what JavaScript makes of them and the package's own API.
// tests/contract/ checks both with `tsc --noEmit` and compares the error codes of every layer.

import type {
  BoundingBox, Consent, ConsentRecord, CosineRow, Detection, DetectorOptions, EngineErrorCode, Face, GalleryOptions, IdentifyResult,
  MatchResult, Point, QualityReason, ReferenceInfo, TeachingOptions, Transform,
} from './types/generated.js';

export type {
  BoundingBox, Consent, ConsentRecord, CosineRow, Detection, DetectorOptions, DetectorRun, EngineErrorCode, Face, GalleryOptions,
  IdentifyResult, Landmarks, MatchResult, OperatingPoint, Outcome, Point, Purpose, QualityReason, ReferenceInfo, Subject,
  TeachingOptions, Timestamp, Transform,
} from './types/generated.js';

/** The box of a face (`Face.bbox`): the older name of `BoundingBox`. */
export type Box = BoundingBox;
/** The consent of a reference as `list()` gives it back (the older name of `ConsentRecord`). */
export type ConsentInfo = ConsentRecord;

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

/** A kept detection as a call's image: used once (then wiped); `unknownDetection` once used, replaced, erased or after 60 s. */
export interface KeptDetection { detection: string }

export interface LoadProgress {
  /** What is loading: the wasm, each model, then preparing the networks. */
  stage: 'wasm' | 'detector' | 'recognizer' | 'prepare';
  /** Bytes received so far, over all files. */
  loaded: number;
  /**
   * Bytes to receive in all. It drops once if the threaded build's glue cannot be loaded and
   * the one-thread build is fetched instead (none of the threaded wasm's bytes were counted).
   */
  total: number;
  /** loaded / total: reaches 1. */
  fraction: number;
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

/** Which face to use when a photo holds several: its index (largest first) or a point inside its box. */
export type FaceChoice = number | Point;

export interface EnrollOptions { consent: Consent; label: string; face?: FaceChoice }

/**
 * One audit-log entry: `event` is 'consentGiven', 'enrolled', 'compared', 'withdrawn', 'expired',
 * 'exported', 'imported', 'erased', 'explained' or 'explanationsCompared'; ids, decisions and
 * counts only, never a label, name, image, template or score.
 */
export interface AuditEvent { at: number; event: string; [detail: string]: unknown }

/**
 * The codes the package's JavaScript raises itself (`PACKAGE_CODES` in src/protocol.js): a file
 * that cannot be fetched, a wasm file that fails its SHA-256, a stopped worker, an engine that
 * stopped during the call and was started again (`engineRestarted`: trying again is safe), a
 * disposed FaceGate, a call before loading, a wrong argument, an unreadable image, a bug.
 */
export type PackageErrorCode =
  | 'fetchFailed' | 'wasmIntegrity' | 'workerFailed' | 'engineRestarted' | 'disposed' | 'notLoaded' | 'invalidInput' | 'invalidImage' | 'internal';

/** Every code a FaceGateError can carry: the engine's (from Rust) and the package's. */
export type ErrorCode = EngineErrorCode | PackageErrorCode;

export declare class FaceGateError extends Error {
  /**
   * Stable machine-readable kind, e.g. "consentRequired", "modelIntegrity", "unknownReference",
   * "faceUnusable" (enroll: the reference's face failed the quality gate; `reason` says why).
   */
  readonly code: ErrorCode;
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
  transform: Transform;
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
    /** 'restarted': the engine stopped and was started again, and the references it held were erased with it. */
    reason: 'enrolled' | 'withdrawn' | 'erased' | 'imported' | 'expired' | 'restarted';
    /** For 'expired': the ids erased. */
    references: string[];
  };
}

/** The `restarted` event: the engine stopped and was started again in a fresh worker. */
export interface RestartedEvent extends Event {
  detail: {
    /** The trap's name and message, e.g. "RuntimeError: unreachable" (no image or biometric data). */
    cause: string;
    /** References the stopped engine held, erased with it (the new engine starts with none; its audit log starts again; the teaching view's count carries over). */
    referencesErased: number;
    /** How long starting the new worker took, in ms (0 if the stopped one had already been replaced). */
    restartMs: number;
  };
}

export declare class FaceGate {
  /**
   * Starts the worker, fetches and checks the wasm and models (SHA-256), builds the engine. It resolves
   * once the files are parsed; the networks are planned right after, one at a time between your calls (a call
   * made at once waits for the planning it needs: about half a second for the detector in Chromium on 2 cores).
   */
  static load(options: LoadOptions & { teaching: true | TeachingOptions }): Promise<TeachingFaceGate>;
  static load(options?: LoadOptions): Promise<FaceGate>;
  /** The wasm build in use. */
  readonly wasmBuild: 'threads' | 'relaxed-simd' | 'simd128';
  /** Threads the networks run on: 1 unless the page is cross-origin isolated. */
  readonly threads: number;
  /** Milliseconds from the start of loading (in the worker) to each phase: wasmFetched, detectorFetched, recognizerFetched, wasmInstantiated, threadsStarted (threads only), engineBuilt (the files parsed; the networks are planned after it). */
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
  /**
   * The engine stopped (a WebAssembly trap: out of memory, a browser limit, a bug) and runs again
   * in a fresh worker: the call under way then rejected with `engineRestarted`; calls that had
   * reached the stopped engine ran on the new one, in order, unless references were erased (then
   * they rejected with `engineRestarted`, unrun). After three restarts calls fail with `workerFailed`.
   */
  addEventListener(type: 'restarted', listener: (event: RestartedEvent) => void, options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'change', listener: (event: ChangeEvent) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: 'restarted', listener: (event: RestartedEvent) => void, options?: boolean | EventListenerOptions): void;
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
