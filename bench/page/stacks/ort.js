// onnxruntime-web (wasm backend, ?threads=N threads (default 1; more need a cross-origin isolated
// page), no proxy worker) running facegate's two ONNX files
// (with the DequantizeLinear fold done ahead by bench/peers.py, and YuNet's input height and width
// left free), with facegate's pre- and post-processing in JavaScript (../pipeline.js).
import { alignedTensor, ARCFACE, decodeYunet, detectorGeometry, detectorTensor, l2normalize, nms, toSource, umeyama } from '../pipeline.js';

export async function open(params) {
  const ort = await import('/ort/ort.wasm.min.mjs');
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = Number(params.get('threads') ?? 1);
  ort.env.wasm.proxy = false;
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const load = async (name) => new Uint8Array(await (await fetch(`/models/${name}`)).arrayBuffer());
  const [detBytes, recBytes] = await Promise.all([load('yunet.onnx'), load('sface.onnx')]);
  const detector = await ort.InferenceSession.create(detBytes, options);
  const recognizer = await ort.InferenceSession.create(recBytes, options);
  const geometry = { maxSide: Number(params.get('inputSize') ?? 640), mode: params.get('geometry') ?? 'fit' };
  const scratch = {};

  async function detect(p) {
    const g = detectorGeometry(p.width, p.height, geometry);
    const input = new ort.Tensor('float32', detectorTensor(p.bitmap, g, scratch), [1, 3, g.inputH, g.inputW]);
    const out = await detector.run({ input });
    const faces = toSource(nms(decodeYunet(out, g.inputW)), g);
    for (const t of Object.values(out)) t.dispose?.();
    return faces;
  }

  return {
    info: { ort: ort.env.versions?.web ?? '', threads: ort.env.wasm.numThreads, geometry },
    detect,
    async e2e(p) {
      let t = performance.now();
      const faces = await detect(p);
      const tDetect = performance.now() - t;
      if (!faces.length) return { faces: 0, stages: { detect: tDetect } };
      t = performance.now();
      const tf = umeyama(faces[0].landmarks, ARCFACE);
      const crop = alignedTensor(p.imageData.data, p.width, p.height, tf);
      const tAlign = performance.now() - t;
      t = performance.now();
      const out = await recognizer.run({ data: new ort.Tensor('float32', crop, [1, 3, 112, 112]) });
      const template = l2normalize(out.fc1.data);
      const tEmbed = performance.now() - t;
      return { faces: faces.length, template, stages: { detect: tDetect, align: tAlign, embed: tEmbed } };
    },
  };
}
