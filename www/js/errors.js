// Turning an error into a sentence for the user: each facegate error code has its own string;
// anything else is shown with its message. Shown errors follow a language switch.
import { t, STRINGS, liveText } from './i18n.js';

/** A user-facing sentence for `error` (a FaceGateError or any Error). */
export function describeError(error) {
  const key = `error_${error?.code}`;
  if (error?.code && key in STRINGS.en) {
    const reason = error.reason && `reason_${error.reason}` in STRINGS.en ? t(`reason_${error.reason}`) : '';
    return t(key, { message: error.message ?? '', reason });
  }
  return t('errorGeneric', { message: error?.message ?? String(error) });
}

/** Shows `error` in `element` (a role="alert" paragraph); an empty value clears it. */
export function showError(element, error) {
  liveText(element, error ? () => describeError(error) : null);
}

/** Shows the page's own message `key` (with `vars`) in `element` (a role="alert" paragraph). */
export function showProblem(element, key, vars) {
  liveText(element, () => t(key, vars));
}

/** An Error carrying a facegate-style `code`, for the page's own failures (camera, input). */
export function pageError(code, message) {
  return Object.assign(new Error(message), { code });
}
