// facegate: private face matching in the browser. The public, promise-based API.
//
//   const fg = await FaceGate.load({ onProgress: (p) => console.log(p.fraction) });
//   const { referenceId } = await fg.enroll(file, { consent, label: 'me' });
//   const result = await fg.verify(cameraFrame, referenceId);
//   result.wording  // "likely the same person" / "likely different people"
//
// All work happens in a dedicated module Worker; nothing is sent over the network except the
// package's own static files (wasm, models), which are checked against their SHA-256.

import { FaceGateError } from './protocol.js';
import { toTransferable } from './image.js';

export { FaceGateError };

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((worker) => worker.terminate())
  : null;

export class FaceGate {
  #worker;
  // Pending calls and the progress callback live apart from `this`: the worker's handlers
  // reference only them, so an undisposed FaceGate can still be collected (and its worker
  // terminated by the FinalizationRegistry).
  #state = { pending: new Map(), onProgress: undefined };
  #nextId = 1;
  #disposed = false;
  #build = undefined;
  #threads = 1;
  #phases = {};

  /** The wasm build in use: 'threads' (cross-origin isolated pages), 'relaxed-simd' (faster, where supported) or 'simd128'. */
  get wasmBuild() {
    return this.#build;
  }

  /** How many threads the networks run on (1 unless the page is cross-origin isolated). */
  get threads() {
    return this.#threads;
  }

