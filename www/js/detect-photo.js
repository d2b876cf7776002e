// A photo the user chose, decoded and searched for faces: the first step of every screen.
import { toBitmap } from './photo.js';

function noFace() {
  return Object.assign(new Error('no face found'), { code: 'noFaceFound' });
}

/**
 * `{ bitmap, faces }` for `source` (File or ImageBitmap). A file goes to facegate first: its
 * checks (size, format, the size its header declares, a JPEG's scans) run on the bytes before
 * anything decodes it, so a decompression bomb is refused before this page would decode it to
 * show it; the faces come back in the photo's own pixels, those of the bitmap drawn here.
 * Throws a FaceGateError (code `noFaceFound` when there is no face).
 */
export async function detectPhoto(fg, source) {
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const detection = await fg.detect(source); // throws the engine's typed error
    if (detection.faces.length === 0) throw noFace();
    const bitmap = await toBitmap(source);
    if (!bitmap) throw Object.assign(new Error('this image cannot be shown'), { code: 'invalidImage' });
    return { bitmap, faces: detection.faces };
  }
  const bitmap = await toBitmap(source);
  if (!bitmap) throw Object.assign(new Error('this image cannot be shown'), { code: 'invalidImage' });
  let detection;
  try {
    detection = await fg.detect(bitmap);
  } catch (e) {
    bitmap.close();
    throw e;
  }
  if (detection.faces.length === 0) {
    bitmap.close();
    throw noFace();
  }
  return { bitmap, faces: detection.faces };
}
