// Paired comparison of two facegate packages in one page (?pkg=A&pkgB=B): each image goes
// through both, alternating which goes first, so that machine load drifts hit both alike. The
// per-package times are in stages A and B (e2e and detect here are their sums: ignore them).
import { open as openFacegate } from './facegate.js';

export async function open(params, photos) {
  const a = await openFacegate(params, photos);
  const paramsB = new URLSearchParams(params);
  paramsB.set('pkg', params.get('pkgB'));
  const b = await openFacegate(paramsB, photos);
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
      return { faces: 1, stages: await both((s) => s.e2e(p)) };
    },
  };
}