  /** Milliseconds from the worker's start of loading to each phase (files fetched, wasm instantiated, threads started, engine built). */
  get loadPhases() {
    return { ...this.#phases };
  }

  constructor(worker, onProgress) {
    this.#worker = worker;
    const state = this.#state;
    state.onProgress = onProgress;
    worker.onmessage = (event) => receive(state, event.data);
    worker.onerror = (event) => failAll(state, { code: 'workerFailed', message: event.message || 'the facegate worker failed' });
    registry?.register(this, worker, this);
  }

  /**
   * Starts the worker, fetches and verifies the wasm and both models, and builds the engine.
   *
   * Options (all optional):
   * - `modelsUrl`: folder URL holding the two .onnx files. Default: the package's own `models/`.
   * - `wasmUrl`: URL of a wasm build (checked as `wasmVariant`, default 'simd128' when given).
   * - `wasmVariant`: 'auto' (default: the threaded build when `threads` > 1 can be had, else
   *   relaxed SIMD where the browser supports it), 'threads', 'simd128' or 'relaxed-simd'.
   * - `threads`: threads the networks run on, 1 to 64. Default: min(4, navigator.hardwareConcurrency).
   *   More than 1 needs a cross-origin isolated page (`crossOriginIsolated`: served with
   *   Cross-Origin-Opener-Policy same-origin and Cross-Origin-Embedder-Policy require-corp); else
   *   one thread, as `fg.threads` then says.
   * - `workerUrl`: URL of `worker.js`. Default: the package's own.
   * - `onProgress({ stage, loaded, total, fraction })`: download progress, in order, ending at 1.
   * - `detector`: `{ inputSize: 640, scoreThreshold: 0.6, nmsIou: 0.3, maxFaces: 100 }`.
   * - `gallery`: `{ maxReferences: 10, operatingPoint: 'fmr1e3' }`.
   */
  static async load(options = {}) {
    // Written out literally so that bundlers (Vite, webpack) find and bundle the worker.
    const worker = options.workerUrl
      ? new Worker(options.workerUrl, { type: 'module', name: 'facegate' })
      : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'facegate' });
    const fg = new FaceGate(worker, options.onProgress);
    const config = { detector: options.detector ?? {}, gallery: options.gallery ?? {} };
    const urls = {
      modelsUrl: options.modelsUrl ? withSlash(String(new URL(String(options.modelsUrl), globalThis.location?.href))) : undefined,
      wasmUrl: options.wasmUrl ? String(new URL(String(options.wasmUrl), globalThis.location?.href)) : undefined,
    };
    try {
      const ready = await fg.#call('load', [{ ...urls, wasmVariant: options.wasmVariant, threads: options.threads, config }]);
      fg.#build = ready.build;
      fg.#threads = ready.threads ?? 1;
      fg.#phases = ready.phases ?? {};
    } catch (e) {
      fg.dispose();
      throw e;
    }
    return fg;
  }

  /** Every face in the image: `{ width, height, faces: [{ box, score, landmarks }] }`, largest first. */
  async detect(image) {
    return this.#withImage('detect', image, []);
  }

  /**
   * Enrols a reference: needs `{ consent, label, face? }`. `consent`: `{ subject: 'self' |
   * { otherPerson: name }, purpose, consentText, expiresAt? }`. `face`: an index or `{ x, y }`
   * when the photo holds several faces. Returns `{ referenceId, ... }`.
   */
  async enroll(image, options) {
    return this.#withImage('enroll', image, [options]);
  }

  /** Compares the image's face with one reference: `{ likelySamePerson, similarity, threshold, wording, ... }`. */
  async verify(image, referenceId, options = {}) {
    if (typeof referenceId !== 'string') {
      throw new FaceGateError({ code: 'invalidInput', message: 'verify(image, referenceId): referenceId must be the string enroll() returned' });
    }
    return this.#withImage('verify', image, [{ ...options, referenceId }]);
  }

  /** Finds the best match among this gallery's references only. */
  async identify(image, options = {}) {
    return this.#withImage('identify', image, [options]);
  }

  /**
   * The teaching view of one face: `{ width, height, faces, chosen, transform, aligned, template,
   * templateBytes }`, where `aligned` is the 112x112 crop the recognizer saw (`{ data, width,
   * height }`, RGBA) and `template` its 128 numbers (a `Float32Array`). The one call that returns
   * a template, so that it can be shown: it needs `{ consent }` as `enroll` does, keeps nothing,
   * and the caller should `template.fill(0)` when done. `face` picks one of several faces.
   */
  async explain(image, options) {
    return this.#withImage('explain', image, [options ?? {}]);
  }

  /** Withdraws consent for one reference: its template is erased at once. */
  async withdraw(referenceId) {
    if (typeof referenceId !== 'string') {
      throw new FaceGateError({ code: 'invalidInput', message: 'withdraw(referenceId): referenceId must be the string enroll() returned' });
    }
    return this.#call('withdraw', [referenceId]);
  }

  /** Erases everything held: references, keys and (with `{ auditLog: true }`) the audit log. */
  eraseAll(options = {}) {
    return this.#call('eraseAll', [options]);
  }

  /** Everything held, per reference: label, dates, consent record, template size. Never templates. */
  list() {
    return this.#call('list', []);
  }

  /** The gallery, encrypted with a key derived from `passphrase`: a `Uint8Array` to save. */
  exportGallery(passphrase) {
    return this.#call('exportGallery', [{ passphrase }]);
  }

  /** Restores an exported gallery. */
  async importGallery(bytes, passphrase) {
    return this.#call('importGallery', [toBytes(bytes), { passphrase }]);
  }

  /** The local audit log: consent, enrolment, comparison, withdrawal... with no biometric data. */
  auditLog() {
    return this.#call('auditLog', []);
  }

  /** Wipes the worker's state and stops it. Safe to call twice. */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    registry?.unregister(this);
    const worker = this.#worker;
    try {
      await Promise.race([this.#send('dispose', [], []), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // The worker is going away regardless.
    }
    worker.terminate();
    failAll(this.#state, { code: 'disposed', message: 'this FaceGate was disposed' });
  }

  async #withImage(method, image, rest) {
    const { payload, transfer } = await toTransferable(image);
    return this.#send(method, [payload, ...rest], transfer);
  }

  #call(method, args) {
    return this.#send(method, args, []);
  }

  #send(method, args, transfer) {
    if (this.#disposed && method !== 'dispose') {
      return Promise.reject(new FaceGateError({ code: 'disposed', message: 'this FaceGate was disposed' }));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#state.pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, method, args }, transfer);
    });
  }
}

function receive(state, message) {
  if (message?.progress) {
    const p = message.progress;
    state.onProgress?.({ ...p, fraction: p.total ? p.loaded / p.total : 0 });
    return;
  }
  const pending = state.pending.get(message?.id);
  if (!pending) return;
  state.pending.delete(message.id);
  if (message.ok) pending.resolve(message.result);
  else pending.reject(new FaceGateError(message.error));
}

function failAll(state, error) {
  for (const { reject } of state.pending.values()) reject(new FaceGateError(error));
  state.pending.clear();
}

function withSlash(url) {
  return url.endsWith('/') ? url : `${url}/`;
}

function toBytes(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new FaceGateError({ code: 'invalidInput', message: 'expected a Uint8Array or ArrayBuffer' });
}

export default FaceGate;
