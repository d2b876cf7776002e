// The camera: started only by the user's click (after consent), stopped after each snapshot and
// by "Erase everything". Every stream this page opens is tracked so that none stays on.

const streams = new Set();

/** Starts the camera into `video`. */
export async function startCamera(video) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
  streams.add(stream);
  video.srcObject = stream;
  await video.play().catch(() => {});
  return stream;
}

/** The current frame of `video` as an ImageBitmap. */
export function snapshot(video) {
  return createImageBitmap(video);
}

/** Stops the stream shown in `video`. */
export function stopCamera(video) {
  const stream = video.srcObject;
  if (stream) {
    for (const track of stream.getTracks()) track.stop();
    streams.delete(stream);
  }
  video.srcObject = null;
}

/** Stops every stream the page opened. */
export function stopAllCameras() {
  for (const stream of streams) for (const track of stream.getTracks()) track.stop();
  streams.clear();
  for (const video of document.querySelectorAll('video')) video.srcObject = null;
}

/** Whether any camera track is still live. */
export function cameraOn() {
  return [...streams].some((s) => s.getTracks().some((t) => t.readyState === 'live'));
}
