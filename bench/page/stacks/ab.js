// Paired comparison in one page: every image goes through two stacks, alternating which goes
// first, so that machine load drifts hit both alike. ?A=facegate&B=ort (stacks of this folder;
// both get this page's parameters, B's overridden by threadsB, variantB, quickB), or
// ?A=facegate&B=facegate&pkgB=DIR (two facegate builds).
// Per-stack times are in stages A and B (this row's e2e and detect are their sums: ignore them).
export async function open(params, photos) {
  const a = await (await import(`./${params.get('A') ?? 'facegate'}.js`)).open(params, photos);
  const paramsB = new URLSearchParams(params);
  if (params.get('pkgB')) paramsB.set('pkg', params.get('pkgB'));
  // B's own settings where given: ?threadsB=1&variantB=relaxed-simd (e.g. threads against one).
  for (const k of ['threads', 'variant', 'quick']) if (params.has(`${k}B`)) paramsB.set(k, params.get(`${k}B`));
  const b = await (await import(`./${params.get('B') ?? 'facegate'}.js`)).open(paramsB, photos);
  let turn = 0;
  const both = async (f) => {
    const order = turn++ % 2 === 0 ? [['A', a], ['B', b]] : [['B', b], ['A', a]];
    const stages = {};
    for (const [name, s] of order) {
      const t = performance.now();
      await f(s);
      stages[name] = performance.now() - t;
    }
    return stages;
  };
  return {
    info: { A: a.info, B: b.info },
    detect: (p) => both((s) => s.detect(p)),
    async e2e(p) {
      const stages = await both((s) => s.e2e(p));
      return { faces: 1, stages: { ...stages, ratio: stages.A / stages.B } };
    },
  };
}
