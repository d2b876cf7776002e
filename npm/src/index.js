// facegate: private face matching in the browser. The public, promise-based API.
//
//   const fg = await FaceGate.load({ onProgress: (p) => console.log(p.fraction) });
//   const { referenceId } = await fg.enroll(file, { consent, label: 'me' });
//   const result = await fg.verify(cameraFrame, referenceId);
//   result.wording  // "likely the same person" / "likely different people"
//
// All work happens in a dedicated module Worker; nothing is sent over the network except the
// package's own static files (wasm, models), which are checked against their SHA-256.
// Templates stay inside the worker's wasm core (they leave it only encrypted, in an export);
// `explain`, the teaching view, exists only when `load` was asked for `teaching: true`.

import { CODE, FaceGateError, transferablesIn } from './protocol.js';
import { toTransferable } from './image.js';

export { FaceGateError };

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((worker) => worker.terminate())
  : null;

/** How many times one FaceGate starts its engine again after it stopped (see `#recover`), in its life, before it gives up. */
const MAX_RECOVERIES = 3;

/** A weak reference to `fg` (a strong one where WeakRef is missing: there FinalizationRegistry is too). */
function weakly(fg) {
  return typeof WeakRef === 'function' ? new WeakRef(fg) : { deref: () => fg };
}

