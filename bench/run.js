// npm run bench [-- --json FILE] [-- --quick] [-- --only NAME[,NAME...]]
// The engine's benchmark suite (issue "Performance"). Each workload runs in a
// process of its own (so that no workload inherits another's heap, garbage or
// the collector's pretenuring decisions), several times after a warm-up, and
// the median is reported, with the references measured in the same run: a
// gVisor-style allocator, the raw-Map floor, and real Linux (where root is
// available). Figures and goals are described in docs/PERFORMANCE.md.

import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CLONE_NEWPID, Signal, createKernel, as, procfs } from '../dist/index.js';
import { GvisorAllocator } from './gvisor_allocator.js';

const USAGE = 'usage: npm run bench [-- --json FILE] [-- --quick] [-- --only NAME[,NAME...]]';
let jsonFile;
let quick = false;
let workload;
let only;
{
  const args = process.argv.slice(2);
  const valueOf = (i, flag) => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) {
      console.error(`bench: ${flag} needs a value (${USAGE})`);
      process.exit(2);
    }
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--quick') quick = true;
    else if (a === '--json') jsonFile = valueOf(i++, a);
    else if (a === '--only') only = valueOf(i++, a).split(',');
    else if (a === '--workload') workload = valueOf(i++, a);
    else {
      console.error(`bench: unknown argument ${a} (${USAGE})`);
      process.exit(2);
    }
  }
}
const RUNS = quick ? 3 : 5;
const M = quick ? 200_000 : 1_000_000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gc = () => globalThis.gc?.();

function repeat(fn) {
  fn(); // warm-up
  const out = [];
  for (let i = 0; i < RUNS; i++) out.push(fn());
  return median(out);
}

/** A kernel whose task `worker` is pid 1 of a namespace at `depth` (root namespace = depth 0). */
function worker(depth, pidMax) {
  // The root's pid_max must hold every task too: every number needs a number at every level.
  const k = createKernel({ mode: 'plain', pidMax: 4_194_304 });
  let t = k.init;
  for (let d = 0; d < depth; d++) t = as(k, t).clone(CLONE_NEWPID | Signal.SIGCHLD).value.child;
  if (pidMax !== undefined) as(k, t).sysctl('kernel.pid_max', pidMax);
  return { k, t, api: as(k, t) };
}

/** fork + exit + reap by the parent, n times: cycles per second. */
function churn(api, k, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const c = api.fork().value.child;
    as(k, c).exit(0);
    api.wait4(-1, 0);
  }
  return n / ((performance.now() - start) / 1000);
}

const figures = {};
const lines = [];
const report = (key, value, unit, goal) => {
  figures[key] = value;
  lines.push(`${key.padEnd(26)} ${fmt(value).padStart(14)} ${unit.padEnd(12)} ${goal ?? ''}`);
  console.log(lines[lines.length - 1]);
};
const fmt = (v) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v < 10 ? 3 : 1));

const WORKLOADS = {};

WORKLOADS['churn-1'] = () => {
  const w = worker(1);
  report('churn-1', repeat(() => churn(w.api, w.k, quick ? 100_000 : 300_000)), 'cycles/s', 'goal ≥ 2,000,000');
};

WORKLOADS['churn-32'] = () => {
  const w32 = worker(32);
  report('churn-32', repeat(() => churn(w32.api, w32.k, quick ? 20_000 : 60_000)), 'cycles/s', 'goal ≥ 200,000');
};

