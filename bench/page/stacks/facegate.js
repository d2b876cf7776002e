// facegate through its npm API (a module Worker running the wasm build): ImageData in, as a
// page passes a canvas frame. detect = fg.detect; e2e = fg.verify against one enrolled reference
// (detect + align + embed + compare). Both include the pixel copy to the worker. The first e2e
// call (the "first result") is the enrolment of that reference: the same pipeline.
export async function open(params) {
  const pkg = params.get('pkg') ?? 'pkg';
  const { FaceGate } = await import(`/${pkg}/index.js`);
  const inputSize = Number(params.get('inputSize') ?? 640);
  // Cold-start phases from the load progress events: files fetched and checked, wasm
  // instantiated ('prepare'), engine built (load resolves).
  const t0 = performance.now();
  const phases = {};
  const onProgress = (p) => {
    if (p.stage === 'prepare') phases.wasmInstantiated = performance.now() - t0;
    else phases.filesFetched = performance.now() - t0;
  };
  const fg = await FaceGate.load({ detector: { inputSize }, wasmVariant: params.get('variant') ?? 'auto', onProgress });
  phases.engineBuilt = performance.now() - t0;
  const consent = { subject: 'self', purpose: 'verifyItIsMe', consentText: 'benchmark' };
  let referenceId;
  return {
    info: { build: fg.wasmBuild, inputSize, pkg, loadPhasesMs: phases },
    detect: (p) => fg.detect(p.imageData),
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
