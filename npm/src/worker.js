// The facegate worker: owns the wasm engine and gallery; the page's thread only sends images and
// receives small plain results. Templates never leave the wasm core except inside an encrypted
// export: the teaching view (`explain`, only when the page opted in with `teaching: true`) sends
// a picture of a template (128 signed bytes) and five printed values, never the template.
//
// Besides answering calls, the worker erases what expires while the page is idle (a timer set to
// the gallery's next expiry) and tells the page when the references change ({ event: 'change' }).

import initSingle, { FaceGateCore as SingleCore } from './wasm/facegate.js';
import { MANIFEST } from './manifest.js';
import { CODE, errorToWire, transferablesIn } from './protocol.js';
import { fetchVerified } from './integrity.js';
import { toPixels } from './decode.js';

// The engine, behind `guarded` (a trap inside it stops it for good: see `stop`).
let core = null;
// Set once the engine stopped: `{ cause, referencesErased }`. The core is not called again;
// calls that arrive afterwards are sent back unrun, for the page to send to a fresh worker.
let stopped = null;
// References the engine holds (counted whenever its revision changes), so that a stop can say
// what it erased.
let held = 0;
// The engine's WebAssembly memory (everything it holds is in there), for `stop` to overwrite.
let memory = null;
// Faces the teaching view explained in this FaceGate's life (read after each explain), for the
// next engine when this one stops: the teaching cap holds across a stop.
let explanationsUsed = 0;

/** Reads the engine's count of explained faces (`explanationsUsed`). */
function countExplanations() {
  try {
    if (core) explanationsUsed = core.history().explanationsUsed;
  } catch {
    // The engine stopped (see `stop`): the count read before stands.
  }
}
// What load resolved to, for a second load on the same worker.
let loaded = null;
// What a fresh worker needs to start without fetching again (eraseAll restarts the worker, the one
// way to hand WebAssembly memory back): the compiled module and the verified model bytes.
let kept = null;

// A minimal module whose one function runs f32x4.relaxed_madd: it validates only where the
// browser supports relaxed SIMD, which picks the faster build.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // types: () -> ()
  0x03, 0x02, 0x01, 0x00, // functions: one of type 0
  0x0a, 0x3e, 0x01, 0x3c, 0x00, // code: one body of 60 bytes, no locals
  0xfd, 0x0c, ...new Array(16).fill(0), // v128.const 0
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x1a, 0x0b, // drop, end
]);

function relaxedSimdSupported() {
  try {
    return WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Threads by default: at most 4 (past that the networks gain little), at most the cores. */
const DEFAULT_MAX_THREADS = 4;

/**
 * How many threads to run on: `requested` (default min(4, cores)), but 1 unless this worker can
 * share memory with nested workers (the page is cross-origin isolated) and the package holds the
 * threaded build (and the browser runs its SIMD).
 */
function chooseThreads(requested, wasmUrl, wasmVariant) {
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1 && requested <= 64)) {
    throw Object.assign(new Error(`threads must be a whole number from 1 to 64, not ${requested}`), { code: CODE.invalidConfig });
  }
  const want = requested ?? Math.min(DEFAULT_MAX_THREADS, self.navigator?.hardwareConcurrency || 1);
  const variant = wasmVariant ?? 'auto';
  const possible = want > 1 && !wasmUrl && (variant === 'auto' || variant === 'threads')
    && Boolean(MANIFEST.wasmThreads) && self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function'
    && (!MANIFEST.wasmThreadsNeedsRelaxedSimd || relaxedSimdSupported());
  return possible ? want : 1;
}

// The threaded build's files, named so that bundlers do not follow them: its glue must be loaded
// from the package's own folder (a bundler would turn its nested workers into other files).
// Where they are not served beside this worker (a bundled app that did not copy wasm/threads/),
// loading its glue fails and facegate runs on one thread.
const THREADS_DIR = ['.', 'wasm', 'threads', ''].join('/');

/** The threaded build's glue, or null when it cannot be loaded here. */
async function importThreadsGlue() {
  try {
    return await import(/* @vite-ignore */ /* webpackIgnore: true */ new URL(`${THREADS_DIR}facegate.js`, import.meta.url).href);
  } catch {
    return null;
  }
}

