// The models' nutrition labels: where each comes from, its licence, what is known of its
// training data, and the SHA-256 the package checks before use (from the package manifest).
import { t, num } from './i18n.js';

/** Rows of `[label key, detector value, recognizer value]`. */
export function nutritionRows(manifest) {
  return [
    ['nutritionName', 'YuNet (2023mar, int8 block-quantized)', 'SFace (2021dec, int8 block-quantized)'],
    ['nutritionTask', t('nutritionTaskDetector'), t('nutritionTaskRecognizer')],
    ['nutritionSource', t('nutritionSourceDetector'), t('nutritionSourceRecognizer')],
    ['nutritionLicence', 'MIT', 'Apache-2.0'],
    ['nutritionTraining', t('nutritionTrainingDetector'), t('nutritionTrainingRecognizer')],
    ['nutritionAccuracy', t('nutritionAccuracyDetector'), t('nutritionAccuracyRecognizer')],
    ['nutritionLimits', t('nutritionLimitsDetector'), t('nutritionLimitsRecognizer')],
    ['nutritionSize', t('bytes', { n: num(manifest.detector.bytes) }), t('bytes', { n: num(manifest.recognizer.bytes) })],
    ['nutritionSha', manifest.detector.sha256, manifest.recognizer.sha256],
  ];
}