// dense: 99% of the numbers in use, the 1% free scattered through the space; churn there against
// churn in an empty space of the same size. (pid_max 4,194,304; --quick uses a tenth of it.)
WORKLOADS.dense = () => {
  const PID_MAX = quick ? 419_430 : 4_194_304;
  const empty = worker(1, PID_MAX);
  const emptyRate = repeat(() => churn(empty.api, empty.k, quick ? 50_000 : 200_000));
  const dense = worker(1, PID_MAX);
  // The numbers are held by a sibling's children: the churning parent's own children list stays short,
  // as wait(-1) walks it in Linux too.
  const filler = as(dense.k, dense.api.fork().value.child);
  const held = [];
  for (let r = filler.fork(); r.ok; r = filler.fork()) held.push(r.value.pid);
  // Free every 100th number: 1% free, evenly scattered.
  for (let i = 0; i < held.length; i += 100) {
    filler.kill(held[i], Signal.SIGKILL);
    filler.wait4(held[i], 0);
  }
  const used = dense.t.activeNs.pidAllocated / PID_MAX;
  const denseRate = repeat(() => churn(dense.api, dense.k, quick ? 50_000 : 200_000));
  report('dense-occupancy', used, 'fraction');
  report('dense-ratio', emptyRate / denseRate, 'x slower', 'goal ≤ 1.5');
  // The gVisor-style allocator (cursor, then a linear probe over three maps) at the same occupancy.
  const g = new GvisorAllocator(PID_MAX - 1);
  const gHeld = [];
  for (let i = 0; i < PID_MAX - 2; i++) gHeld.push(g.allocate());
  for (let i = 0; i < gHeld.length; i += 100) g.release(gHeld[i]);
  const gRate = repeat(() => {
    const n = quick ? 5_000 : 20_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) g.release(g.allocate());
    return n / ((performance.now() - start) / 1000);
  });
  // pidns's own allocator step at the same occupancy (what alloc_pid does per level: idr_alloc_cyclic, then free).
  const idr = dense.t.activeNs.idr;
  const aRate = repeat(() => {
    const n = quick ? 200_000 : 1_000_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const nr = idr.allocCyclic(idr.cursor > 300 ? 300 : 1, PID_MAX);
      idr.remove(nr);
    }
    return n / ((performance.now() - start) / 1000);
  });
  report('gvisor-dense', gRate, 'allocs/s');
  report('pidns-alloc-dense', aRate, 'allocs/s');
  report('dense-vs-gvisor', aRate / gRate, 'x faster', 'goal ≥ 50 (allocator against allocator)');
  report('dense-churn-vs-gvisor', denseRate / gRate, 'x faster', '(a whole fork+exit+reap against a bare allocation)');
};


// lookup: find a task by number, random numbers. The figure is find_task_by_pid_ns(): a number to the
// Task reference (the idr's slot, then the Pid's task pointer), as the engine's public lookup
// (procfs(...).lookup) answers it. Reading a field of the task found is the caller's business and a
// further cache miss; `lookup-read` measures that too, for comparison.
WORKLOADS.lookup = () => {
  const w = worker(1);
  const N = 100_000;
  for (let i = 0; i < N; i++) w.api.fork();
  // (lookup only reads: the children's list length does not matter here.)
  const fs = procfs(w.k, w.t.activeNs);
  const nums = new Int32Array(1 << 20);
  let seed = 12345;
  for (let i = 0; i < nums.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    nums[i] = 2 + (seed % N);
  }
  // Counters live inside each timed function: a captured `let` that outgrows a small integer is boxed on every write.
  let found = 0;
  report('lookup', repeat(() => {
    let hits = 0;
    const start = performance.now();
    for (let i = 0; i < nums.length; i++) if (fs.lookup(nums[i]) !== null) hits++;
    const rate = nums.length / ((performance.now() - start) / 1000);
    found += hits;
    return rate;
  }), 'ops/s', 'goal ≥ 20,000,000');
  let seqs = 0;
  report('lookup-read', repeat(() => {
    let sum = 0;
    const start = performance.now();
    for (let i = 0; i < nums.length; i++) {
      const task = fs.lookup(nums[i]);
      if (task !== null) sum += task.seq;
    }
    const rate = nums.length / ((performance.now() - start) / 1000);
    seqs += sum > 0 ? 1 : 0;
    return rate;
  }), 'ops/s', '(the same, then reading the task\'s seq)');
  if (found !== (RUNS + 1) * nums.length || seqs !== RUNS + 1) throw new Error(`lookup found ${found} of ${(RUNS + 1) * nums.length}`);
};


