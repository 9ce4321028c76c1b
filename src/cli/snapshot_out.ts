// `pidns run --snapshot-out OUT`: the state a scenario ends in, saved as a
// snapshot file (docs/snapshot.md), atomically (snapshot_file.ts), so that
// any scenario or fuzz case can be a restore target (docs/restore.md). On
// the model it is the model's whole state; on the kernel backend it is what
// /proc shows of ns0 and the namespaces below it, read after the last step
// and before teardown (src/host/ns_snapshot.ts, the reader of
// `host snapshot --ns`).

import { stat } from 'node:fs/promises';
import type { KernelJson } from '../snapshot/index.js';
import { toJSON } from '../snapshot/index.js';
import type { Backend } from '../scenario/backend.js';
import { ModelBackend } from '../scenario/model_backend.js';
import { KernelBackend } from '../native/kernel_backend.js';
import type { NsSnapshot } from '../host/ns_snapshot.js';
import { writeFileAtomic } from './snapshot_file.js';
import { quoteArg } from './args.js';
import { Exit } from './exit.js';
import { writeFailure, type Io } from './io.js';

/** The end state of a backend, read just before it closes (runScenario closes it). */
export interface EndCapture {
  /** Give this one to the runner: its close() first reads the end state. */
  readonly backend: Backend;
  /** The state read at close, or why it could not be read; null before close. */
  taken(): { readonly ok: true; readonly snapshot: NsSnapshot } | { readonly ok: false; readonly reason: string } | null;
}

/** The end state of any backend that has one: the model's kernel, the kernel backend's /proc. */
export function endStateOf(backend: Backend): NsSnapshot {
  // The model's pidfds and terminals are in its snapshot (fd tables, ttys).
  if (backend instanceof ModelBackend) return { json: toJSON(backend.kernel), notes: [], pidfds: [], terminals: [] };
  if (backend instanceof KernelBackend) return backend.endState();
  throw new Error(`backend ${backend.name} cannot save its end state`);
}

export function captureEndState(backend: Backend, read: (b: Backend) => NsSnapshot = endStateOf): EndCapture {
  let result: ReturnType<EndCapture['taken']> = null;
  const close = async (): Promise<void> => {
    if (result === null) {
      try {
        result = { ok: true, snapshot: read(backend) };
      } catch (e) {
        result = { ok: false, reason: e instanceof Error ? e.message : String(e) };
      }
    }
    await backend.close();
  };
  const wrapped = new Proxy(backend, {
    get(target, prop, receiver): unknown {
      if (prop === 'close') return close;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { backend: wrapped, taken: () => result };
}

/** False (with the reason on standard error) when `path` is a directory: found before the run, not after it. */
export async function snapshotOutWritable(path: string, io: Io): Promise<boolean> {
  try {
    if (!(await stat(path)).isDirectory()) return true;
  } catch {
    // Missing is fine (it is made); other problems show when it is written.
    return true;
  }
  io.err(`error: --snapshot-out ${quoteArg(path)}: is a directory\n`);
  return false;
}

/** Writes the captured end state to `path`; prints what /proc could not show exactly; Exit.Ok or why not. */
export async function saveEndState(path: string, capture: EndCapture, io: Io): Promise<Exit> {
  const r = capture.taken();
  if (r === null || !r.ok) {
    io.err(`error: --snapshot-out ${quoteArg(path)}: the end state could not be read${r === null ? '' : `: ${r.reason}`}; nothing written\n`);
    return Exit.Internal;
  }
  for (const n of r.snapshot.notes) io.err(`pidns run: snapshot: ${n}\n`);
  try {
    await writeFileAtomic(path, snapshotJsonText(r.snapshot.json));
  } catch (e) {
    io.err(`error: --snapshot-out ${quoteArg(path)}: ${writeFailure(e)}\n`);
    return Exit.BadInput;
  }
  return Exit.Ok;
}

export function snapshotJsonText(json: KernelJson): string {
  return `${JSON.stringify(json)}\n`;
}