/** Which build to load: the threaded one when threads > 1, else the relaxed-SIMD one where supported (unless told otherwise). */
function chooseWasm(wasmUrl, wasmVariant, threads) {
  if (threads > 1) {
    return { build: 'threads', expected: MANIFEST.wasmThreads, url: new URL(`${THREADS_DIR}facegate_bg.wasm`, import.meta.url).href };
  }
  const variant = wasmVariant ?? (wasmUrl ? 'simd128' : 'auto');
  const relaxed = Boolean(MANIFEST.wasmRelaxed)
    && (variant === 'relaxed-simd' || ((variant === 'auto' || variant === 'threads') && relaxedSimdSupported()));
  if (relaxed) {
    return { build: 'relaxed-simd', expected: MANIFEST.wasmRelaxed, url: wasmUrl ?? new URL('./wasm/facegate_relaxed_bg.wasm', import.meta.url).href };
  }
  return { build: 'simd128', expected: MANIFEST.wasm, url: wasmUrl ?? new URL('./wasm/facegate_bg.wasm', import.meta.url).href };
}

// How to map each kept detection's results back to its source's pixels (decode.js), by handle:
// the pixels and faces themselves are kept in the wasm core (FaceGateCore.detect with keep), and
// wiped there when used, replaced, erased or after 60 s. At most MAX_KEPT entries, like the core.
const keptMappings = new Map();
const MAX_KEPT = 2;

/**
 * What a call whose image is `{ detection }` runs on: the kept detection (the core takes and
 * wipes it; an unknown handle gives `unknownDetection` there), with the mapping of the
 * source it was detected in.
 */
function keptPixels(detection) {
  if (typeof detection !== 'string') {
    throw Object.assign(new Error('detection must be the string detect() returned'), { code: CODE.invalidInput });
  }
  const mapping = keptMappings.get(detection);
  keptMappings.delete(detection);
  return { input: { detection }, toDecoded: mapping?.toDecoded ?? ((o) => o), toSource: mapping?.toSource ?? ((r) => r), wipe() {} };
}

/**
 * Runs `f(input, options)` on the pixels of `image` (after facegate's checks, decode.js), or on
 * a kept detection (`{ detection }`), and returns its result in the source image's pixels; then
 * overwrites the pixel and byte copies this worker holds.
 */
async function withPixels(image, options, f) {
  const px = image && typeof image === 'object' && 'detection' in image ? keptPixels(image.detection) : await toPixels(requireCore(), image);
  try {
    return px.toSource(f(px.input, px.toDecoded(options)));
  } finally {
    px.wipe();
  }
}

/**
 * `detect`: the faces of `image`; with `{ keep: true }` the core keeps the decoded image and
 * these faces for the next call, under the returned `detection` handle.
 */
async function detect(image, options) {
  const keep = options?.keep === true;
  const px = await toPixels(requireCore(), image);
  try {
    const result = px.toSource(requireCore().detect(px.input, { keep }));
    if (result.detection) {
      keptMappings.set(result.detection, { toDecoded: px.toDecoded, toSource: px.toSource });
      while (keptMappings.size > MAX_KEPT) keptMappings.delete(keptMappings.keys().next().value);
    }
    return result;
  } finally {
    px.wipe();
  }
}

// The one-thread builds' glue (imported with this file; the threaded build's is imported on
// demand, importThreadsGlue).
const SINGLE_GLUE = { default: initSingle, FaceGateCore: SingleCore };

// The threaded build's pool (`initThreadPool`), once started: rayon's global pool can be set up
// once per worker, so a load that failed after starting it reuses it when retried.
let poolStarting = null;

/**
 * Starts the threaded build's pool (`initThreadPool`) without waiting for it: called as soon as
 * the wasm is instantiated, its Web Workers start and load the module while the models are still
 * arriving. Null on one thread. Its outcome is held (not thrown) until `poolStarted`.
 *
 * The pool is up before `load` answers, though the engine build does not need it: its Web
 * Workers start only while this worker's event loop is free (measured in Chromium 156: not
 * during the engine build, which is one synchronous call, nor after two `setTimeout(0)` turns),
 * and started after `load` they would fetch their scripts after ready, which the page promises
 * not to do (tests/browser/page-static-host.test.mjs: zero requests after ready).
 */
