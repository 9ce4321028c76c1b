// The hard cases of issue 16, as scenarios whose end states the planner must
// rebuild: each is a shape CRIU's tracker shows failing one report at a time.
// The host side runs the same histories on the kernel and restores those.
// (Steps come from steps.ts, which alone spells some call names.)

import { joinGroup, openPidfd, setResUid, unshareUser } from './steps.js';

export interface HardCase {
  readonly name: string;
  /** What makes it hard, and where it was reported. */
  readonly why: string;
  /** The history whose end state is the snapshot to restore. */
  readonly scenario: string;
}

export const HARD_CASES: readonly HardCase[] = [
  {
    name: 'zombie_session_outside',
    why: 'a zombie in a child namespace whose session leader lives outside it (sid 0 there; CRIU issue 1647): its parent, the init, has a session of its own',
    scenario: `init: clone(CLONE_NEWPID) -> c
c: fork() -> z
c: setsid()
z: exit(7)
`,
  },
  {
    name: 'dead_leaders',
    why: 'a session and a process group whose leaders are dead and reaped: their numbers are still taken, by the members alone',
    scenario: `init: fork() -> l
l: setsid()
l: fork() -> g
${joinGroup('g', 0)}
g: fork() -> m
g: fork() -> m2
m2: fork() -> m3
l: exit(0)
init: wait4($l, 0)
g: exit(0)
init: wait4($g, 0)
`,
  },
  {
    name: 'subreaper_reshaped',
    why: 'a tree reshaped by a subreaper ("not obvious how to restore", CRIU): orphans of two generations adopted, one of them from a session whose leader died',
    scenario: `init: fork() -> r
r: prctl(PR_SET_CHILD_SUBREAPER, 1)
r: fork() -> a
a: fork() -> b
b: fork() -> c
a: exit(0)
r: wait4($a, 0)
r: fork() -> s
s: setsid()
s: fork() -> t
s: exit(0)
r: wait4($s, 0)
init: clone(CLONE_NEWPID) -> n
n: fork() -> x
x: fork() -> y
x: exit(1)
`,
  },
  {
    name: 'pidfd_of_reaped',
    why: 'a dead, reaped process referred to by pidfds in two processes (CRIU issue 2496): one struct pid, no task',
    scenario: `init: fork() -> a
init: fork() -> d
${openPidfd('init', 'd', false, false, 'fd1')}
${openPidfd('a', 'd', false, false, 'fd2')}
d: exit(0)
init: wait4($d, 0)
`,
  },
  {
    name: 'zombie_leader_live_group',
    why: 'a zombie leader of a live thread group, with threads of its own numbers, in a nested namespace',
    scenario: `init: clone(CLONE_NEWPID) -> n
n: fork() -> p
p: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> t1
p: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> t2
p: exit(4)
`,
  },
  {
    name: 'deep_namespaces',
    why: 'namespaces nested four deep, each with its own pid_max and last number, and a pid_for_children set by setns and by unshare',
    scenario: `init: clone(CLONE_NEWPID) -> a
a: sysctl(kernel.pid_max, 5000)
a: clone(CLONE_NEWPID) -> b
b: clone(CLONE_NEWPID) -> c
c: clone(CLONE_NEWPID) -> d
d: fork() -> e
c: sysctl(kernel.ns_last_pid, 40)
c: fork() -> f
init: setns(ns(c), CLONE_NEWPID)
b: unshare(CLONE_NEWPID)
`,
  },
  {
    name: 'user_namespace_children',
    why: 'tasks of child user namespaces (one entered by unshare after a setuid, one cloned with its PID namespace by root, one by a task that dropped root) with children at numbers a plain fork would not give: they may set_tid only where their user namespace owns the level, so ns_last_pid places the rest; two tasks of one whose parent is outside it (a CLONE_PARENT child of the entrant, and an orphan of a zombie entrant adopted by the init), which the entrant clones with CLONE_PARENT',
    scenario: `init: clone(CLONE_NEWPID) -> n
n: fork() -> x
n: fork() -> u
x: exit(0)
n: wait4($x, 0)
${setResUid('u', 1000, 1000, 1000)}
${unshareUser('u')}
init: fork() -> gap
gap: exit(0)
init: wait4($gap, 0)
u: fork() -> c1
u: clone(CLONE_NEWPID) -> c2
c2: fork() -> c3
c2: fork() -> c4
c3: exit(0)
c2: wait4($c3, 0)
c2: fork() -> c5
init: clone(CLONE_NEWUSER|CLONE_NEWPID) -> q
q: fork() -> q1
q1: exit(0)
q: wait4($q1, 0)
q: fork() -> q2
init: fork() -> w
w: setuid(1000)
w: clone(CLONE_NEWUSER|CLONE_NEWPID) -> v
v: fork() -> v1
u: clone(CLONE_PARENT) -> s1
n: fork() -> z
${unshareUser('z')}
z: fork() -> zo
z: exit(0)
`,
  },
  {
    name: 'user_namespace_in_a_root_pid_namespace',
    why: 'the init of a PID namespace the root user namespace owns is in a child user namespace (ns0 unshared CLONE_NEWPID, then cloned it with CLONE_NEWUSER), and its child has a number past a gap there: no task of that user namespace may set_tid or write ns_last_pid in it (checkpoint_restore_ns_capable over the root one), and no root task lives in it',
    scenario: `init: unshare(CLONE_NEWPID)
init: clone(CLONE_NEWUSER) -> q
q: fork() -> a1
q: fork() -> a2
q: fork() -> a3
a1: exit(0)
a2: exit(0)
a3: exit(0)
q: wait4($a1, 0)
q: wait4($a2, 0)
q: wait4($a3, 0)
q: fork() -> b
`,
  },
  {
    name: 'distinct_uids',
    why: 'real, effective and saved uids apart, capabilities kept or permitted only (cap_emulate_setxuid), and a root whose euid came back, no longer dumpable, with a child that inherited the flag',
    scenario: `init: fork() -> a
${setResUid('a', 1000, 0, 2000)}
init: fork() -> b
${setResUid('b', 0, 1000, 2000)}
init: fork() -> c
${setResUid('c', -1, 1000, -1)}
${setResUid('c', -1, 0, -1)}
c: fork() -> d
b: fork() -> e
`,
  },
];
