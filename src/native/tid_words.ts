// The tid words of the kernel backend: the runner passes every clone and
// set_tid_address real pointers into a memfd shared with every actor (two
// int32 per actor ref: parent_tid, child_tid); after each step the driver
// reads what the kernel wrote there (native/PROTOCOL.md).

import { readFileSync } from 'node:fs';
import { CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_PARENT_SETTID, CLONE_VM } from '../abi/clone.js';
import type { CallResult, StepEvent } from '../scenario/backend.js';
import type { Actor, StepCtx } from './actors.js';

/** runner.c's WORDS_FD: the memfd of tid words, two int32 per actor ref ({parent_tid, child_tid}). */
const WORDS_FD = 511;

export class TidWords {
  private nextVm = 1;

  constructor(private readonly controllerPid: () => number) {}

  /**
   * The convention of kernel/mm.ts racyInGroupExit(): a thread that died in
   * a group exit (killed, or its group's exit_group) shows no clear unless a
   * live task of another thread group still uses the memory.
   */
  private racyGroupExit(actors: ReadonlyMap<number, Actor>, x: Actor, step: StepCtx, events: readonly StepEvent[]): boolean {
    const killed = events.some((e) => e.task === x.ref && e.event.kind === 'killed');
    const groupExit = step.call.name === 'exit_group' && step.actor.hostTgid === x.hostTgid;
    if (!killed && !groupExit) return false;
    for (const y of actors.values()) if (!y.exited && y.vm !== undefined && y.vm === x.vm && y.hostTgid !== x.hostTgid) return false;
    return true;
  }

  /** The memfd of tid words, as the runner shares it with every actor. */
  read(): Buffer | null {
    try {
      return readFileSync(`/proc/${this.controllerPid()}/fd/${WORDS_FD}`);
    } catch {
      return null;
    }
  }

  /**
   * What the kernel wrote through the pointers the runner passed: the words
   * CLONE_PARENT_SETTID / CLONE_CHILD_SETTID set in a clone's result, and a
   * `tid_cleared` event for a task whose clear_child_tid word went to 0 (at
   * exit or exec, mm_release() clears it only while another task shares the
   * memory), before the task's end.
   */
  apply(actors: ReadonlyMap<number, Actor>, step: StepCtx, result: CallResult, events: StepEvent[]): CallResult {
    const flags = step.traits.cloneFlags ?? 0;
    const wantTids = (flags & (CLONE_PARENT_SETTID | CLONE_CHILD_SETTID)) !== 0;
    const child = step.newChild;
    const ok = result.kind === 'value' && result.value > 0;
    if (ok && child !== undefined && (flags & CLONE_CHILD_CLEARTID) !== 0) child.clearArmed = true;
    if (step.traits.setsTidAddress !== undefined && result.kind === 'value') step.actor.clearArmed = step.traits.setsTidAddress;
    const execed = step.traits.execs === true && result.kind === 'value' && result.value === 0;
    if (child !== undefined && child.vm === undefined) child.vm = (flags & CLONE_VM) !== 0 ? (step.actor.vm ??= this.nextVm++) : this.nextVm++;
    const due = [...actors.values()].filter((x) => x.clearArmed === true && (x.exited || (execed && x === step.actor)));
    if (execed) step.actor.vm = this.nextVm++;
    if (result.kind === 'unfinished' && child !== undefined) {
      step.actor.vforkFlags = flags;
      if ((flags & CLONE_CHILD_CLEARTID) !== 0) child.clearArmed = true;
    }
    if (!(wantTids && ok && child !== undefined) && due.length === 0) return result;
    const words = this.read();
    if (words === null) throw new Error('kernel backend: cannot read the tid words');
    const word = (ref: number, i: 0 | 1): number => words.readInt32LE(ref * 8 + i * 4);
    for (const x of due) {
      x.clearArmed = false;
      if (word(x.ref, 1) !== 0) continue;
      if (this.racyGroupExit(actors, x, step, events)) continue;
      const end = events.findIndex((e) => e.task === x.ref && (e.event.kind === 'exited' || e.event.kind === 'killed' || e.event.kind === 'superseded'));
      const ev: StepEvent = { task: x.ref, event: { kind: 'tid_cleared' } };
      if (end < 0) events.push(ev);
      else events.splice(end, 0, ev);
    }
    if (!(wantTids && ok && child !== undefined) || result.kind !== 'value') return result;
    const tids = {
      ...((flags & CLONE_PARENT_SETTID) !== 0 ? { parent: word(child.ref, 0) } : {}),
      ...((flags & CLONE_CHILD_SETTID) !== 0 ? { child: word(child.ref, 1) } : {}),
    };
    return { ...result, tids };
  }
}
