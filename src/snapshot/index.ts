// pidns/snapshot: save and restore the whole engine state as versioned JSON
// (docs/snapshot.md).

export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './schema.js';
export type { FdTableJson, KernelJson, PidJson, PidNsJson, SigHandJson, SigInfoJson, TaskJson, ThreadGroupJson, UserNsJson, WaitJson } from './schema.js';
export { toJSON } from './save.js';
export { formatSnapshotError, fromJSON, parseSnapshot } from './load.js';
export type { LoadResult, SnapshotError } from './load.js';