// memory, ps and zap with M tasks at depth 1
WORKLOADS.big = () => {
  gc();
  const before = process.memoryUsage().heapUsed;
  const w = worker(1);
  for (let i = 0; i < M; i++) w.api.fork();
  gc();
  const after = process.memoryUsage().heapUsed;
  report('memory-bytes-per-task', (after - before) / M, 'bytes', 'goal ≤ 300');
  const fs = procfs(w.k, w.t.activeNs);
  report('ps-seconds', repeat(() => {
    const start = performance.now();
    const rows = fs.readdir();
    if (rows.length !== M + 1) throw new Error(`ps saw ${rows.length}`);
    return (performance.now() - start) / 1000;
  }), 's', 'goal ≤ 0.5');
  // zap: the init of that namespace dies; its parent reaps it.
  const start = performance.now();
  w.api.exit(0);
  const secs = (performance.now() - start) / 1000;
  if (w.t.activeNs.pidAllocated !== 0 && w.t.exitState !== 'zombie') throw new Error('zap did not finish');
  report('zap-seconds', secs, 's', 'goal ≤ 1');
};


// The raw-Map floor: set + delete of integer keys, the least any JS process table does per cycle.
WORKLOADS['map-floor'] = () => {
  const m = new Map();
  let key = 0;
  report('map-floor', repeat(() => {
    const n = 2_000_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      key = (key + 1) & 0x3fffff;
      m.set(key, i);
      m.delete(key);
    }
    return n / ((performance.now() - start) / 1000);
  }), 'ops/s');
};

// bundle: the engine, minified and gzipped.
WORKLOADS.bundle = async () => {
  const out = await build({ entryPoints: ['src/index.ts'], bundle: true, minify: true, format: 'esm', write: false, platform: 'neutral', logLevel: 'silent' });
  const bytes = gzipSync(out.outputFiles[0].contents, { level: 9 }).length;
  report('bundle-bytes', bytes, 'bytes', 'goal ≤ 40,960');
};

// Real Linux: fork + exit + wait in a fresh PID namespace, timed by the native runner.
WORKLOADS.linux = async () => {
  try {
    const { ensureRunner } = await import('../dist/native/build.js');
    const runner = ensureRunner();
    const n = quick ? 2000 : 10000;
    const out = execFileSync(runner, ['bench', String(n)], { encoding: 'utf8', timeout: 120_000 });
    report('linux-churn', Number(out.trim()), 'cycles/s');
  } catch (e) {
    console.log(`linux-churn: not measured (${e instanceof Error ? e.message.split('\n')[0] : e})`);
  }
};

// replay: pidns replay on the largest trace of the corpus (traces/*.strace), import and model run
// together, in trace lines per second; the trace is read from memory, as the CLI streams it from disk.
WORKLOADS.replay = async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { importTraceText, replayImport } = await import('../dist/trace/index.js');
  const files = readdirSync('traces').filter((f) => f.endsWith('.strace')).map((f) => `traces/${f}`);
  const texts = files.map((f) => ({ f, text: readFileSync(f, 'utf8') }));
  const largest = texts.reduce((a, b) => (b.text.split('\n').length > a.text.split('\n').length ? b : a));
  const rounds = quick ? 30 : 100;
  const rates = [];
  for (let r = 0; r <= RUNS; r++) {
    let lines = 0;
    const start = performance.now();
    for (let i = 0; i < rounds; i++) {
      const report = await replayImport(largest.f, importTraceText(largest.text, largest.f));
      if (report.mismatches.length > 0 || report.stopped !== null) throw new Error(`replay of ${largest.f} failed`);
      lines += report.lines;
    }
    if (r > 0) rates.push(lines / ((performance.now() - start) / 1000)); // round 0 is the warm-up
  }
  report(`replay (${largest.f.slice('traces/'.length)})`, median(rates), 'lines/s', 'goal ≥ 200,000');
};

