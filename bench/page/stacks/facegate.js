// facegate through its npm API (a module Worker running the wasm build): ImageData in, as a
// page passes a canvas frame. detect = fg.detect; e2e = fg.verify against one enrolled reference
// (detect + align + embed + compare). Both include the pixel copy to the worker. The first e2e
// call (the "first result") is the enrolment of that reference: the same pipeline.
// ?variant=auto|threads|relaxed-simd|simd128 &threads=N (default: the package's default)
// &inputSize=640 &quick=320|0 (the detector's quick first look; default: the package's default).
export async function open(params) {
  const pkg = params.get('pkg') ?? 'pkg';
  const { FaceGate } = await import(`/${pkg}/index.js`);
  const inputSize = Number(params.get('inputSize') ?? 640);
  const detector = { inputSize };
  if (params.has('quick')) detector.quickInputSize = Number(params.get('quick'));
  const threads = params.has('threads') ? Number(params.get('threads')) : undefined;
  const t0 = performance.now();
  const fg = await FaceGate.load({ detector, threads, wasmVariant: params.get('variant') ?? 'auto' });
  // Cold-start phases as the worker measured them (from its start of loading), and the page's.
  const phases = { ...fg.loadPhases, loadResolved: Math.round(performance.now() - t0) };
  const consent = { subject: 'self', purpose: 'verifyItIsMe', consentText: 'benchmark' };
  let referenceId;
  const inputs = {};
  return {
    info: { build: fg.wasmBuild, threads: fg.threads, inputSize, quick: detector.quickInputSize ?? 'default', pkg, loadPhasesMs: phases, detectorInputs: inputs },
    async detect(p) {
      const r = await fg.detect(p.imageData);
      const size = r.detector?.inputSize;
      if (size) inputs[size] = (inputs[size] ?? 0) + 1;
      return r;
    },
    async e2e(p) {
      if (!referenceId) {
        ({ referenceId } = await fg.enroll(p.imageData, { consent, label: 'bench' }));
        return { faces: 1 };
      }
      const r = await fg.verify(p.imageData, referenceId);
      return { faces: typeof r.similarity === 'number' ? 1 : 0 };
    },
  };
}
