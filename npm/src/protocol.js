// The messages between the page's thread and the facegate worker.
//
// Page -> worker: { id, method, args }            (args: an array, already transfer-ready)
// Worker -> page: { id, ok: true, result }         the call's result
//                 { id, ok: false, error }         error: { code, message, reason? }
//                 { progress: { ... } }            model loading progress (no id)
//                 { event: 'change', detail }      the references changed (no id): detail is
//                                                  { reason, references }, reason one of
//                                                  'enrolled', 'withdrawn', 'erased', 'imported',
//                                                  'expired' (with the expired ids)

/** Every method the worker answers. */
export const METHODS = Object.freeze([
  'load', 'detect', 'enroll', 'verify', 'identify', 'explain', 'compareExplained', 'releaseExplanation',
  'withdraw', 'eraseAll', 'list', 'exportGallery', 'importGallery', 'generatePassphrase', 'auditLog',
  'handOver', 'dispose', 'probe', 'stats',
]);

/**
 * An error as it crosses between threads: a stable `code`, a message, and for `faceUnusable`
 * the quality `reason` (e.g. "tooDark").
 */
export function errorToWire(e) {
  if (e && typeof e === 'object') {
    const wire = { code: typeof e.code === 'string' ? e.code : 'internal', message: String(e.message ?? e) };
    if (typeof e.reason === 'string') wire.reason = e.reason;
    return wire;
  }
  return { code: 'internal', message: String(e) };
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
