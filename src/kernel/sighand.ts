// struct sighand_struct: the signal actions a thread group (or several
// processes cloned with CLONE_SIGHAND) share: handler, sa_flags, sa_mask.

import type { SigAction, SignalDisposition } from './signal_types.js';

/** SIG_DFL with no flags and an empty mask: what an untouched entry holds. */
export const DEFAULT_ACTION: SigAction = Object.freeze({ handler: 'SIG_DFL', flags: 0, mask: 0n });

export class SigHand {
  /** Signal number → action; absent means DEFAULT_ACTION. Made on first change (most processes never change one). */
  private actions: Map<number, SigAction> | null = null;

  constructor(readonly serial: number) {}

  get(sig: number): SignalDisposition {
    return this.actions?.get(sig)?.handler ?? 'SIG_DFL';
  }

  action(sig: number): SigAction {
    return this.actions?.get(sig) ?? DEFAULT_ACTION;
  }

  /** A disposition alone means that handler with no flags and an empty mask. */
  set(sig: number, action: SigAction | SignalDisposition): void {
    const a: SigAction = typeof action === 'string' ? { handler: action, flags: 0, mask: 0n } : action;
    if (a.handler === 'SIG_DFL' && a.flags === 0 && a.mask === 0n) this.actions?.delete(sig);
    else (this.actions ??= new Map()).set(sig, a);
  }

  copy(serial: number): SigHand {
    const copy = new SigHand(serial);
    if (this.actions !== null && this.actions.size > 0) copy.actions = new Map(this.actions);
    return copy;
  }

  /**
   * flush_signal_handlers(t, force_default = 0) at execve: handlers fall back
   * to SIG_DFL with flags and mask cleared; SIG_IGN stays (its flags and mask go).
   */
  flushHandlers(): void {
    if (this.actions === null) return;
    for (const [sig, a] of this.actions) {
      if (a.handler === 'catch') this.actions.delete(sig);
      else if (a.handler === 'SIG_IGN' && (a.flags !== 0 || a.mask !== 0n)) this.actions.set(sig, { handler: 'SIG_IGN', flags: 0, mask: 0n });
      else if (a.handler === 'SIG_DFL') this.actions.delete(sig);
    }
  }

  /** The dispositions that are not SIG_DFL (and SIG_DFL entries with flags or a mask), ascending. */
  entries(): [number, SignalDisposition][] {
    return this.actionEntries().map(([s, a]) => [s, a.handler]);
  }

  actionEntries(): [number, SigAction][] {
    return this.actions === null ? [] : [...this.actions].sort((a, b) => a[0] - b[0]);
  }
}
