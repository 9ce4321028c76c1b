// Signal handler frames in an imported trace. The language's `catch`
// handler records the signal and returns at once, so the calls a program
// makes inside its handler run, in the scenario, after it: under the mask
// outside the handler. The kernel runs them under the handler's mask (the
// mask at delivery, the action's sa_mask and the signal itself unless
// SA_NODEFER: setup_rt_frame/signal_setup_done). The importer follows each
// task's mask through the trace and, before the first call inside a frame,
// writes the step that sets the handler's mask; at the frame's
// rt_sigreturn, the step that puts back the mask it restores
// (`rt_sigreturn({mask=[...]})`).

import { sigmask, UNBLOCKABLE, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK } from '../abi/signal.js';

/** One handler frame: the mask inside it (null when the mask at delivery is not known), and whether a step has set it. */
interface Frame {
  readonly inside: bigint | null;
  applied: boolean;
}

/** What the importer follows of one task's signal mask. */
export interface MaskState {
  /** The task's blocked mask as the trace implies it; null until a call shows it. */
  blocked: bigint | null;
  /** The mask of an rt_sigsuspend that just returned for a handler: the mask at that delivery. */
  suspended: bigint | null;
  readonly frames: Frame[];
}

export const newMaskState = (blocked: bigint | null): MaskState => ({ blocked, suspended: null, frames: [] });

/** The action of a handled signal that shapes its frame's mask. */
export interface FrameAction {
  readonly mask: bigint;
  readonly nodefer: boolean;
}

const keep = (set: bigint): bigint => set & ~UNBLOCKABLE;

/** rt_sigprocmask as the trace shows it: `old` (when printed) is the mask before, the ground truth. */
export function maskCall(m: MaskState, how: number, set: bigint | null, old: bigint | null): void {
  if (old !== null) m.blocked = old;
  if (set === null || m.blocked === null) {
    if (set !== null && how === SIG_SETMASK) m.blocked = keep(set);
    return;
  }
  if (how === SIG_BLOCK) m.blocked = keep(m.blocked | set);
  else if (how === SIG_UNBLOCK) m.blocked = m.blocked & ~set;
  else if (how === SIG_SETMASK) m.blocked = keep(set);
}

/** A handled signal arrived: a frame opens with the handler's mask. */
export function openFrame(m: MaskState, sig: number, action: FrameAction | undefined): void {
  const atDelivery = m.suspended ?? m.blocked;
  m.suspended = null;
  const inside = atDelivery === null || action === undefined ? null : keep(atDelivery | action.mask | (action.nodefer ? 0n : sigmask(sig)));
  m.frames.push({ inside, applied: false });
}

/**
 * Before a step of the task: the mask step to write first (the handler's
 * mask, once per frame), or null. `unknown` is set when the task is inside a
 * frame whose mask cannot be known, so its handled signals cannot be compared.
 */
export function beforeStep(m: MaskState): { set: bigint | null; unknown: boolean } {
  m.suspended = null;
  const top = m.frames.at(-1);
  if (top === undefined) return { set: null, unknown: false };
  if (top.inside === null) return { set: null, unknown: true };
  if (top.applied) return { set: null, unknown: false };
  top.applied = true;
  return { set: top.inside, unknown: false };
}

/** rt_sigreturn: the frame closes and `restored` (its shown mask) is the mask again; the mask step to write, or null. */
export function closeFrame(m: MaskState, restored: bigint | null): bigint | null {
  const frame = m.frames.pop();
  if (restored !== null) m.blocked = restored;
  if (frame === undefined || !frame.applied) return null;
  // The step below puts the outer frame's mask back too: the model is in it now.
  const outer = m.frames.at(-1);
  if (outer !== undefined) outer.applied = true;
  return restored;
}