// plan: the restore planner (issue 16) on a 100,000-task snapshot of sessions, process groups,
// zombies, nested namespaces and sessions whose leader is dead (a helper each); planning time,
// the plan's steps per task, and (not timed) the plan run on the model and compared with the snapshot.
WORKLOADS.plan = async () => {
  const { toJSON } = await import('../dist/snapshot/index.js');
  const { planRestore, restoreOnModel } = await import('../dist/restore/index.js');
  const N = quick ? 20_000 : 100_000;
  // The kernel that made the snapshot is garbage once it is saved: the planner sees the JSON alone.
  const json = (() => {
    const k = createKernel();
    const init = as(k, k.init);
    init.sysctl('kernel.pid_max', 4_194_304);
    let made = 1;
    let name = 0;
    const fork = (api, flags = Signal.SIGCHLD) => {
      made++;
      return as(k, api.clone(flags, `t${++name}`).value.child);
    };
    for (let block = 0; made < N; block++) {
      if (block % 20 === 19) {
        // A session whose leader died: its members are the init's now.
        const dead = fork(init);
        dead.setsid();
        for (let i = 0; i < 10; i++) fork(dead);
        dead.exit(0);
        made--;
        init.wait4(-1, 0);
        continue;
      }
      const leader = fork(init);
      leader.setsid();
      const inner = block % 10 === 9 ? fork(leader, CLONE_NEWPID | Signal.SIGCHLD) : leader;
      let group = null;
      for (let i = 0; i < 60; i++) {
        const c = fork(inner);
        if (i % 12 === 0) {
          c.setpgid(0, 0);
          group = c.getpid().value;
        } else if (group !== null) c.setpgid(0, group);
        if (i % 10 === 5) c.exit(i);
      }
    }
    return toJSON(k);
  })();
  gc();
  const tasks = json.tasks.filter((t) => t.exitState !== 'dead').length;
  let plan;
  let cpu = [];
  const ms = repeat(() => {
    const c0 = process.cpuUsage();
    const start = performance.now();
    plan = planRestore(json);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    return performance.now() - start;
  });
  if (!plan.ok) throw new Error(`plan refused: ${plan.refusal.task}: ${plan.refusal.constraint}: ${plan.refusal.why}`);
  const steps = plan.text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  report(`plan-${tasks}-tasks`, ms, 'ms', 'goal ≤ 2,000');
  report(`plan-${tasks}-tasks-cpu`, median(cpu.slice(1)), 'ms cpu', '(this process, GC threads too)');
  report('plan-steps-per-task', steps / tasks, 'steps');
  const outcome = await restoreOnModel(json, plan.text, 'bench-plan.pidns', 'model', {});
  report('plan-restore-differences', outcome.ok ? outcome.differences.length : -1, 'on the model', 'goal 0');
};

const FIGURES_MARK = '@@figures ';

if (workload !== undefined) {
  // A child: one workload, its lines as they come, then its figures for the parent.
  const run = WORKLOADS[workload];
  if (run === undefined) {
    console.error(`bench: no workload ${workload} (${Object.keys(WORKLOADS).join(', ')})`);
    process.exit(2);
  }
  await run();
  console.log(FIGURES_MARK + JSON.stringify(figures));
} else {
  const names = only ?? Object.keys(WORKLOADS);
  const unknown = names.filter((n) => WORKLOADS[n] === undefined);
  if (unknown.length > 0) {
    console.error(`bench: no workload ${unknown.join(', ')} (${Object.keys(WORKLOADS).join(', ')})`);
    process.exit(2);
  }
  console.log(`pidns bench: node ${process.version}, each workload in its own process, ${RUNS} runs each (median), ${M.toLocaleString('en-US')} tasks for the big ones`);
  const self = fileURLToPath(import.meta.url);
  for (const name of names) {
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--workload', name, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    let got = false;
    for (const line of child.stdout.split('\n')) {
      if (line.startsWith(FIGURES_MARK)) {
        Object.assign(figures, JSON.parse(line.slice(FIGURES_MARK.length)));
        got = true;
      } else if (line !== '') console.log(line);
    }
    if (child.status !== 0 || !got) {
      console.error(`bench: workload ${name} failed (exit ${child.status ?? child.signal})`);
      process.exit(1);
    }
  }
  if (figures['churn-1'] !== undefined && figures['map-floor'] !== undefined) figures['churn-1-vs-map-floor'] = figures['churn-1'] / figures['map-floor'];
  if (figures['churn-1'] !== undefined && figures['linux-churn'] !== undefined) figures['churn-1-vs-linux'] = figures['churn-1'] / figures['linux-churn'];
  if (figures['churn-1-vs-map-floor'] !== undefined) {
    console.log(`churn-1 is ${fmt(figures['churn-1-vs-map-floor'])} of the Map floor${figures['churn-1-vs-linux'] ? `, ${fmt(figures['churn-1-vs-linux'])}x real Linux` : ''}`);
  }
  if (jsonFile !== undefined) {
    writeFileSync(jsonFile, JSON.stringify({ machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, figures }, null, 2) + '\n');
    console.log(`wrote ${jsonFile}`);
  }
}
