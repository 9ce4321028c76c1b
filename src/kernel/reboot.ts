// reboot(2) inside a PID namespace (kernel/reboot.c, kernel/pid_namespace.c
// reboot_pid_ns): a restart or power-off kills the namespace's init, whose
// parent then sees it killed by SIGHUP (restart) or SIGINT (halt, power off);
// the caller itself exits with status 0.

import { Errno } from '../abi/errno.js';
import {
  LINUX_REBOOT_CMD_HALT,
  LINUX_REBOOT_CMD_POWER_OFF,
  LINUX_REBOOT_CMD_RESTART,
  LINUX_REBOOT_CMD_RESTART2,
  LINUX_REBOOT_MAGIC1,
  LINUX_REBOOT_MAGIC2,
  LINUX_REBOOT_MAGIC2A,
  LINUX_REBOOT_MAGIC2B,
  LINUX_REBOOT_MAGIC2C,
} from '../abi/reboot.js';
import { Signal, SiCode } from '../abi/signal.js';
import { nsCapable } from './cred.js';
import { runExit } from './exit.js';
import { exitAheadOfGroup } from './mm.js';
import type { Kernel } from './kernel.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import { sendSignal } from './signal.js';
import type { Task } from './task.js';

const MAGIC2 = new Set([LINUX_REBOOT_MAGIC2, LINUX_REBOOT_MAGIC2A, LINUX_REBOOT_MAGIC2B, LINUX_REBOOT_MAGIC2C]);

/**
 * sys_reboot(magic1, magic2, cmd): CAP_SYS_BOOT over the user namespace that
 * owns the caller's PID namespace (EPERM), the magic numbers (EINVAL), then
 * reboot_pid_ns(). The root namespace would reboot the machine: not modeled
 * (ENOSYS), and the scenario's ns0 is never the root.
 */
export function doReboot(k: Kernel, me: Task, magic1: number, magic2: number, cmd: number): Fail | 'exited' {
  const ns = me.activeNs;
  if (!nsCapable(me.cred, ns.userNs)) return fail(Errno.EPERM);
  if (magic1 >>> 0 !== LINUX_REBOOT_MAGIC1 || !MAGIC2.has(magic2)) return fail(Errno.EINVAL);
  if (ns.parent === null) return fail(Errno.ENOSYS);
  let sig: number;
  switch (cmd >>> 0) {
    case LINUX_REBOOT_CMD_RESTART:
    case LINUX_REBOOT_CMD_RESTART2:
      sig = Signal.SIGHUP;
      break;
    case LINUX_REBOOT_CMD_POWER_OFF:
    case LINUX_REBOOT_CMD_HALT:
      sig = Signal.SIGINT;
      break;
    default:
      return fail(Errno.EINVAL);
  }
  ns.reboot = sig;
  // send_sig(SIGKILL, pid_ns->child_reaper, 1): a kernel signal, forced; then do_exit(0).
  const reaper = ns.childReaper;
  if (reaper !== null) sendSignal(k, reaper, { signo: Signal.SIGKILL, code: SiCode.SI_KERNEL, pid: 0, status: 0 }, 'group', true, me);
  // The caller is in exit_mm() before the init's threads it just woke (fuzz seed 100375: a thread of the init
  // that calls reboot with a clear_child_tid word has it cleared, the init still using the memory).
  exitAheadOfGroup(me);
  runExit(k, me, 0);
  return 'exited';
}