function startPool(initThreadPool, threads) {
  if (threads <= 1) return null;
  if (!poolStarting) {
    try {
      poolStarting = Promise.resolve(initThreadPool(threads)).then(() => ({}), (error) => ({ failed: true, error }));
    } catch (error) {
      poolStarting = Promise.resolve({ failed: true, error });
    }
  }
  return poolStarting;
}

/** Waits for the pool; the load fails if it could not be started. */
async function poolStarted(pool) {
  const outcome = pool && await pool;
  if (outcome?.failed) throw outcome.error;
}

/**
 * Download progress for the page, at most one message per percent of the whole and always the
 * end of each file: `counter(stage)` counts one file's chunks, `prepare()` says every file is in.
 */
function loadProgress(total) {
  let received = 0;
  let posted = 0;
  const post = (stage) => {
    posted = received;
    self.postMessage({ progress: { stage, loaded: received, total } });
  };
  return {
    counter: (stage) => (n, done) => {
      received += n;
      if (done || received - posted >= total / 100) post(stage);
    },
    /** A different total (the load fell back to a one-thread build before any wasm byte counted). */
    retotal(t) { total = t; },
    prepare() { received = total; post('prepare'); },
  };
}

/**
 * Plans the networks the engine left for later (`warmUpNext`: the detector's quick look, its
 * close look, the recognizer, the detector's full size), one step per event-loop turn, each
 * queued behind the calls that arrived before it: a call made right after ready waits for one
 * step at most, and the first photo plans itself what it needs before its step comes. Stops when all are planned,
 * when the engine is disposed, replaced or stopped, or at a failure: a facegate error is met
 * again, and reported, by the call that needs that network; a trap stops the engine (`stop`),
 * which the page replaces.
 */
function warmUpInTurns() {
  const planning = core;
  const step = () => enqueue(() => {
    if (core !== planning) return;
    let more = false;
    try {
      more = planning.warmUpNext();
    } catch {
      return;
    }
    if (more) setTimeout(step, 0);
  });
  setTimeout(step, 0);
}

/** Whether `e` is an error facegate raised on purpose (the engine's or this package's): it has a `code`. */
function isFaceGateError(e) {
  return e !== null && typeof e === 'object' && typeof e.code === 'string';
}

/** The error a call gets when the engine stopped: before its turn (sent back unrun) or during it. */
function engineRestarted(during) {
  const { cause, referencesErased } = stopped;
  const erased = referencesErased > 0
    ? ` The ${referencesErased === 1 ? 'reference' : `${referencesErased} references`} it held ${referencesErased === 1 ? 'was' : 'were'} erased with it.`
    : '';
  return Object.assign(new Error(`facegate's engine stopped (${cause}) and is started again; ${during ? 'this call did not complete' : 'this call did not run'}.${erased}`), {
    code: CODE.engineRestarted,
  });
}

/**
 * Stops the engine after `e`, an exception from inside it that is not a facegate error: a
 * WebAssembly trap (`RuntimeError`: out of memory, a bug), or a browser limit thrown through
 * its frames (`RangeError`: JavaScriptCore's "Out of executable memory"). Its state can no
 * longer be trusted (wasm-bindgen's borrow of the core is left held: every later call would
 * fail with "recursive use of an object"), so it is never called again, and no Rust code runs
 * to wipe what it held (templates, pixels, keys): its whole memory is overwritten with zeros
 * here instead. The page is told (`{ stopped }`), hands the verified files (held outside that
 * memory) to a fresh worker and ends this one. `raw` is the core itself: it is detached from
 * wasm-bindgen's finalizer first, which would otherwise run Rust's drop on the zeroed memory
 * when the object is collected. Returns the error for the call under way.
 */
