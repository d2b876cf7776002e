// Turning an error into a sentence for the user: each facegate error code has its own string;
// anything else is shown with its message.
import { t, STRINGS } from './i18n.js';

/** A user-facing sentence for `error` (a FaceGateError or any Error). */
export function describeError(error) {
  const key = `error_${error?.code}`;
  if (error?.code && key in STRINGS.en) return t(key, { message: error.message ?? '' });
  return t('errorGeneric', { message: error?.message ?? String(error) });
}

/** Shows `error` in `element` (a role="alert" paragraph); an empty value clears it. */
export function showError(element, error) {
  element.textContent = error ? describeError(error) : '';
}
