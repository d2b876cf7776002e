// face-api.js (@vladmandic/face-api, its bundled tfjs on the tfjs-backend-wasm wasm files: SIMD,
// one thread: tfjs would use half the cores, one on a 2-core machine, and its thread pool's
// workers come from blob: URLs, which the page's CSP (worker-src 'self') refuses, so its
// multithreaded build is turned off on the cross-origin isolated bench page). detect = detectSingleFace; e2e =
// detectSingleFace + 68 landmarks + descriptor (its own alignment inside). ?detector=tiny
// (TinyFaceDetector, input 416) or ssd (SsdMobilenetv1).
export async function open(params) {
  const faceapi = await import('/faceapi/face-api.esm.js');
  const tf = faceapi.tf;
  tf.setWasmPaths('/tfwasm/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  const which = params.get('detector') ?? 'tiny';
  const detectorNet = which === 'tiny' ? faceapi.nets.tinyFaceDetector : faceapi.nets.ssdMobilenetv1;
  await Promise.all([detectorNet, faceapi.nets.faceLandmark68Net, faceapi.nets.faceRecognitionNet].map((n) => n.loadFromUri('/faceapi-model')));
  const options = which === 'tiny' ? new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }) : new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  return {
    info: {
      detector: which === 'tiny' ? 'TinyFaceDetector 416' : 'SsdMobilenetv1',
      backend: tf.getBackend(),
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') ? 'multi' : 1,
      tfjs: tf.version?.['tfjs-core'] ?? '',
    },
    detect: (p) => faceapi.detectSingleFace(p.canvas, options),
    async e2e(p) {
      const r = await faceapi.detectSingleFace(p.canvas, options).withFaceLandmarks().withFaceDescriptor();
      return { faces: r ? 1 : 0 };
    },
  };
}