function stop(e, raw) {
  if (isFaceGateError(e)) return e;
  if (!stopped) {
    stopped = { cause: `${e?.name ?? 'Error'}: ${e?.message ?? e}`, referencesErased: held };
    raw.__destroy_into_raw();
    if (memory) new Uint8Array(memory.buffer).fill(0);
    core = null;
    loaded = null;
    keptMappings.clear();
    self.postMessage({ stopped });
  }
  return engineRestarted(true);
}

/** The core, with every method and getter guarded: an exception that is not a facegate error stops it (`stop`). */
function guarded(raw) {
  const run = (f) => {
    if (stopped) throw engineRestarted(true);
    try {
      return f();
    } catch (e) {
      throw stop(e, raw);
    }
  };
  return new Proxy(raw, {
    get(target, prop) {
      const value = run(() => Reflect.get(target, prop, target));
      return typeof value === 'function' ? (...args) => run(() => value.apply(target, args)) : value;
    },
  });
}

function requireCore() {
  if (stopped) throw engineRestarted(true);
  if (!core) throw Object.assign(new Error('facegate is not loaded, or was disposed'), { code: CODE.notLoaded });
  return core;
}

const handlers = {
  async load({ modelsUrl, wasmUrl, wasmVariant, threads: requested, config, preloaded }) {
    if (core) return loaded;
    const t0 = performance.now();
    const phases = {};
    const mark = (name) => { phases[name] = Math.round(performance.now() - t0); };
    let threads = preloaded ? preloaded.threads : chooseThreads(requested, wasmUrl, wasmVariant);
    // The threaded build's glue is imported while the files download (it is not needed before
    // the wasm is in); where it cannot be loaded, the load goes on with one thread.
    const threadedGlue = threads > 1 ? importThreadsGlue() : null;
    if (preloaded) {
      // A restart (eraseAll): the same files, verified by the worker that fetched them.
      const glue = (threadedGlue && await threadedGlue) ?? SINGLE_GLUE;
      if (glue === SINGLE_GLUE) threads = 1;
      ({ memory } = await glue.default({ module_or_path: preloaded.wasm }));
      await poolStarted(startPool(glue.initThreadPool, threads));
      core = guarded(new glue.FaceGateCore(preloaded.detector, preloaded.recognizer, { ...(config ?? {}), threads, modelsVerified: true }));
      mark('engineBuilt');
      warmUpInTurns();
      kept = preloaded;
      loaded = { ready: true, build: preloaded.build, threads: core.threads, phases };
      return loaded;
    }
    // The package's own files are named literally so that bundlers copy them as assets.
    const models = [
      ['detector', modelsUrl ? new URL(MANIFEST.detector.file, modelsUrl).href
        : new URL('./models/face_detection_yunet_2023mar_int8bq.onnx', import.meta.url).href, MANIFEST.detector],
      ['recognizer', modelsUrl ? new URL(MANIFEST.recognizer.file, modelsUrl).href
        : new URL('./models/face_recognition_sface_2021dec_int8bq.onnx', import.meta.url).href, MANIFEST.recognizer],
    ];
    const modelBytes = models.reduce((n, m) => n + m[2].bytes, 0);
    const progress = loadProgress(chooseWasm(wasmUrl, wasmVariant, threads).expected.bytes + modelBytes);
    // The three files at once; the wasm compiles as it streams in; each is hashed once. Once its
    // hash matched, the wasm is instantiated while the models may still be arriving.
    const modelsIn = models.map(([stage, url, expected]) => fetchVerified(url, expected, progress.counter(stage), CODE.modelIntegrity)
      .then((r) => (mark(`${stage}Fetched`), r)));
    // Unhandled until awaited below: a failed model download must not be reported twice.
    modelsIn.forEach((p) => p.catch(() => {}));
    const wasmIn = async () => {
      let wasm = chooseWasm(wasmUrl, wasmVariant, threads);
      if (threads > 1) {
        // The threaded wasm downloads while its glue is imported; without the glue it is dropped
        // (and its bytes never counted: they are counted once the glue is in).
        const abort = new AbortController();
        const count = progress.counter('wasm');
        let live = false;
        let heldBytes = 0;
        let heldEnd = false;
        const counter = (n, done) => {
          if (live) return count(n, done);
          heldBytes += n;
          heldEnd = done;
        };
        const download = fetchVerified(wasm.url, wasm.expected, counter, CODE.wasmIntegrity, { compile: true, signal: abort.signal });
        download.catch(() => {});
        const threaded = await threadedGlue;
        if (threaded) {
          live = true;
          count(heldBytes, heldEnd);
          return { wasm, glue: threaded, r: await download };
        }
        abort.abort();
        threads = 1;
        wasm = chooseWasm(wasmUrl, wasmVariant, threads);
        progress.retotal(wasm.expected.bytes + modelBytes);
      }
      const r = await fetchVerified(wasm.url, wasm.expected, progress.counter('wasm'), CODE.wasmIntegrity, { compile: true });
      return { wasm, glue: SINGLE_GLUE, r };
    };
    let pool = null;
    const [{ wasm, glue, r: compiled }, detector, recognizer] = await Promise.all([
      wasmIn().then(async (w) => {
        mark('wasmFetched');
        ({ memory } = await w.glue.default({ module_or_path: w.r.module ?? w.r.bytes }));
        mark('wasmInstantiated');
        pool = startPool(w.glue.initThreadPool, threads);
        return w;
      }),
      ...modelsIn,
    ]);
    await poolStarted(pool);
    if (pool) mark('threadsStarted');
    progress.prepare();
    core = guarded(new glue.FaceGateCore(detector, recognizer, { ...(config ?? {}), threads, modelsVerified: true }));
    mark('engineBuilt');
    kept = { wasm: compiled.module ?? compiled.bytes, detector, recognizer, build: wasm.build, threads };
    // The networks are planned after ready, one step per turn, between the page's calls.
    warmUpInTurns();
    loaded = { ready: true, build: wasm.build, threads: core.threads, phases };
    return loaded;
  },
  detect,
  enroll: (image, options) => withPixels(image, options, (px, o) => requireCore().enroll(px, o)),
  verify: (image, options) => withPixels(image, options, (px, o) => requireCore().verify(px, o)),
  identify: (image, options) => withPixels(image, options ?? {}, (px, o) => requireCore().identify(px, o)),
  probe: (size) => requireCore().probeImage(size),
  explain: (image, options) => withPixels(image, options ?? {}, (px, o) => {
    const r = requireCore().explain(px, o);
    // The crop moves into a buffer that is transferred (not copied) to the page; the core's copy
    // was wiped in wasm, and the one serde made here is overwritten.
    const aligned = { data: new Uint8ClampedArray(r.alignedRgba), width: 112, height: 112 };
    r.alignedRgba.fill(0);
    return {
      explanation: r.explanation, width: r.width, height: r.height, faces: r.faces, chosen: r.chosen, transform: r.transform,
      aligned, strip: Int8Array.from(r.strip), printed: r.printed, templateLength: r.templateLength, templateBytes: r.templateBytes,
      heldUntil: r.heldUntil, explanationsLeft: r.explanationsLeft,
    };
  }),
  compareExplained(a, b) {
    const r = requireCore().compareExplained({ a: String(a), b: String(b) });
    return { ...r, products: Int8Array.from(r.products) };
  },
  releaseExplanation(explanation) {
    if (typeof explanation !== 'string') throw Object.assign(new Error('explanation must be the string explain() returned'), { code: CODE.invalidInput });
    return requireCore().releaseExplanation(explanation);
  },
  generatePassphrase: () => requireCore().generatePassphrase(),
  withdraw(referenceId) {
    // wasm-bindgen's string glue traps on a non-string: refuse it here too.
    if (typeof referenceId !== 'string') throw Object.assign(new Error('referenceId must be a string'), { code: CODE.invalidInput });
    return requireCore().withdraw(referenceId);
  },
  eraseAll(options) {
    keptMappings.clear();
    return requireCore().eraseAll(options ?? {});
  },
  /** Counts for tests and benchmarks: `{ detections }`, the detector passes this worker's core ran. */
  stats: () => ({ detections: requireCore().detectionsRun }),
  list: () => requireCore().list(),
  exportGallery: (options) => requireCore().exportGallery(options),
  importGallery: (bytes, options) => requireCore().importGallery(bytes, options),
  auditLog: () => requireCore().auditLog(),
  /**
   * Before this worker is terminated (eraseAll, or after the engine stopped): what the next one
   * needs (module, model bytes, the session's audit log and explanation count; no reference,
   * template or key). The core is freed here, its templates wiped. A stopped engine is not read:
   * its audit log is lost, its explanation count is the one read after the last explain.
   */
  handOver() {
    const history = stopped ? { auditLog: [], explanationsUsed } : core ? core.history() : { auditLog: [], explanationsUsed: 0 };
    if (core) core.free();
    core = null;
    loaded = null;
    keptMappings.clear();
    const k = kept;
    kept = null;
    return { ...k, history };
  },
  dispose() {
    keptMappings.clear();
    if (core) core.free();
    core = null;
    loaded = null;
    kept = null;
    return { disposed: true };
  },
};