export class FaceGate {
  #worker;
  // Pending calls, the progress callback and the event listeners live apart from `this`: the
  // worker's handlers reference only them, so an undisposed FaceGate can still be collected (and
  // its worker terminated by the FinalizationRegistry).
  #state = { pending: new Map(), onProgress: undefined, events: new EventTarget() };
  #nextId = 1;
  #disposed = false;
  #build = undefined;
  #threads = 1;
  #phases = {};
  // How to start a fresh worker like this one (eraseAll restarts it): its URL and engine options.
  #workerUrl = undefined;
  #config = undefined;
  // While the worker restarts, calls wait for it.
  #restarting = null;
  // Engine stops recovered from so far, the last one's `{ cause, referencesErased }`, the calls
  // the stopped engine sent back unrun (resent once the new one is up, in the order made), and
  // the error every call gets once recovering failed or was given up.
  #recoveries = 0;
  #lastStop = null;
  #unrunCalls = [];
  #broken = null;
  #imageQueue = Promise.resolve();

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
    this.#state.onProgress = onProgress;
    // The worker's handlers reach this FaceGate only through a weak reference (see #state).
    this.#state.owner = weakly(this);
    this.#attach(worker);
  }

  #attach(worker) {
    this.#worker = worker;
    const state = this.#state;
    worker.onmessage = (event) => {
      if (event.data?.stopped) state.owner.deref()?.#recover(event.data.stopped);
      else receive(state, event.data);
    };
    // An error the worker did not catch (it could not start; a failure in a nested worker, such as
    // a pool thread of the threaded build): it may be stuck, so it is ended and every call fails.
    worker.onerror = (event) => {
      const error = { code: CODE.workerFailed, message: event.message || 'the facegate worker failed' };
      const fg = state.owner.deref();
      if (fg) fg.#giveUp(new FaceGateError(error));
      else failAll(state, error);
    };
    registry?.register(this, worker, this);
  }

  /**
   * Listens for `'change'`: the set of references changed (`event.detail.reason`: 'enrolled',
   * 'withdrawn', 'erased', 'imported', 'expired' or 'restarted', with the ids erased in
   * `detail.references` for an expiry). A consent that ends while the page is idle erases its
   * reference at that time and fires 'change', with no call made.
   *
   * And for `'restarted'`: the engine stopped (a WebAssembly trap: out of memory, a browser
   * limit, a bug) and runs again in a fresh worker. `event.detail` is `{ cause, referencesErased,
   * restartMs }` (`cause`: the trap's name and message, no image or biometric data; `restartMs`:
   * how long the restart took). The call under way at
   * that moment rejects with `engineRestarted`. Calls that reached the stopped engine after it
   * run on the new one, in order, unless references were erased with it (then they reject with
   * `engineRestarted`, unrun); calls made later wait for the new engine. After three restarts
   * in a FaceGate's life, every call fails with `workerFailed`.
   */
  addEventListener(type, listener, options) {
    this.#state.events.addEventListener(type, listener, options);
  }

  /** Stops listening (see `addEventListener`). */
  removeEventListener(type, listener, options) {
    this.#state.events.removeEventListener(type, listener, options);
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
   * - `detector`: `{ inputSize: 640, quickInputSize: 320, quickMinFace: 192, closeMaxSize: 448,
   *   scoreThreshold: 0.6, nmsIou: 0.3, maxFaces: 100, retryWithBorder: true }` (a quick look at
   *   320, then a window of the 640 input around each smaller face, or all of it: README).
   * - `gallery`: `{ maxReferences: 10, operatingPoint: 'fmr1e3' }`.
   * - `teaching`: `true` (or `{ maxExplanations: 20, holdMs: 600000 }`) adds the teaching view,
   *   `explain`, `compareExplained` and `releaseExplanation`, which return biometric data (a
   *   picture of a face's template): off by default, and then those methods do not exist.
   * - `signal`: an `AbortSignal`. Aborting it before `load` resolves ends the worker at once,
   *   which cancels its downloads; `load` then rejects with `signal.reason` (an `AbortError`
   *   DOMException unless given another). Aborting later has no effect (use `dispose()`).
   */
  static async load(options = {}) {
    const signal = options.signal;
    signal?.throwIfAborted();
    const fg = new FaceGate(newWorker(options.workerUrl), options.onProgress);
    const abort = () => fg.#abort(signal.reason);
    signal?.addEventListener('abort', abort, { once: true });
    const config = { detector: options.detector ?? {}, gallery: options.gallery ?? {} };
    if (options.teaching) config.teaching = options.teaching;
    fg.#workerUrl = options.workerUrl;
    fg.#config = config;
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
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    if (options.teaching) {
      // Defined here, on this instance only: without `teaching`, `fg.explain` is undefined.
      Object.defineProperties(fg, {
        explain: { value: (image, opts) => fg.#explain(image, opts) },
        compareExplained: { value: (a, b) => fg.#compareExplained(a, b) },
        releaseExplanation: { value: (explanation) => fg.#releaseExplanation(explanation) },
      });
    }
    return fg;
  }

  /** Ends the worker at once (its downloads are cancelled) and rejects every pending call with `reason`. */
  #abort(reason) {
    if (this.#disposed) return;
    this.#disposed = true;
    registry?.unregister(this);
    this.#worker.terminate();
    for (const { reject } of this.#state.pending.values()) reject(reason);
    this.#state.pending.clear();
  }

  /**
   * Every face in the image: `{ width, height, faces: [{ bbox, score, landmarks }] }`, largest first.
   *
   * With `{ keep: true }`, the worker keeps the decoded image and these faces for the next call,
   * and the result adds `detection` (a handle) and `keptUntil` (ms since the epoch). Pass
   * `{ detection }` as the image of that call (`enroll`, `verify`, `identify`, `explain`): it
   * neither decodes nor detects again, and its `face` index refers to exactly these faces. A kept
   * detection serves one call and is wiped then (whatever the outcome), when a third is kept (two
   * are), on `eraseAll`, and 60 s after it was made; its handle then gives `unknownDetection`.
   */
  async detect(image, options = {}) {
    return this.#withImage('detect', image, [{ keep: options?.keep === true }]);
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
      throw new FaceGateError({ code: CODE.invalidInput, message: 'verify(image, referenceId): referenceId must be the string enroll() returned' });
    }
    return this.#withImage('verify', image, [{ ...options, referenceId }]);
  }

  /** Finds the best match among this gallery's references only. */
  async identify(image, options = {}) {
    return this.#withImage('identify', image, [options]);
  }

  /**
   * The teaching view of one face (only with `teaching` at load): needs `{ consent, face? }`,
   * where `consent` names whose face it is, as for `enroll`. Returns `{ explanation, width,
   * height, faces, chosen, transform, aligned, strip, printed, templateLength, templateBytes,
   * heldUntil, explanationsLeft }`: the 112x112 crop the recognizer saw, the template as a
   * picture (`strip`: an `Int8Array` of 128, one signed byte per value) and its values at
   * positions 1-4 and 128 (`printed`), never the template itself, which stays in the worker
   * under the `explanation` handle until released, replaced (two are held), erased or timed out.
   * Counts against the session's cap (`explanationCapReached`) and logs an `explained` event.
   */
  async #explain(image, options) {
    return this.#withImage('explain', image, [options ?? {}]);
  }

  /** The cosine of two explained faces, step by step: `{ rows, products, dot, lengthA, lengthB, cosine }`. */
  #compareExplained(a, b) {
    return this.#call('compareExplained', [a, b]);
  }

  /** Wipes an explained face's template now. */
  #releaseExplanation(explanation) {
    return this.#call('releaseExplanation', [explanation]);
  }

  /** A new export passphrase: six random words of the EFF Long Wordlist (about 77 bits). */
  generatePassphrase() {
    return this.#call('generatePassphrase', []);
  }

  /** Withdraws consent for one reference: its template is erased at once. */
  async withdraw(referenceId) {
    if (typeof referenceId !== 'string') {
      throw new FaceGateError({ code: CODE.invalidInput, message: 'withdraw(referenceId): referenceId must be the string enroll() returned' });
    }
    return this.#call('withdraw', [referenceId]);
  }

  /**
   * Erases everything held: references, explained faces and (with `{ auditLog: true }`) the
   * audit log. Then the worker is terminated and a fresh one started with the same options
   * (WebAssembly memory never shrinks: ending the worker is the only way to hand back the memory
   * that held faces), carrying over only the audit log (unless erased) and the teaching count.
   * This FaceGate stays usable; calls made meanwhile wait for the new worker. Returns
   * `{ erased, restartMs }`.
   */
  async eraseAll(options = {}) {
    if (this.#restarting) await this.#restarting.catch(() => {});
    const run = (async () => {
      const result = await this.#send('eraseAll', [options], [], true);
      const restartMs = await this.#restart();
      return { ...result, restartMs };
    })();
    this.#restarting = run;
    try {
      return await run;
    } finally {
      if (this.#restarting === run) this.#restarting = null;
    }
  }

  async #restart() {
    const started = performance.now();
    const handOver = await this.#send('handOver', [], [], true);
    const old = this.#worker;
    registry?.unregister(this);
    old.onmessage = null;
    old.terminate();
    this.#attach(newWorker(this.#workerUrl));
    const { history, ...preloaded } = handOver;
    const transfer = [preloaded.detector?.buffer, preloaded.recognizer?.buffer].filter(Boolean);
    const config = history ? { ...this.#config, resume: history } : this.#config;
    const ready = await this.#send('load', [{ preloaded, config }], transfer, true);
    this.#threads = ready?.threads ?? this.#threads;
    return performance.now() - started;
  }

  /**
   * After the engine stopped (a trap inside it: the worker's `stop`): hands the verified files
   * to a fresh worker, ends the old one (its memory, and whatever it held, goes with it) and
   * lets the calls waiting meanwhile run on the new one. Then fires 'restarted' (`{ cause,
   * referencesErased, restartMs }`), and 'change' (reason 'restarted') when references were erased. After
   * MAX_RECOVERIES, or if the new worker cannot start, the worker is ended and every call fails
   * with `workerFailed`.
   */
  #recover(stop) {
    if (this.#disposed || this.#broken) return;
    const stopped = this.#worker;
    this.#lastStop = stop;
    const previous = this.#restarting;
    const run = (async () => {
      if (previous) await previous.catch(() => {});
      // Unless the stopped worker was replaced meanwhile (an eraseAll's restart) or all was given up.
      let restartMs = 0;
      if (this.#worker === stopped && !this.#broken && !this.#disposed) {
        this.#recoveries += 1;
        if (this.#recoveries > MAX_RECOVERIES) {
          throw new FaceGateError({ code: CODE.workerFailed, message: `facegate's engine stopped ${this.#recoveries} times (last: ${stop.cause}); reload the page` });
        }
        restartMs = await this.#restart();
      }
      // The calls the stopped engine sent back (all of them came before its handOver answer), in
      // the order they were made and before any call made since, which waits for this run.
      for (const call of this.#unrunCalls.splice(0)) {
        this.#send(call.method, call.args, transferablesIn(call.args), true, true).then(call.resolve, call.reject);
      }
      if (this.#disposed) return;
      const events = this.#state.events;
      events.dispatchEvent(new CustomEvent('restarted', { detail: { ...stop, restartMs } }));
      if (stop.referencesErased > 0) events.dispatchEvent(new CustomEvent('change', { detail: { reason: 'restarted', references: [] } }));
    })();
    this.#restarting = run;
    run.catch((e) => this.#giveUp(e instanceof FaceGateError ? e : new FaceGateError({ code: CODE.workerFailed, message: `facegate could not start again: ${e?.message ?? e}` })))
      .finally(() => {
        if (this.#restarting === run) this.#restarting = null;
      });
  }

  /** Ends the worker for good: every pending and later call fails with `error` (a `workerFailed`). */
  #giveUp(error) {
    this.#broken ??= error;
    this.#worker.terminate();
    failAll(this.#state, this.#broken);
    for (const call of this.#unrunCalls.splice(0)) call.reject(this.#broken);
  }

  /**
   * What a call does when the stopped engine sent it back unrun (`again`: its arguments, with
   * their buffers): it waits for the new engine (`#recover` resends it), unless the stop erased
   * references (the call may have named one) or the FaceGate was given up or disposed. Made
   * here, not in `#send`, so that it holds the FaceGate only weakly.
   */
  static #whenUnrun(owner, method, resolve, reject) {
    return (again, error) => {
      const fg = owner.deref();
      if (!fg || fg.#disposed || fg.#broken || fg.#lastStop?.referencesErased > 0) reject(fg?.#broken ?? new FaceGateError(error));
      else if (fg.#restarting) fg.#unrunCalls.push({ method, args: again, resolve, reject });
      else fg.#send(method, again, transferablesIn(again), false, true).then(resolve, reject);
    };
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
    try {
      await Promise.race([this.#send('dispose', [], []), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // The worker is going away regardless.
    }
    this.#worker.terminate();
    failAll(this.#state, { code: CODE.disposed, message: 'this FaceGate was disposed' });
  }

  async #withImage(method, image, rest) {
    // facegate's size check (in the worker) runs before image.js reads any pixel. Images are
    // prepared and sent one after the other, so that calls reach the worker in the order made.
    // A kept detection (`{ detection }`, from detect with keep) goes as it is: no pixels to send.
    const sent = this.#imageQueue.then(async () => {
      if (isKeptDetection(image)) return { answer: this.#send(method, [{ detection: image.detection }, ...rest], []) };
      const { payload, transfer } = await toTransferable(image, (size) => this.#send('probe', [size], []));
      return { answer: this.#send(method, [payload, ...rest], transfer) };
    });
    this.#imageQueue = sent.catch(() => {});
    return (await sent).answer;
  }

  #call(method, args) {
    return this.#send(method, args, []);
  }

  /**
   * Posts one call to the worker. `restarting`: part of a restart (goes to the worker at hand,
   * does not wait for the restart). `resent`: the second try of a call the engine never ran.
   */
  async #send(method, args, transfer, restarting = false, resent = false) {
    if (this.#restarting && !restarting) await this.#restarting.catch(() => {});
    if (this.#disposed && method !== 'dispose') {
      throw new FaceGateError({ code: CODE.disposed, message: 'this FaceGate was disposed' });
    }
    if (this.#broken && method !== 'dispose') throw this.#broken;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject };
      // Sent back unrun when the engine stopped before its turn: see #whenUnrun (once only).
      if (!restarting && !resent) entry.unrun = FaceGate.#whenUnrun(this.#state.owner, method, resolve, reject);
      this.#state.pending.set(id, entry);
      this.#worker.postMessage({ id, method, args }, transfer);
    });
  }
}

/** A facegate worker; the URL is written out literally so that bundlers (Vite, webpack) find it. */
function newWorker(workerUrl) {
  return workerUrl
    ? new Worker(workerUrl, { type: 'module', name: 'facegate' })
    : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'facegate' });
}

function receive(state, message) {
  if (message?.event) {
    state.events.dispatchEvent(new CustomEvent(message.event, { detail: message.detail }));
    return;
  }
  if (message?.progress) {
    const p = message.progress;
    state.onProgress?.({ ...p, fraction: p.total ? p.loaded / p.total : 0 });
    return;
  }
  const pending = state.pending.get(message?.id);
  if (!pending) return;
  state.pending.delete(message.id);
  if (message.ok) pending.resolve(message.result);
  else if (message.unrun && pending.unrun) pending.unrun(message.unrun, message.error);
  else pending.reject(new FaceGateError(message.error));
}

function failAll(state, error) {
  for (const { reject } of state.pending.values()) reject(new FaceGateError(error));
  state.pending.clear();
}

/** Whether `image` is `{ detection }`, a kept detection's handle (see `detect`). */
function isKeptDetection(image) {
  return image !== null && typeof image === 'object' && Object.getPrototypeOf(image) === Object.prototype && 'detection' in image;
}

function withSlash(url) {
  return url.endsWith('/') ? url : `${url}/`;
}

function toBytes(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new FaceGateError({ code: CODE.invalidInput, message: 'expected a Uint8Array or ArrayBuffer' });
}

export default FaceGate;
