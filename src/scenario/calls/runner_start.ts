// What the kernel backend's start state adds that the calls' models must follow
// (not a call: the table lists only the call modules).

import { Signal } from '../../abi/signal.js';
import type { ModelContext } from './spec.js';

/**
 * The runner puts PR_SET_PDEATHSIG SIGKILL back on any thread of the scenario's
 * init after a setuid or setresuid (commit_creds may have cleared it): its
 * safety net, part of the start state (DIFFERENCES.md). It knows the scenario's
 * namespace by an inode its image recorded at start, which an exec'd image no
 * longer has: so only while init's group has not exec'd.
 */
export function runnerRestoresPdeath(ctx: ModelContext): void {
  const me = ctx.me;
  if (me.activeNs === ctx.kernel.ns0 && me.tgidIn(me.activeNs) === 1 && me.group.execId === 0) me.pdeathSignal = Signal.SIGKILL;
}
