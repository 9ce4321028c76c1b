// pidns/snapshot: save and restore the whole engine state as versioned JSON
// (docs/snapshot.md).

export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './schema.js';
export type { FdTableJson, KernelJson, PidJson, PidNsJson, SigHandJson, SigInfoJson, TaskJson, ThreadGroupJson, UserNsJson, WaitJson } from './schema.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Kernel as PublicKernel } from '../index.js';
import type { KernelJson } from './schema.js';
import { toJSON as save } from './save.js';

/** The whole state of `k` as snapshot JSON; `k` may be the package's read-only Kernel (every one is an engine Kernel). */
export function toJSON(k: Kernel | PublicKernel): KernelJson {
  return save(k as Kernel);
}
export { formatSnapshotError, fromJSON, parseSnapshot } from './load.js';
export type { LoadResult, SnapshotError } from './load.js';
