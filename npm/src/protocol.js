// The messages between the page's thread and the facegate worker.
//
// Page -> worker: { id, method, args }            (args: an array, already transfer-ready)
// Worker -> page: { id, ok: true, result }         the call's result
//                 { id, ok: false, error }         error: { code, message, reason? }
//                 { id, ok: false, error, unrun }  the engine had stopped before this call's
//                                                  turn: it did not run; `unrun` is its args
//                                                  (buffers transferred back), to send again
//                 { stopped: { cause, referencesErased } }
//                                                  the engine stopped (a trap inside it): the
//                                                  page replaces this worker (no id)
//                 { progress: { ... } }            model loading progress (no id)
//                 { event: 'change', detail }      the references changed (no id): detail is
//                                                  { reason, references }, reason one of
//                                                  'enrolled', 'withdrawn', 'erased', 'imported',
//                                                  'expired' (with the expired ids)

/**
 * The error codes the package raises itself, in JavaScript (the engine's own codes come from
 * Rust: `Error::CODES`, typed as `EngineErrorCode` in types/generated.d.ts). This is the one
 * place they are written; the worker, the wrapper and the file loader use `CODE.name`, and
 * tests/contract/codes.test.mjs checks that every code has its type in index.d.ts and a
 * message in both of the page's languages.
 */
export const PACKAGE_CODES = Object.freeze([
  /** A static file (the wasm or a model) could not be fetched: offline, or not served. */
  'fetchFailed',
  /** The wasm file's SHA-256 is not the one the package was built with; it was not run. */
  'wasmIntegrity',
  /** The worker stopped (crashed or could not start); every pending call fails with it. */
  'workerFailed',
  /**
   * The engine stopped during this call (a WebAssembly trap: out of memory, a browser limit, a
   * bug) and was started again in a fresh worker; the call did not complete. The message says
   * whether references were erased with it (then a 'change' event with reason 'restarted'
   * follows). Trying again is safe.
   */
  'engineRestarted',
  /** A method was called on a FaceGate after `dispose()`. */
  'disposed',
  /** A method reached the worker before `load` finished, or after it was disposed. */
  'notLoaded',
  /** An argument has the wrong type or shape (the message says which). */
  'invalidInput',
  /** An image facegate cannot read (a type it does not take, or a broken one). */
  'invalidImage',
  /** A bug: a failure with no code of its own. */
  'internal',
]);

/**
 * `CODE.fetchFailed` etc.: every code the package's JavaScript raises, the package's own and
 * the two engine codes it also raises before the engine runs (`modelIntegrity` for a model
 * file, `invalidConfig` for `threads`).
 */
export const CODE = Object.freeze(Object.fromEntries([...PACKAGE_CODES, 'modelIntegrity', 'invalidConfig'].map((c) => [c, c])));

/** Every method the worker answers. */
export const METHODS = Object.freeze([
  'load', 'detect', 'enroll', 'verify', 'identify', 'explain', 'compareExplained', 'releaseExplanation',
  'withdraw', 'eraseAll', 'list', 'exportGallery', 'importGallery', 'generatePassphrase', 'auditLog',
  'handOver', 'dispose', 'probe', 'stats',
]);

/**
 * The buffers in a call's `args` that can move between threads instead of being copied: typed
 * arrays' buffers and ImageBitmaps, as arguments or as one of an argument's own fields (the
 * shapes image.js makes: `{ encoded }`, `{ rgba, width, height }`, a bitmap).
 */
export function transferablesIn(args) {
  const found = new Set();
  const take = (x) => {
    if (ArrayBuffer.isView(x)) found.add(x.buffer);
    else if (x instanceof ArrayBuffer || (typeof ImageBitmap === 'function' && x instanceof ImageBitmap)) found.add(x);
  };
  for (const arg of args ?? []) {
    take(arg);
    if (arg !== null && typeof arg === 'object' && Object.getPrototypeOf(arg) === Object.prototype) Object.values(arg).forEach(take);
  }
  return [...found];
}

/**
 * An error as it crosses between threads: a stable `code`, a message, and for `faceUnusable`
 * the quality `reason` (e.g. "tooDark").
 */
export function errorToWire(e) {
  if (e && typeof e === 'object') {
    const wire = { code: typeof e.code === 'string' ? e.code : CODE.internal, message: String(e.message ?? e) };
    if (typeof e.reason === 'string') wire.reason = e.reason;
    return wire;
  }
  return { code: CODE.internal, message: String(e) };
}

/** The Error a caller receives: `error.code` is stable (e.g. "consentRequired"); `error.reason` names a quality reason. */
export class FaceGateError extends Error {
  constructor({ code, message, reason }) {
    super(message);
    this.name = 'FaceGateError';
    this.code = code;
    if (reason !== undefined) this.reason = reason;
  }
}
