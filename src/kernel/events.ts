// The typed stream of what happened in the kernel (STYLE.md, habit 9). The
// transcript, the visualizer and host tools read this stream and snapshots,
// never the model's internals. Tasks are named by their creation sequence
// number (Task.seq), namespaces by their name.

import type { SigInfo } from './signal_types.js';
import type { WaitOutcome } from './wait_types.js';

export type KernelEvent =
  | { readonly type: 'forked'; readonly task: number; readonly parent: number | null; readonly creator: number; readonly thread: boolean }
  | { readonly type: 'ns_created'; readonly ns: string; readonly parent: string | null; readonly level: number }
  /** The last Pid with a number in the namespace was freed. */
  | { readonly type: 'ns_emptied'; readonly ns: string }
  /** A task finished do_exit(): its status word (exit code << 8, or the signal). */
  | { readonly type: 'exited'; readonly task: number; readonly status: number }
  /** Another thread's execve ended this one (de_thread). */
  | { readonly type: 'superseded'; readonly task: number; readonly by: number }
  | { readonly type: 'reaped'; readonly task: number; readonly by: number | null }
  | { readonly type: 'reparented'; readonly task: number; readonly from: number; readonly to: number | null }
  /** A signal was queued for a thread group or thread (not ignored). */
  | { readonly type: 'signalled'; readonly task: number; readonly signal: number; readonly from: number | null }
  /** A handler ran: what its siginfo showed. */
  | {
      readonly type: 'caught';
      readonly task: number;
      readonly signal: number;
      readonly siPid: number;
      readonly siCode: number;
      readonly siStatus: number;
      /** si_value of a queued siginfo (rt_sigqueueinfo, pidfd_send_signal with a siginfo), else null. */
      readonly siValue: number | null;
    }
  | { readonly type: 'stopped'; readonly task: number; readonly signal: number }
  | { readonly type: 'continued'; readonly task: number }
  /** A blocked wait finished. */
  | { readonly type: 'wait_resumed'; readonly task: number; readonly syscall: 'wait4' | 'waitid'; readonly outcome: WaitOutcome }
  /** A blocked rt_sigsuspend, pause, rt_sigtimedwait or signalfd read finished: the siginfo it took, or its errno. */
  | { readonly type: 'sigwait_resumed'; readonly task: number; readonly syscall: 'rt_sigsuspend' | 'pause' | 'rt_sigtimedwait' | 'read'; readonly outcome: SigWaitOutcome }
  /** A tty read, write or ioctl that slept (for input, or stopped by the job-control signal it sent) finished. */
  | { readonly type: 'tty_resumed'; readonly task: number; readonly syscall: 'read' | 'write' | 'ioctl'; readonly result: { readonly value: number } | { readonly errno: number } }
  | { readonly type: 'execed'; readonly task: number }
  /** mm_release() wrote 0 to the task's clear_child_tid word and woke its futex (another task shares the memory). */
  | { readonly type: 'tid_cleared'; readonly task: number }
  /** A CLONE_VFORK child exec'd or exited (mm_release): its parent's clone returns. */
  | { readonly type: 'vfork_done'; readonly task: number; readonly child: number }
  | { readonly type: 'ns_switched'; readonly task: number; readonly pidForChildren: string };

export type KernelEventListener = (event: KernelEvent) => void;

/** What a signal wait returns: the signal it took (sigtimedwait, a signalfd read), or an errno (EINTR). */
export type SigWaitOutcome = { readonly kind: 'signal'; readonly info: SigInfo } | { readonly kind: 'error'; readonly errno: number };
