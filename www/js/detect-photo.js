// A photo the user chose, decoded and searched for faces: the first step of every screen.
import { toBitmap } from './photo.js';

function noFace() {
  return Object.assign(new Error('no face found'), { code: 'noFaceFound' });
}

/**
 * `{ bitmap, faces, detection }` for `source` (File or ImageBitmap). `detection` is the handle
 * under which the worker keeps the decoded photo and these faces for the next call (see
 * `withDetection`): one user action decodes and detects the photo once. A file goes to facegate first: its
 * checks (size, format, the size its header declares, a JPEG's scans) run on the bytes before
 * anything decodes it, so a decompression bomb is refused before this page would decode it to
 * show it; the faces come back in the photo's own pixels, those of the bitmap drawn here.
 * Throws a FaceGateError (code `noFaceFound` when there is no face).
 */
export async function detectPhoto(fg, source) {
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const detection = await fg.detect(source, { keep: true }); // throws the engine's typed error
    if (detection.faces.length === 0) throw noFace();
    const bitmap = await toBitmap(source);
    if (!bitmap) throw Object.assign(new Error('this image cannot be shown'), { code: 'invalidImage' });
    return { bitmap, faces: detection.faces, detection: detection.detection ?? null };
  }
  const bitmap = await toBitmap(source);
  if (!bitmap) throw Object.assign(new Error('this image cannot be shown'), { code: 'invalidImage' });
  let detection;
  try {
    detection = await fg.detect(bitmap, { keep: true });
  } catch (e) {
    bitmap.close();
    throw e;
  }
  if (detection.faces.length === 0) {
    bitmap.close();
    throw noFace();
  }
  return { bitmap, faces: detection.faces, detection: detection.detection ?? null };
}

/**
 * `call(image)` for `photo` (what detectPhoto gave): the first time on its kept detection, so
 * that the face index refers to exactly the faces shown and nothing is decoded or detected
 * again; later (a kept detection serves one call), or when it was wiped meanwhile (60 s, or a
 * newer photo replaced it), on the photo's bitmap.
 */
export async function withDetection(photo, call) {
  const detection = photo.detection;
  photo.detection = null;
  if (detection) {
    try {
      return await call({ detection });
    } catch (e) {
      if (e?.code !== 'unknownDetection') throw e;
    }
  }
  return call(photo.bitmap);
}
