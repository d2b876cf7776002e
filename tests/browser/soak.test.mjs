// A short browser soak (the full one is `node benches/soak/run.mjs`, 1000 cycles): 150 enroll /
// verify / withdraw cycles through the packed npm package in headless Chromium, memory sampled
// every 25 cycles. After a 50-cycle warm-up the worker's wasm linear memory must not grow at
// all, the page's and the worker's JS heaps (after GC) by at most 1 MiB, and no handle may leak
// (one worker, the same live wasm-bindgen handles, no reference left after withdraw).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { packageTarball, timer } from './helpers.mjs';
import { openSoakPage, plateauProblems, soak, table } from '../../benches/soak/soak.mjs';

const CYCLES = 150;
const EVERY = 25;
const WARMUP = 50;

describe('browser soak (short)', () => {
  let soakPage;

  before(async () => {
    const tarball = packageTarball();
    for (const w of tarball.warnings) console.error(`warning: ${w}`);
    soakPage = await openSoakPage(tarball.path);
  });

  after(async () => {
    await soakPage?.close();
  });

  it(`memory plateaus over ${CYCLES} enroll/verify/withdraw cycles and no handle leaks`, { timeout: 10 * 60_000 }, async () => {
    const elapsed = timer();
    const run = await soak(soakPage, { cycles: CYCLES, every: EVERY });
    console.error(`soak: ${CYCLES} cycles in ${elapsed()} (${run.browser}, ${run.build})\n${table(run.samples)}`);
    assert.deepEqual(plateauProblems(run.samples, { warmup: WARMUP }), []);
    assert.deepEqual(soakPage.errors, [], 'no page errors');
    const last = run.samples.at(-1);
    assert.equal(last.auditEvents, 4 * CYCLES, 'consent, enrolment, comparison and withdrawal logged each cycle');
  });
});
