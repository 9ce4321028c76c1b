// Clone flags (include/uapi/linux/sched.h) and the clone3 rules that name them.

export const CSIGNAL = 0x000000ff;
export const CLONE_VM = 0x00000100;
export const CLONE_FS = 0x00000200;
export const CLONE_FILES = 0x00000400;
export const CLONE_SIGHAND = 0x00000800;
export const CLONE_PIDFD = 0x00001000;
export const CLONE_PTRACE = 0x00002000;
export const CLONE_VFORK = 0x00004000;
export const CLONE_PARENT = 0x00008000;
export const CLONE_THREAD = 0x00010000;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_SYSVSEM = 0x00040000;
export const CLONE_SETTLS = 0x00080000;
export const CLONE_PARENT_SETTID = 0x00100000;
export const CLONE_CHILD_CLEARTID = 0x00200000;
export const CLONE_DETACHED = 0x00400000;
export const CLONE_UNTRACED = 0x00800000;
export const CLONE_CHILD_SETTID = 0x01000000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;
/** clone3 only (include/uapi/linux/sched.h). */
export const CLONE_CLEAR_SIGHAND = 0x100000000;
export const CLONE_INTO_CGROUP = 0x200000000;
/** Shares a bit with CSIGNAL: valid for clone3 and unshare only. */
export const CLONE_NEWTIME = 0x00000080;

export const cloneFlagNames: Readonly<Record<string, number>> = {
  CLONE_VM,
  CLONE_FS,
  CLONE_FILES,
  CLONE_SIGHAND,
  CLONE_PIDFD,
  CLONE_PTRACE,
  CLONE_VFORK,
  CLONE_PARENT,
  CLONE_THREAD,
  CLONE_NEWNS,
  CLONE_SYSVSEM,
  CLONE_SETTLS,
  CLONE_PARENT_SETTID,
  CLONE_CHILD_CLEARTID,
  CLONE_DETACHED,
  CLONE_UNTRACED,
  CLONE_CHILD_SETTID,
  CLONE_NEWCGROUP,
  CLONE_NEWUTS,
  CLONE_NEWIPC,
  CLONE_NEWUSER,
  CLONE_NEWPID,
  CLONE_NEWNET,
  CLONE_IO,
  CLONE_NEWTIME,
};

/** The namespace bits check_setns_flags() accepts (kernel/nsproxy.c). */
export const CLONE_NS_FLAGS =
  CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME;
