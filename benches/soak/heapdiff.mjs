// Which objects the worker's JS heap gains during the soak: two heap snapshots of the worker
// (after warm-up, and `cycles` enroll/verify/withdraw cycles later), compared by type and name.
//
//   node benches/soak/heapdiff.mjs [cycles=300]
//
// Used to explain the small heap growth benches/soak/run.mjs reports (docs/hostile-inputs.md).
import { packageTarball } from '../../tests/browser/helpers.mjs';
import { openSoakPage, soak } from './soak.mjs';

const cycles = Number(process.argv[2] ?? 300);
const sp = await openSoakPage(packageTarball().path);
const { page, cdp } = sp;
// our own worker channel with event capture
const sessions = []; const pending = new Map(); let next = 1; let chunks = [];
cdp.on('Target.attachedToTarget', (e) => { if (e.targetInfo.type === 'worker') sessions.push(e.sessionId); });
cdp.on('Target.receivedMessageFromTarget', (e) => { const m = JSON.parse(e.message);
  if (m.method === 'HeapProfiler.addHeapSnapshotChunk') { chunks.push(m.params.chunk); return; }
  const r = pending.get(m.id); if (r) { pending.delete(m.id); r(m); } });
async function snapshot(call) {
  chunks = []; await call('HeapProfiler.collectGarbage'); await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  const snap = JSON.parse(chunks.join(''));
  const f = snap.snapshot.meta.node_fields; const types = snap.snapshot.meta.node_types[0];
  const n = f.length; const counts = new Map();
  for (let i = 0; i < snap.nodes.length; i += n) {
    const type = types[snap.nodes[i]]; const name = snap.strings[snap.nodes[i + 1]]; const size = snap.nodes[i + f.indexOf('self_size')];
    const key = `${type}:${name.slice(0, 60)}`; const c = counts.get(key) ?? { n: 0, size: 0 }; c.n++; c.size += size; counts.set(key, c);
  }
  return counts;
}
// run 50 cycles to load + warm, then snapshot, then 300 more, snapshot
let s1, s2;
await soak(sp, { cycles: 50, every: 50 });
await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
await new Promise(r => setTimeout(r, 300));
const call = (method, params = {}) => new Promise((resolve) => { const id = 100000 + next++; pending.set(id, resolve); cdp.send('Target.sendMessageToTarget', { sessionId: sessions.at(-1), message: JSON.stringify({ id, method, params }) }); });
await call('HeapProfiler.enable');
s1 = await snapshot(call);
await page.evaluate(async ({ n, consent }) => { for (let i = 0; i < n; i++) { const { referenceId } = await window.fg.enroll(window.soakEnroll, { consent, label: 'x' }); await window.fg.verify(window.soakProbe, referenceId); await window.fg.withdraw(referenceId); } }, { n: cycles, consent: { subject: 'self', purpose: 'verifyItIsMe', consentText: 'I agree' } });
s2 = await snapshot(call);
const diff = [];
for (const [k, v] of s2) { const a = s1.get(k) ?? { n: 0, size: 0 }; if (v.n - a.n > 0 || v.size - a.size > 500) diff.push([k, v.n - a.n, v.size - a.size]); }
diff.sort((a, b) => b[2] - a[2]);
console.log(`worker heap objects gained over ${cycles} cycles (kind:name, count, bytes):`);
for (const [k, n, b] of diff.slice(0, 25)) console.log(`${String(b).padStart(8)} B  ${String(n).padStart(5)}  ${k}`);
await sp.close();
