// A photo the user chose, decoded and searched for faces: the first step of every screen.
import { toBitmap } from './photo.js';

/**
 * `{ bitmap, faces }` for `source` (File or ImageBitmap). A photo the browser cannot decode is
 * handed to facegate as bytes, so that its error names the format (HEIC, TIFF...) or the damage.
 * Throws a FaceGateError (code `noFaceFound` when there is no face).
 */
export async function detectPhoto(fg, source) {
  const bitmap = await toBitmap(source);
  if (!bitmap) {
    await fg.detect(source); // throws the engine's typed error
    throw Object.assign(new Error('this image cannot be shown'), { code: 'invalidImage' });
  }
  let detection;
  try {
    detection = await fg.detect(bitmap);
  } catch (e) {
    bitmap.close();
    throw e;
  }
  if (detection.faces.length === 0) {
    bitmap.close();
    throw Object.assign(new Error('no face found'), { code: 'noFaceFound' });
  }
  return { bitmap, faces: detection.faces };
}