/** Buffers of a result that can move to the page instead of being copied. */
function transferables(result) {
  if (result instanceof Uint8Array) return [result.buffer];
  if (result?.aligned?.data) return [result.aligned.data.buffer];
  if (result && typeof result === 'object' && 'history' in result) return [result.detector?.buffer, result.recognizer?.buffer].filter(Boolean);
  return [];
}

// Why the references changed, by the call that changed them (else a consent expired).
const CHANGE_REASONS = { enroll: 'enrolled', withdraw: 'withdrawn', eraseAll: 'erased', importGallery: 'imported' };

/**
 * Tells the page when the set of references changed since `before` (a core revision), and
 * recounts them.
 */
function announceChange(before, reason, references = []) {
  if (!core || core.revision() === before) return;
  held = core.list().length;
  self.postMessage({ event: 'change', detail: { reason, references } });
}

// A timer at the gallery's next expiry, so that a consent that ends while the tab is idle erases
// its reference then (and an explained face is wiped at its time), with the audit event and a
// 'change' notice; without it expiry would wait for the next call. setTimeout holds at most
// 2^31 - 1 ms (24.8 days): a later expiry is reached in steps.
let expiryTimer = null;
function scheduleExpiry() {
  clearTimeout(expiryTimer);
  expiryTimer = null;
  const at = core?.nextExpiry();
  if (at == null) return;
  const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => enqueue(() => {
    if (!core) return;
    const before = core.revision();
    const { expired } = core.expireDue();
    announceChange(before, 'expired', expired);
  }), delay);
}

