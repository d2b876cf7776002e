// The machine's load, for the benchmarks: how many cores other processes used while a row ran
// (`loadProbe`), and a wait for the cores to go quiet before a cold start (`settle`). Read from
// Linux's /proc (USER_HZ ticks); machines here have 2 cores and are shared, so a figure is only
// read with the load it was measured under.
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const TICKS = 100; // USER_HZ on Linux

/** Busy and total CPU ticks of the whole machine, all cores, since boot. */
function cpuTotals() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: f.reduce((a, b) => a + b, 0) - idle, total: f.reduce((a, b) => a + b, 0) };
}

/** Cores the whole machine kept busy between two `cpuTotals()` readings. */
function busyCoresBetween(before, after) {
  return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * cpus().length;
}

/** CPU ticks used by the processes descending from `roots` (the browser, this process). */
function treeTicks(roots) {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
      // utime + stime, plus cutime + cstime: children that ended (a closed page's renderer, a
      // finished cargo or python run) hand their time to their parent.
      procs.set(Number(d), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]) });
    } catch {
      // gone
    }
  }
  const ours = new Map();
  for (const [pid, p] of procs) {
    let q = pid;
    for (let hop = 0; hop < 64 && q > 1; hop++) {
      if (roots.includes(q)) {
        ours.set(pid, p.ticks);
        break;
      }
      q = procs.get(q)?.ppid ?? 0;
    }
  }
  return ours;
}

/**
 * Starts measuring; the function it returns says, for the time since, how many cores the whole
 * machine kept busy (`busyCores`), how many of them the processes under `roots` used
 * (`oursCores`), and the rest (`otherCores`), with the 1-minute load average.
 */
export function loadProbe(roots) {
  const t = performance.now();
  const cpu = cpuTotals();
  const tree = treeTicks(roots);
  return () => {
    const seconds = (performance.now() - t) / 1000;
    const cpu2 = cpuTotals();
    let ours = 0;
    for (const [pid, ticks] of treeTicks(roots)) ours += ticks - (tree.get(pid) ?? 0);
    const busyCores = busyCoresBetween(cpu, cpu2);
    const oursCores = ours / TICKS / seconds;
    return { seconds, busyCores, oursCores, otherCores: Math.max(0, busyCores - oursCores), loadavg1: loadavg()[0] };
  };
}

/**
 * Waits until the whole machine keeps fewer than `quietCores` cores busy over one `windowMs`
 * window, or until `maxMs` passed. Resolves to the busy cores of the last
 * window and the time waited, in ms.
 */
export async function settle({ quietCores = 0.25, windowMs = 500, maxMs = 15_000 } = {}) {
  const start = performance.now();
  for (;;) {
    const before = cpuTotals();
    await new Promise((r) => setTimeout(r, windowMs));
    const busyCores = busyCoresBetween(before, cpuTotals());
    const waitedMs = performance.now() - start;
    if (busyCores < quietCores || waitedMs >= maxMs) return { busyCores, waitedMs };
  }
}