// One call at a time, in arrival order: calls into the engine must not interleave.
let queue = Promise.resolve();
function enqueue(task) {
  // A failure here must not reject the queue: the next task would be skipped, its call never answered.
  queue = queue.then(task).catch(() => {}).then(() => {
    try {
      scheduleExpiry();
    } catch {
      // The engine stopped (see `stop`): nothing left to expire.
    }
  });
}

// What a stopped worker still answers: handing its files to the next one, and ending.
const AFTER_STOP = new Set(['handOver', 'dispose']);

self.onmessage = (event) => {
  const { id, method, args } = event.data ?? {};
  enqueue(async () => {
    if (stopped && !AFTER_STOP.has(method)) {
      // Sent back unrun, with its buffers, for the page to send to the worker that replaces this one.
      const message = { id, ok: false, error: errorToWire(engineRestarted(false)), unrun: args ?? [] };
      try {
        self.postMessage(message, transferablesIn(args));
      } catch {
        self.postMessage(message); // a buffer that cannot move (shared memory): copied
      }
      return;
    }
    let before;
    try {
      before = core?.revision();
      const handler = handlers[method];
      if (!handler) throw Object.assign(new Error(`unknown method ${method}`), { code: CODE.internal });
      const result = await handler(...(args ?? []));
      self.postMessage({ id, ok: true, result }, transferables(result));
    } catch (e) {
      self.postMessage({ id, ok: false, error: errorToWire(e) });
    }
    if (method === 'explain' || method === 'load') countExplanations();
    if (before !== undefined) announceChange(before, CHANGE_REASONS[method] ?? 'expired');
  });
};
