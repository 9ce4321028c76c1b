/*
 * The kernel backend's native runner (see docs/kernel-backend.md).
 *
 *   runner controller   started by the TypeScript driver: makes a fresh PID
 *                       namespace whose pid 1 is the actor `init`, relays
 *                       commands (stdin) to actors and everything actors and
 *                       the proc connector report to stdout, one line each.
 *   runner actor FD COMM  an actor's image after execve(): keeps serving FD.
 *   runner probe        exits 0 if a PID namespace can be made here.
 *
 * Actors are real processes and threads. Each serves one SOCK_SEQPACKET
 * socket: a command is one message of space-separated integers, the reply is
 * one message "r RET A B C". A new actor says "h TID" when it is ready; a
 * caught signal is reported by the handler itself as "c SIG PID CODE STATUS".
 * Actor code uses raw system calls only (no errno, no TLS): threads made by a
 * raw clone share the creator's TLS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <linux/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef ARCH_GET_FS
#define ARCH_GET_FS 0x1003
#endif

/*
 * The tid words (CLONE_PARENT_SETTID, CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID,
 * set_tid_address): two 32-bit words per actor ref, {parent_tid, child_tid}, in
 * a memfd that the controller maps MAP_SHARED before init is made. Every actor
 * inherits the mapping (an exec'd image maps WORDS_FD again), so whatever the
 * kernel writes there, in whichever process, the driver reads back through
 * /proc/CONTROLLER/fd/WORDS_FD after a step.
 */
#define WORDS_FD 511
#define MAX_WORD_REFS 4096
static int32_t (*words)[2];

/* ------------------------------------------------------------ raw calls */

static long rsys(long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
  return ret;
}
#define R0(n) rsys((n), 0, 0, 0, 0, 0, 0)
#define R1(n, a) rsys((n), (long)(a), 0, 0, 0, 0, 0)
#define R2(n, a, b) rsys((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define R3(n, a, b, c) rsys((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define R4(n, a, b, c, d) rsys((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define R5(n, a, b, c, d, e) rsys((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/*
 * clone/clone3 onto a new stack (CLONE_VM): the child must not return into
 * the parent's frames, so it calls fn(arg) and exits from the stub.
 */
static long clone_on_stack(long nr, long a, long b, long c, long d, long e, int (*fn)(void *), void *arg) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register void *r12 __asm__("r12") = (void *)fn;
  register void *r13 __asm__("r13") = arg;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xor %%ebp, %%ebp\n\t"
      "and $-16, %%rsp\n\t"
      "mov %%r13, %%rdi\n\t"
      "call *%%r12\n\t"
      "mov %%rax, %%rdi\n\t"
      "mov $60, %%eax\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "=a"(ret)
      : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r12), "r"(r13)
      : "rcx", "r11", "memory");
  return ret;
}

/* ------------------------------------------------------------- text io */

static int fmt_long(char *p, long v) {
  char tmp[24];
  int n = 0, len = 0;
  unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) p[len++] = '-';
  while (n) p[len++] = tmp[--n];
  return len;
}

/* "TAG v0 v1 ..." into buf; returns its length. */
static int fmt_msg(char *buf, const char *tag, const long *v, int count) {
  int len = 0;
  while (*tag) buf[len++] = *tag++;
  for (int i = 0; i < count; i++) {
    buf[len++] = ' ';
    len += fmt_long(buf + len, v[i]);
  }
  return len;
}

static long parse_long(const char **p) {
  const char *s = *p;
  while (*s == ' ') s++;
  int neg = 0;
  if (*s == '-') {
    neg = 1;
    s++;
  }
  long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  *p = s;
  return neg ? -v : v;
}

static const char *parse_word(const char **p, char *out, int max) {
  const char *s = *p;
  while (*s == ' ') s++;
  int n = 0;
  while (*s && *s != ' ' && n < max - 1) out[n++] = *s++;
  out[n] = 0;
  *p = s;
  return out;
}

/* ------------------------------------------------------- actor registry */

/*
 * Which socket a signal handler reports on: found by the stack the handler
 * runs on. Each actor thread has its own stack range; a forked child takes
 * over its parent's range in its private copy of this table.
 */
#define MAX_SLOTS 512
static struct slot {
  uintptr_t lo, hi;
  int fd;
  long owner; /* the process (getpid) whose fd table holds fd */
  long ref;   /* the actor's ref: its tid words */
} slots[MAX_SLOTS];

static void slot_set(uintptr_t lo, uintptr_t hi, int fd, long ref) {
  long owner = R0(SYS_getpid);
  for (int i = 0; i < MAX_SLOTS; i++)
    if (slots[i].lo == lo && slots[i].hi == hi) {
      slots[i].fd = fd;
      slots[i].owner = owner;
      slots[i].ref = ref;
      return;
    }
  for (int i = 0; i < MAX_SLOTS; i++)
    if (slots[i].hi == 0) {
      slots[i].lo = lo;
      slots[i].hi = hi;
      slots[i].fd = fd;
      slots[i].owner = owner;
      slots[i].ref = ref;
      return;
    }
}

/* The running actor's ref (found by its stack, as slot_fd), -1 if unknown. */
static long slot_ref(void) {
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
  for (int i = 0; i < MAX_SLOTS; i++)
    if (slots[i].hi != 0 && sp >= slots[i].lo && sp < slots[i].hi) return slots[i].ref;
  return -1;
}

static int slot_fd(void) {
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
  for (int i = 0; i < MAX_SLOTS; i++)
    if (slots[i].hi != 0 && sp >= slots[i].lo && sp < slots[i].hi) return slots[i].fd;
  return -1;
}

/* A message of `len` bytes at `buf` that passes `fd` (SCM_RIGHTS) unless fd < 0; cbuf is the caller's
   (it must outlive the sendmsg). Used by the actors (raw system calls) and the controller alike. */
static void msg_with_fd(struct msghdr *mh, struct iovec *iov, char *cbuf, size_t cbuflen, int fd) {
  for (size_t i = 0; i < cbuflen; i++) cbuf[i] = 0;
  for (size_t i = 0; i < sizeof *mh; i++) ((char *)mh)[i] = 0;
  mh->msg_iov = iov;
  mh->msg_iovlen = 1;
  if (fd < 0) return;
  mh->msg_control = cbuf;
  mh->msg_controllen = cbuflen;
  struct cmsghdr *cm = CMSG_FIRSTHDR(mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  for (size_t i = 0; i < sizeof(int); i++) CMSG_DATA(cm)[i] = ((const unsigned char *)&fd)[i];
}

static void send_text(int fd, const char *buf, int len) { R4(SYS_sendto, fd, buf, len, MSG_NOSIGNAL); }

static const long NO_VALUES[5];

/* `r RET A B C D E`: the return value and up to five values written back (an old mask, action or siginfo). */
static void reply(int fd, long ret, const long *x) {
  char buf[160];
  long v[6] = {ret, x[0], x[1], x[2], x[3], x[4]};
  send_text(fd, buf, fmt_msg(buf, "r", v, 6));
}

/* An old action's handler as the driver names it: 0 SIG_DFL, 1 SIG_IGN, 2 the recording handler, 3 another. */
static long handler_code(unsigned long h);

/* A siginfo written back (rt_sigtimedwait): si_status and si_value share one word of the union. */
static void siginfo_out(long *x, const siginfo_t *si) {
  x[0] = si->si_signo;
  x[1] = si->si_code;
  x[2] = si->si_pid;
  x[3] = si->si_status;
  x[4] = si->si_value.sival_int;
}

/*
 * The raw rt_sigaction's struct (arch/x86/include/asm/signal.h, sigaction
 * with a 64-bit sa_mask): glibc's sigaction() refuses signals 32 and 33 and
 * adds its own restorer, so the runner installs handlers itself, with
 * SA_RESTORER and a sigreturn trampoline as the x86_64 ABI requires.
 */
struct kernel_sigaction {
  unsigned long handler;
  unsigned long flags;
  void (*restorer)(void);
  unsigned long mask;
};
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
extern void pidns_sigreturn(void);
__asm__(".text\n.globl pidns_sigreturn\n.type pidns_sigreturn,@function\npidns_sigreturn:\n\tmovq $15, %rax\n\tsyscall\n");

static void on_signal(int sig, siginfo_t *si, void *uc);

static long handler_code(unsigned long h) {
  return h == (unsigned long)SIG_DFL ? 0 : h == (unsigned long)SIG_IGN ? 1 : h == (unsigned long)on_signal ? 2 : 3;
}

static void on_signal(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  int fd = slot_fd();
  if (fd < 0) return;
  char buf[128];
  long v[4] = {sig, si->si_pid, si->si_code, si->si_status};
  send_text(fd, buf, fmt_msg(buf, "c", v, 4));
}

/* ---------------------------------------------------------------- actor */

static char self_exe[4096];
/*
 * ns0's inode: the scenario's pid 1 is the task with getpid() == 1 there. (A
 * flag in memory would be inherited by every fork.)
 */
static unsigned long ns0_ino;

static int is_scenario_init(void) {
  struct stat st;
  if (R0(SYS_getpid) != 1) return 0;
  if (R2(SYS_stat, "/proc/self/ns/pid", &st) < 0) return 0;
  return st.st_ino == ns0_ino;
}
/*
 * reboot(2) must never reach the host. The controller records the PID
 * namespace it starts in (inherited by every actor it forks; an actor that
 * exec'd has lost it); reboot is issued only from a namespace that is
 * provably another one: the start namespace known, the caller's own
 * readable, and the two different. Otherwise the answer is REBOOT_REFUSED,
 * which the driver reports as an internal error, never as a kernel errno.
 */
#define REBOOT_REFUSED (-4096L)
static int start_ns_known;
static dev_t start_ns_dev;
static ino_t start_ns_ino;

/* The controller records it and leaves it in the environment, so that an actor's image after execve() knows it too. */
#define START_NS_ENV "PIDNS_RUNNER_START_PIDNS"
static void record_start_ns(void) {
  struct stat st;
  if (R2(SYS_stat, "/proc/self/ns/pid", &st) != 0) return;
  start_ns_dev = st.st_dev;
  start_ns_ino = st.st_ino;
  start_ns_known = 1;
  char v[64];
  snprintf(v, sizeof v, "%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
  setenv(START_NS_ENV, v, 1);
}

/* In an exec'd actor: the start namespace from the environment, if it reads back whole. */
static void inherit_start_ns(void) {
  const char *v = getenv(START_NS_ENV);
  unsigned long dev, ino;
  char tail;
  if (v == NULL || sscanf(v, "%lu:%lu%c", &dev, &ino, &tail) != 2) return;
  start_ns_dev = (dev_t)dev;
  start_ns_ino = (ino_t)ino;
  start_ns_known = 1;
}

static long safe_reboot(long magic1, long magic2, long cmd) {
  struct stat st;
  if (!start_ns_known) return REBOOT_REFUSED;
  if (R2(SYS_stat, "/proc/self/ns/pid", &st) != 0) return REBOOT_REFUSED;
  if (st.st_dev == start_ns_dev && st.st_ino == start_ns_ino) return REBOOT_REFUSED;
  return R4(SYS_reboot, magic1, magic2, cmd, 0);
}

/* `runner reboot-selftest`: the check in the runner's own namespace, with magic numbers the kernel refuses (EINVAL) should the check ever let it through. */
static int reboot_selftest(void) {
  record_start_ns();
  long r = safe_reboot(0, 0, 0);
  if (r == REBOOT_REFUSED) {
    puts("refused");
    return 0;
  }
  printf("issued %ld\n", r);
  return 1;
}

static void actor_loop(int sock) __attribute__((noreturn));
static int high_fd(int fd);

struct child_arg {
  int sock;     /* the child's end */
  int other;    /* the parent's end, closed in the child when fds are private */
  int shared;   /* fd table shared with the creator (CLONE_THREAD / CLONE_FILES) */
  int vm;       /* memory shared with the creator (CLONE_VM) */
  long creator; /* the creator's getpid(): its sockets are in a copied fd table */
  long ref;     /* the new actor's ref */
  char comm[16];
  uintptr_t stack_lo, stack_hi;
};

static void become(struct child_arg *a) {
  if (!a->shared) {
    /* A private fd table: keep only this actor's socket (pidfds stay, as fork copies them). */
    for (int i = 0; i < MAX_SLOTS; i++)
      if (slots[i].hi != 0 && slots[i].owner == a->creator && slots[i].fd != a->sock) R1(SYS_close, slots[i].fd);
    R1(SYS_close, a->other);
    /* Private memory: every other entry describes the creator's process, not this one. */
    if (!a->vm) memset(slots, 0, sizeof slots);
  }
  R5(SYS_prctl, PR_SET_NAME, a->comm, 0, 0, 0);
  slot_set(a->stack_lo, a->stack_hi, a->sock, a->ref);
  char buf[64];
  long v[1] = {R0(SYS_gettid)};
  send_text(a->sock, buf, fmt_msg(buf, "h", v, 1));
}

static int child_main(void *p) {
  struct child_arg a = *(struct child_arg *)p;
  become(&a);
  actor_loop(a.sock);
}

static uintptr_t main_stack_lo, main_stack_hi;

static void do_clone(int sock, const char *p) {
  char comm[16];
  long newref = parse_long(&p);
  parse_word(&p, comm, sizeof comm);
  long kind = parse_long(&p); /* 0 fork, 1 clone, 2 clone3 */
  unsigned long flags = (unsigned long)parse_long(&p);
  long exit_signal = parse_long(&p);
  long nset = parse_long(&p); /* -1: no set_tid array */
  pid_t set_tid[40];
  for (long i = 0; i < nset && i < 40; i++) set_tid[i] = (pid_t)parse_long(&p);

  int sv[2];
  long r = R4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv);
  if (r < 0) {
    reply(sock, r, NO_VALUES);
    return;
  }
  sv[0] = high_fd(sv[0]);
  sv[1] = high_fd(sv[1]);
  /* The scenario's threads share their process's fds (SCENARIO.md: an fd name belongs to the process and its threads). */
  if (flags & CLONE_THREAD) flags |= CLONE_FILES;
  static struct child_arg arg; /* read by the child before anything else runs in it */
  memset(&arg, 0, sizeof arg);
  arg.sock = sv[1];
  arg.other = sv[0];
  arg.shared = (flags & (CLONE_THREAD | CLONE_FILES)) != 0;
  arg.vm = (flags & CLONE_VM) != 0;
  arg.creator = R0(SYS_getpid);
  arg.ref = newref;
  memcpy(arg.comm, comm, sizeof arg.comm);
  /*
   * The pointers libc passes: the tid words in the shared page (-1 until the
   * kernel writes them), the pidfd into a local (legacy clone takes it through
   * parent_tid, as the kernel reads it), and the thread pointer this thread
   * already has (CLONE_SETTLS: the child keeps a working TLS).
   */
  int32_t *ptid = 0, *ctid = 0;
  if (words && newref >= 0 && newref < MAX_WORD_REFS) {
    words[newref][0] = -1;
    words[newref][1] = -1;
    ptid = &words[newref][0];
    ctid = &words[newref][1];
  }
  int pidfd_out = -1;
  unsigned long tls = 0;
  R2(SYS_arch_prctl, ARCH_GET_FS, &tls);
  long ptid_arg = (flags & CLONE_PIDFD) ? (long)&pidfd_out : (long)ptid;
  /*
   * CLONE_VFORK: this thread stays in the clone until the child execs or
   * exits, and the child must be reachable meanwhile: its socket goes to the
   * controller first ("a NEWREF"), and the reply later carries none.
   */
  int vfork = (flags & CLONE_VFORK) != 0;
  if (vfork) {
    char abuf[64];
    long av[1] = {newref};
    int alen = fmt_msg(abuf, "a", av, 1);
    struct iovec aiov = {abuf, (size_t)alen};
    char acbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr amh;
    msg_with_fd(&amh, &aiov, acbuf, sizeof acbuf, sv[0]);
    R3(SYS_sendmsg, sock, &amh, MSG_NOSIGNAL);
  }

  long ret;
  if (flags & CLONE_VM) {
    size_t size = 256 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    arg.stack_lo = (uintptr_t)stack;
    arg.stack_hi = (uintptr_t)stack + size;
    struct child_arg *heap_arg = (struct child_arg *)(stack + size - 512);
    *heap_arg = arg;
    char *top = stack + size - 1024;
    if (kind == 2) {
      struct clone_args ca;
      memset(&ca, 0, sizeof ca);
      ca.flags = flags;
      ca.exit_signal = (uint64_t)exit_signal;
      ca.stack = (uint64_t)(uintptr_t)stack;
      ca.stack_size = size - 1024;
      ca.pidfd = (uint64_t)(uintptr_t)&pidfd_out;
      ca.parent_tid = (uint64_t)(uintptr_t)ptid;
      ca.child_tid = (uint64_t)(uintptr_t)ctid;
      ca.tls = tls;
      if (nset >= 0) {
        ca.set_tid = (uint64_t)(uintptr_t)set_tid;
        ca.set_tid_size = (uint64_t)nset;
      }
      ret = clone_on_stack(SYS_clone3, (long)&ca, sizeof ca, 0, 0, 0, child_main, heap_arg);
    } else {
      ret = clone_on_stack(SYS_clone, (long)(flags | (unsigned long)exit_signal), (long)top, ptid_arg, (long)ctid, (long)tls, child_main, heap_arg);
    }
    if (ret < 0) munmap(stack, size);
  } else {
    /* The child goes on on the stack this thread runs on (the main stack, or a thread's own). */
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    arg.stack_lo = main_stack_lo;
    arg.stack_hi = main_stack_hi;
    for (int i = 0; i < MAX_SLOTS; i++)
      if (slots[i].hi != 0 && sp >= slots[i].lo && sp < slots[i].hi) {
        arg.stack_lo = slots[i].lo;
        arg.stack_hi = slots[i].hi;
        break;
      }
    if (kind == 0) {
      ret = R0(SYS_fork);
    } else if (kind == 1) {
      ret = R5(SYS_clone, flags | (unsigned long)exit_signal, 0, ptid_arg, ctid, tls);
    } else {
      struct clone_args ca;
      memset(&ca, 0, sizeof ca);
      ca.flags = flags;
      ca.exit_signal = (uint64_t)exit_signal;
      ca.pidfd = (uint64_t)(uintptr_t)&pidfd_out;
      ca.parent_tid = (uint64_t)(uintptr_t)ptid;
      ca.child_tid = (uint64_t)(uintptr_t)ctid;
      ca.tls = tls;
      if (nset >= 0) {
        ca.set_tid = (uint64_t)(uintptr_t)set_tid;
        ca.set_tid_size = (uint64_t)nset;
      }
      ret = R2(SYS_clone3, &ca, sizeof ca);
    }
    if (ret == 0) {
      struct child_arg a = arg;
      become(&a);
      actor_loop(a.sock);
    }
  }
  if (ret < 0) {
    R1(SYS_close, sv[0]);
    R1(SYS_close, sv[1]);
    reply(sock, ret, NO_VALUES);
    return;
  }
  /* Hand the new actor's socket to the controller with the reply. */
  char buf[128];
  long v[3] = {newref, ret, pidfd_out};
  int len = fmt_msg(buf, "n", v, 3);
  struct iovec iov = {buf, (size_t)len};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr mh;
  msg_with_fd(&mh, &iov, cbuf, sizeof cbuf, vfork ? -1 : sv[0]);
  R3(SYS_sendmsg, sock, &mh, MSG_NOSIGNAL);
  R1(SYS_close, sv[0]);
  if (!arg.shared) R1(SYS_close, sv[1]);
}

/*
 * The runner's sockets live at high numbers, so that the scenario's pidfds get
 * the same low numbers whatever the runner holds, and a closed pidfd's number
 * is never a runner socket.
 */
#define RUNNER_FD_MIN 512
static int high_fd(int fd) {
  long hi = R3(SYS_fcntl, fd, F_DUPFD, RUNNER_FD_MIN);
  if (hi < 0) return fd;
  R1(SYS_close, fd);
  return (int)hi;
}

/* A command's fd passed with it (setns targets). `flags`: 0, or MSG_DONTWAIT for the controller. */
static int recv_cmd(int sock, char *buf, int max, int *fd_out, int flags) {
  struct iovec iov = {buf, (size_t)max - 1};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {0};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  long n = R3(SYS_recvmsg, sock, &mh, flags);
  *fd_out = -1;
  if (n <= 0) return (int)n;
  buf[n] = 0;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) memcpy(fd_out, CMSG_DATA(cm), sizeof(int));
  return (int)n;
}

static long sysctl_file(const char *name, long write_it, long value, long *out) {
  char path[64] = "/proc/sys/kernel/";
  strcat(path, name);
  long fd = R3(SYS_open, path, write_it ? O_WRONLY : O_RDONLY, 0);
  if (fd < 0) return fd;
  char buf[32];
  long r;
  if (write_it) {
    int len = fmt_long(buf, value);
    buf[len++] = '\n';
    r = R3(SYS_write, fd, buf, len);
    if (r > 0) r = 0;
  } else {
    r = R3(SYS_read, fd, buf, sizeof buf - 1);
    if (r >= 0) {
      buf[r] = 0;
      const char *p = buf;
      *out = parse_long(&p);
      r = 0;
    }
  }
  R1(SYS_close, fd);
  return r;
}

/* struct termios as the kernel has it (asm-generic/termbits.h; glibc's differs): what TCGETS/TCSETS take. */
struct k_termios {
  unsigned int c_iflag, c_oflag, c_cflag, c_lflag;
  unsigned char c_line;
  unsigned char c_cc[19];
};
#define K_TOSTOP 0000400

/* Whatever the master can read now (old output, echoes): read without waiting. */
static long pty_drain(long fd, unsigned char *last, long timeout_ms) {
  long got = 0;
  struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  struct pollfd pf = {(int)fd, POLLIN, 0};
  if (R4(SYS_ppoll, &pf, 1, &ts, 0) <= 0 || !(pf.revents & POLLIN)) return 0;
  unsigned char buf[512];
  long n = R3(SYS_read, fd, buf, sizeof buf);
  if (n > 0) {
    got = n;
    *last = buf[n - 1];
  }
  return got;
}

/* A byte written to a pty master is taken by the slave's line discipline in a
   kernel worker (flush_to_ldisc), after write() returned: a typed ^C's SIGINT
   comes later. n_tty echoes the byte after isig() has sent its signal (ECHO and
   ECHOCTL are on by default: "^C", "\r\n", the byte itself), so the step waits
   until that echo is readable on the master (up to 2 s). Output read here is
   dropped: the language does not read a master. */
/* The typist's own mask while its signals wait for its reply (pty_type): restored after it. */
static unsigned long typed_mask;
static int typed_mask_saved;

static long pty_type(long fd, unsigned char ch) {
  int ptn;
  int master = R3(SYS_ioctl, fd, TIOCGPTN, &ptn) == 0;
  unsigned char last = 0;
  if (master) {
    /* The byte may signal the typist's own group (a ^Z or ^C while it is in the foreground):
       the call has returned by then, so its signals wait until it has replied, as they would
       arrive after write() returned. */
    unsigned long all = ~0UL;
    R4(SYS_rt_sigprocmask, SIG_BLOCK, &all, &typed_mask, 8);
    typed_mask_saved = 1;
  }
  if (master)
    while (pty_drain(fd, &last, 0) > 0) {
    }
  long ret = R3(SYS_write, fd, &ch, 1);
  if (ret != 1 || !master) return ret;
  unsigned char want = (ch < 32 && ch != '\n') ? (unsigned char)(ch ^ 0x40) : ch;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    long left = 2000 - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
    if (left <= 0) break;
    if (pty_drain(fd, &last, left) > 0 && last == want) break;
  }
  return ret;
}

static void actor_loop(int sock) {
  char buf[1024];
  for (;;) {
    int fd_in;
    int n = recv_cmd(sock, buf, sizeof buf, &fd_in, 0);
    if (n == -EINTR) continue;
    if (n <= 0) R1(SYS_exit_group, 0);
    const char *p = buf;
    char op[8];
    parse_word(&p, op, sizeof op);
    long a = 0, b = 0, c = 0, ret = 0, x[5] = {0};
    if (!strcmp(op, "f")) {
      do_clone(sock, p);
      continue;
    } else if (!strcmp(op, "u")) {
      ret = R1(SYS_unshare, parse_long(&p));
    } else if (!strcmp(op, "s")) {
      /* setns through the namespace file the controller opened, or a pidfd of ours (a >= 0) */
      a = parse_long(&p);
      b = parse_long(&p);
      ret = R2(SYS_setns, a >= 0 ? a : fd_in, b);
      if (fd_in >= 0) R1(SYS_close, fd_in);
    } else if (!strcmp(op, "x")) {
      R1(SYS_exit, parse_long(&p));
    } else if (!strcmp(op, "X")) {
      R1(SYS_exit_group, parse_long(&p));
    } else if (!strcmp(op, "e")) {
      char fdtext[24], comm[16], reftext[24];
      fdtext[fmt_long(fdtext, sock)] = 0;
      reftext[fmt_long(reftext, slot_ref())] = 0;
      R5(SYS_prctl, PR_GET_NAME, comm, 0, 0, 0);
      comm[15] = 0;
      char *argv[] = {"runner", "actor", fdtext, comm, reftext, NULL};
      ret = R3(SYS_execve, self_exe, argv, environ);
    } else if (!strcmp(op, "w4")) {
      int status = 0;
      a = parse_long(&p);
      b = parse_long(&p);
      ret = R4(SYS_wait4, a, &status, b, 0);
      x[0] = status;
    } else if (!strcmp(op, "wi")) {
      siginfo_t si;
      memset(&si, 0, sizeof si);
      a = parse_long(&p);
      b = parse_long(&p);
      c = parse_long(&p);
      ret = R5(SYS_waitid, a, b, &si, c, 0);
      x[0] = si.si_pid;
      x[1] = si.si_code;
      x[2] = si.si_status;
    } else if (!strcmp(op, "k")) {
      a = parse_long(&p);
      ret = R2(SYS_kill, a, parse_long(&p));
    } else if (!strcmp(op, "tk")) {
      a = parse_long(&p);
      b = parse_long(&p);
      ret = R3(SYS_tgkill, a, b, parse_long(&p));
    } else if (!strcmp(op, "ps")) {
      a = parse_long(&p);
      b = parse_long(&p);
      c = parse_long(&p); /* flags */
      siginfo_t si;
      memset(&si, 0, sizeof si);
      long has_info = parse_long(&p);
      si.si_signo = (int)parse_long(&p);
      si.si_code = (int)parse_long(&p);
      si.si_pid = (pid_t)parse_long(&p);
      si.si_value.sival_int = (int)parse_long(&p);
      ret = R4(SYS_pidfd_send_signal, a, b, has_info ? &si : 0, c);
    } else if (!strcmp(op, "sa")) {
      a = parse_long(&p);
      b = parse_long(&p);
      struct kernel_sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.flags = (unsigned long)parse_long(&p) | SA_RESTORER;
      unsigned long lo = (unsigned long)parse_long(&p);
      sa.mask = lo | ((unsigned long)parse_long(&p) << 32);
      sa.restorer = pidns_sigreturn;
      sa.handler = b == 0 ? (unsigned long)SIG_DFL : b == 1 ? (unsigned long)SIG_IGN : (unsigned long)on_signal;
      /* DISP 3: no new action, only the old one read back. */
      struct kernel_sigaction old;
      memset(&old, 0, sizeof old);
      ret = R4(SYS_rt_sigaction, a, b == 3 ? 0 : &sa, &old, 8);
      x[0] = handler_code(old.handler);
      x[1] = (long)old.flags;
      x[2] = (long)(old.mask & 0xffffffffUL);
      x[3] = (long)(old.mask >> 32);
    } else if (!strcmp(op, "ss") || !strcmp(op, "tw")) {
      unsigned long lo = (unsigned long)parse_long(&p);
      unsigned long set = lo | ((unsigned long)parse_long(&p) << 32);
      if (op[0] == 's') {
        ret = R2(SYS_rt_sigsuspend, &set, 8);
      } else {
        struct timespec zero = {0, 0};
        siginfo_t si;
        memset(&si, 0, sizeof si);
        long timeout = parse_long(&p);
        ret = R4(SYS_rt_sigtimedwait, &set, &si, timeout < 0 ? NULL : &zero, 8);
        if (ret > 0) siginfo_out(x, &si);
      }
    } else if (!strcmp(op, "pa")) {
      ret = R0(SYS_pause);
    } else if (!strcmp(op, "sf")) {
      a = parse_long(&p);
      unsigned long lo = (unsigned long)parse_long(&p);
      unsigned long set = lo | ((unsigned long)parse_long(&p) << 32);
      ret = R4(SYS_signalfd4, a, &set, 8, parse_long(&p));
    } else if (!strcmp(op, "rd")) {
      struct signalfd_siginfo ssi;
      memset(&ssi, 0, sizeof ssi);
      ret = R3(SYS_read, parse_long(&p), &ssi, sizeof ssi);
      if (ret == (long)sizeof ssi) {
        x[0] = ssi.ssi_signo;
        x[1] = ssi.ssi_code;
        x[2] = ssi.ssi_pid;
        x[3] = ssi.ssi_status;
        x[4] = ssi.ssi_int;
      }
    } else if (!strcmp(op, "pm")) {
      a = parse_long(&p);
      unsigned long lo = (unsigned long)parse_long(&p);
      unsigned long set = lo | ((unsigned long)parse_long(&p) << 32);
      unsigned long old = 0;
      /* HASSET 0: a NULL set, the old mask only read (how is then not checked). */
      ret = R4(SYS_rt_sigprocmask, a, parse_long(&p) ? &set : 0, &old, 8);
      x[0] = (long)(old & 0xffffffffUL);
      x[1] = (long)(old >> 32);
    } else if (!strcmp(op, "pn")) {
      unsigned long pend = 0;
      ret = R2(SYS_rt_sigpending, &pend, 8);
      x[0] = (long)(pend & 0xffffffffUL);
      x[1] = (long)(pend >> 32);
    } else if (!strcmp(op, "sq") || !strcmp(op, "tq")) {
      int tg = op[0] == 't';
      long tgid = tg ? parse_long(&p) : 0;
      a = parse_long(&p);
      b = parse_long(&p);
      siginfo_t si;
      memset(&si, 0, sizeof si);
      si.si_signo = (int)b;
      si.si_code = (int)parse_long(&p);
      si.si_value.sival_int = (int)parse_long(&p);
      si.si_pid = (pid_t)parse_long(&p);
      ret = tg ? R4(SYS_rt_tgsigqueueinfo, tgid, a, b, &si) : R3(SYS_rt_sigqueueinfo, a, b, &si);
    } else if (!strcmp(op, "rb")) {
      ret = safe_reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, parse_long(&p));
    } else if (!strcmp(op, "sg")) {
      a = parse_long(&p);
      b = parse_long(&p);
      struct kernel_sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.flags = SA_RESTORER;
      sa.restorer = pidns_sigreturn;
      if (b == 0) sa.handler = (unsigned long)SIG_DFL;
      else if (b == 1) sa.handler = (unsigned long)SIG_IGN;
      else {
        sa.handler = (unsigned long)on_signal;
        sa.flags |= SA_SIGINFO; /* no SA_RESTART: a blocked wait returns EINTR */
      }
      ret = R4(SYS_rt_sigaction, a, &sa, 0, 8);
    } else if (!strcmp(op, "g")) {
      ret = R0(parse_long(&p));
    } else if (!strcmp(op, "g1")) {
      a = parse_long(&p);
      ret = R1(a, parse_long(&p));
    } else if (!strcmp(op, "sp")) {
      a = parse_long(&p);
      ret = R2(SYS_setpgid, a, parse_long(&p));
    } else if (!strcmp(op, "pr")) {
      a = parse_long(&p);
      b = parse_long(&p);
      if (a == PR_GET_CHILD_SUBREAPER || a == PR_GET_PDEATHSIG) {
        int v = -1;
        ret = R2(SYS_prctl, a, &v);
        if (ret == 0) ret = v;
      } else {
        ret = R2(SYS_prctl, a, b);
      }
    } else if (!strcmp(op, "po")) {
      a = parse_long(&p);
      ret = R2(SYS_pidfd_open, a, parse_long(&p));
    } else if (!strcmp(op, "cl")) {
      ret = R1(SYS_close, parse_long(&p));
    } else if (!strcmp(op, "sy")) {
      char name[32];
      parse_word(&p, name, sizeof name);
      a = parse_long(&p); /* 1: write */
      b = parse_long(&p);
      long out = 0;
      ret = sysctl_file(name, a, b, &out);
      /* A value can be negative (ns_last_pid reads -1): it goes in its own field. */
      x[0] = out;
    } else if (!strcmp(op, "ta")) {
      /* set_tid_address: this actor's child_tid word (-1 until the kernel clears it), or NULL */
      long ref = slot_ref();
      int32_t *w = (words && ref >= 0 && ref < MAX_WORD_REFS) ? &words[ref][1] : 0;
      if (parse_long(&p) == 1) {
        if (w) *w = -1;
        ret = R1(SYS_set_tid_address, w);
      } else {
        ret = R1(SYS_set_tid_address, 0);
      }
    } else if (!strcmp(op, "pt")) {
      /* posix_openpt: /dev/ptmx, then unlockpt (TIOCSPTLCK 0) */
      ret = R4(SYS_openat, AT_FDCWD, "/dev/ptmx", parse_long(&p), 0);
      if (ret >= 0) {
        int unlock = 0, ptn = -1;
        R3(SYS_ioctl, ret, TIOCSPTLCK, &unlock);
        R3(SYS_ioctl, ret, TIOCGPTN, &ptn);
        x[0] = ptn; /* the pts number, for the @jobs view's TTY column */
      }
    } else if (!strcmp(op, "io")) {
      a = parse_long(&p);
      b = parse_long(&p);
      c = parse_long(&p);
      if (b == TIOCGPGRP || b == TIOCGSID) {
        int v = 0;
        ret = R3(SYS_ioctl, a, b, &v);
        if (ret == 0) x[0] = v;
      } else if (b == TIOCSPGRP) {
        int v = (int)c;
        ret = R3(SYS_ioctl, a, b, &v);
      } else if (b == TCSETS) {
        /* the termios the pty has, TOSTOP set (c) or cleared */
        struct k_termios tio;
        ret = R3(SYS_ioctl, a, TCGETS, &tio);
        if (ret == 0) {
          tio.c_lflag = (c & K_TOSTOP) ? (tio.c_lflag | K_TOSTOP) : (tio.c_lflag & ~K_TOSTOP);
          ret = R3(SYS_ioctl, a, TCSETS, &tio);
        }
      } else {
        /* TIOCSCTTY ARG, TIOCNOTTY, TIOCGPTPEER FLAGS (a new fd) */
        ret = R3(SYS_ioctl, a, b, c);
      }
    } else if (!strcmp(op, "wr")) {
      a = parse_long(&p);
      ret = pty_type(a, (unsigned char)parse_long(&p));
    } else if (!strcmp(op, "su")) {
      ret = R1(SYS_setuid, parse_long(&p));
      /* commit_creds() clears the death signal: put it back. Dumpability is left as
         the kernel set it (fs.suid_dumpable when the euid changed), as for any process. */
      if (is_scenario_init()) R5(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    } else if (!strcmp(op, "sr")) {
      /* setresuid, raw (glibc's wrapper would set every thread's ids); -1 keeps an id */
      long r = parse_long(&p), e = parse_long(&p), s = parse_long(&p);
      ret = R3(SYS_setresuid, r, e, s);
      if (is_scenario_init()) R5(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    } else {
      ret = -ENOSYS;
    }
    reply(sock, ret, x);
    if (typed_mask_saved) {
      typed_mask_saved = 0;
      R4(SYS_rt_sigprocmask, SIG_SETMASK, &typed_mask, 0, 8);
    }
  }
}

/* /dev/ptmx (5:2) or a /dev/pts slave (majors 136..143: UNIX98_PTY_SLAVE_MAJOR). */
#define PTY_FD_SCAN 1024
static int is_pty_fd(long fd) {
  struct stat st;
  if (R2(SYS_fstat, fd, &st) != 0 || !S_ISCHR(st.st_mode)) return 0;
  unsigned maj = major(st.st_rdev), min = minor(st.st_rdev);
  return (maj == 5 && min == 2) || (maj >= 136 && maj <= 143);
}

static void map_words(void) {
  void *m = mmap(NULL, sizeof(int32_t[2]) * MAX_WORD_REFS, PROT_READ | PROT_WRITE, MAP_SHARED, WORDS_FD, 0);
  words = m == MAP_FAILED ? 0 : m;
}

/* The fds an exec'd actor looks at for files of its own to keep (a scenario opens a few). */

static int is_signalfd(int fd) {
  char path[40], link[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  long n = R3(SYS_readlink, path, link, sizeof link - 1);
  if (n <= 0) return 0;
  link[n] = 0;
  return strcmp(link, "anon_inode:[signalfd]") == 0;
}

static void actor_start(int sock, const char *comm, int execed, long ref) {
  char here;
  main_stack_hi = (uintptr_t)&here + 4096;
  main_stack_lo = main_stack_hi - 64 * 1024 * 1024;
  slot_set(main_stack_lo, main_stack_hi, sock, ref);
  R5(SYS_prctl, PR_SET_NAME, comm, 0, 0, 0);
  /* Core dumps are not modeled, but actors stay dumpable as a plain process is (ptrace_may_access,
     and so setns through a pidfd, reads it): RLIMIT_CORE 0, set once for the whole tree in main(),
     is what keeps a core signal from writing a core file. */
  if (execed) {
    /* The exec'd image keeps its socket, the tid words and the scenario's own files that execve
       kept (its ptys, a signalfd opened without SFD_CLOEXEC; pidfds are always O_CLOEXEC): other
       threads' sockets went with them. */
    for (long fd = 3; fd < PTY_FD_SCAN; fd++)
      if (fd != WORDS_FD && fd != sock && !is_pty_fd(fd) && !is_signalfd((int)fd)) R1(SYS_close, fd);
    if (sock >= PTY_FD_SCAN) {
      if (sock > PTY_FD_SCAN) R3(SYS_close_range, PTY_FD_SCAN, sock - 1, 0);
      R3(SYS_close_range, sock + 1, ~0U, 0);
    } else {
      R3(SYS_close_range, PTY_FD_SCAN, ~0U, 0);
    }
    map_words();
    reply(sock, 0, NO_VALUES);
  }
  actor_loop(sock);
}

/* ----------------------------------------------------------- controller */

#define MAX_ACTORS 4096
static int actor_fd[MAX_ACTORS];
static int nl_sock = -1;

static void out_line(const char *s, int len) {
  while (len > 0) {
    long w = write(1, s, (size_t)len);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(1);
    }
    s += w;
    len -= (int)w;
  }
}

static void nl_open(void) {
  nl_sock = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_CONNECTOR);
  if (nl_sock < 0) return;
  int big = 8 * 1024 * 1024;
  setsockopt(nl_sock, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
  if (bind(nl_sock, (struct sockaddr *)&a, sizeof a) < 0) {
    close(nl_sock);
    nl_sock = -1;
    return;
  }
  struct __attribute__((packed)) {
    struct nlmsghdr h;
    struct cn_msg m;
    enum proc_cn_mcast_op op;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = NLMSG_DONE;
  req.m.id.idx = CN_IDX_PROC;
  req.m.id.val = CN_VAL_PROC;
  req.m.len = sizeof(enum proc_cn_mcast_op);
  req.op = PROC_CN_MCAST_LISTEN;
  send(nl_sock, &req, sizeof req, 0);
}

static void nl_drain(void) {
  char buf[8192];
  for (;;) {
    long n = recv(nl_sock, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == ENOBUFS) {
        out_line("X lost\n", 7);
        continue;
      }
      return;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
      struct cn_msg *m = NLMSG_DATA(h);
      struct proc_event *e = (struct proc_event *)m->data;
      char line[160];
      int len = 0;
      if (e->what == PROC_EVENT_FORK) {
        long v[4] = {e->event_data.fork.parent_pid, e->event_data.fork.parent_tgid, e->event_data.fork.child_pid, e->event_data.fork.child_tgid};
        len = fmt_msg(line, "X fork", v, 4);
      } else if (e->what == PROC_EVENT_EXIT) {
        long v[3] = {e->event_data.exit.process_pid, e->event_data.exit.process_tgid, e->event_data.exit.exit_code};
        len = fmt_msg(line, "X exit", v, 3);
      } else if (e->what == PROC_EVENT_EXEC) {
        long v[2] = {e->event_data.exec.process_pid, e->event_data.exec.process_tgid};
        len = fmt_msg(line, "X exec", v, 2);
      }
      if (len) {
        line[len++] = '\n';
        out_line(line, len);
      }
    }
  }
}

/*
 * What the controller listens to: the driver's stdin (ref -1, when asked),
 * the proc connector (-2), and every actor's socket (its ref).
 */
static int poll_set(struct pollfd *pfd, int *ref_of, int with_stdin) {
  int n = 0;
  if (with_stdin) {
    pfd[n].fd = 0;
    pfd[n].events = POLLIN;
    ref_of[n++] = -1;
  }
  if (nl_sock >= 0) {
    pfd[n].fd = nl_sock;
    pfd[n].events = POLLIN;
    ref_of[n++] = -2;
  }
  for (int i = 0; i < MAX_ACTORS; i++)
    if (actor_fd[i] >= 0) {
      pfd[n].fd = actor_fd[i];
      pfd[n].events = POLLIN;
      ref_of[n++] = i;
    }
  return n;
}

/*
 * Reads one report from actor `ref` and prints it; registers a new actor's
 * socket. Never blocks: the main loop's poll result can be stale, because a
 * barrier run from the same loop iteration (a "B" read from stdin) may have
 * drained the very socket poll said was readable (a signal handler's report
 * racing the barrier). A blocking read there would hang the controller until
 * that actor spoke again.
 */
static void service_actor(int ref) {
  char buf[1024];
  int fd_in = -1;
  if (actor_fd[ref] < 0) return; /* closed by that barrier: its "E" is already out */
  int m = recv_cmd(actor_fd[ref], buf, sizeof buf, &fd_in, MSG_DONTWAIT);
  if (m <= 0) {
    if (m == -EINTR || m == -EAGAIN) return;
    /* The socket's last holder is gone (the actor exited or exec'd without it). */
    close(actor_fd[ref]);
    actor_fd[ref] = -1;
    char line[32];
    int len = snprintf(line, sizeof line, "%d E\n", ref);
    out_line(line, len);
    return;
  }
  if ((buf[0] == 'n' || buf[0] == 'a') && fd_in >= 0) {
    const char *p = buf + 1;
    long newref = parse_long(&p);
    if (newref >= 0 && newref < MAX_ACTORS) actor_fd[newref] = fd_in;
    else close(fd_in);
  }
  char line[1100];
  int len = snprintf(line, sizeof line, "%d %s\n", ref, buf);
  out_line(line, len);
}

/*
 * The driver's barrier: everything actors and the proc connector have
 * reported so far is printed before the "B" that answers it.
 */
static void barrier(void) {
  for (;;) {
    struct pollfd pfd[MAX_ACTORS + 2];
    int ref_of[MAX_ACTORS + 2];
    int n = poll_set(pfd, ref_of, 0);
    int ready = poll(pfd, (nfds_t)n, 0);
    if (ready <= 0) break;
    for (int k = 0; k < n; k++) {
      if (!pfd[k].revents) continue;
      if (ref_of[k] == -2) nl_drain();
      else service_actor(ref_of[k]);
    }
  }
  out_line("B\n", 2);
}

static int init_main(void *p) {
  int sock = high_fd(*(int *)p);
  struct stat st;
  if (stat("/proc/self/ns/pid", &st) == 0) ns0_ino = st.st_ino;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* The controller ignores SIGPIPE (glibc's signal(): SA_RESTART, the signal in its mask); the
     scenario's init starts, as the model's, with every action SIG_DFL, no flags, an empty mask. */
  struct kernel_sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  R4(SYS_rt_sigaction, SIGPIPE, &dfl, 0, 8);
  /* Actors must not hold the driver's pipes: stdio goes to /dev/null. */
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2) close(null);
  }
  setsid();
  /* SCENARIO.md: ns0's pid_max is 32768, written before the first step. */
  long dummy;
  sysctl_file("pid_max", 1, 32768, &dummy);
  actor_start(sock, "init", 0, 0);
  return 0;
}

static void controller(void) {
  record_start_ns();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < MAX_ACTORS; i++) actor_fd[i] = -1;
  nl_open();
  /* The tid words, shared with every actor (see WORDS_FD). */
  int wfd = (int)syscall(SYS_memfd_create, "pidns-tid-words", 0);
  if (wfd >= 0 && ftruncate(wfd, (off_t)(sizeof(int32_t[2]) * MAX_WORD_REFS)) == 0 && dup2(wfd, WORDS_FD) == WORDS_FD) map_words();
  if (wfd >= 0 && wfd != WORDS_FD) close(wfd);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
    perror("socketpair");
    exit(1);
  }
  int child_sock = sv[1];
  /* init is forked (no CLONE_VM): it gets a private copy, as every actor process. */
  pid_t init = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (init < 0) {
    char line[64];
    int len = snprintf(line, sizeof line, "F %d\n", errno);
    out_line(line, len);
    exit(1);
  }
  if (init == 0) {
    close(sv[0]);
    if (nl_sock >= 0) close(nl_sock);
    init_main(&child_sock);
  }
  close(sv[1]);
  actor_fd[0] = sv[0];
  {
    char line[64];
    int len = snprintf(line, sizeof line, "I %d %d\n", (int)init, nl_sock >= 0);
    out_line(line, len);
  }
  char inbuf[65536];
  int inlen = 0;
  for (;;) {
    struct pollfd pfd[MAX_ACTORS + 2];
    int ref_of[MAX_ACTORS + 2];
    int n = poll_set(pfd, ref_of, 1);
    if (poll(pfd, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      exit(1);
    }
    for (int k = 0; k < n; k++) {
      if (!pfd[k].revents) continue;
      if (ref_of[k] == -2) {
        nl_drain();
      } else if (ref_of[k] == -1) {
        long r = read(0, inbuf + inlen, sizeof inbuf - (size_t)inlen - 1);
        if (r <= 0) {
          /* The driver is gone: take the whole scenario with us. */
          kill(init, SIGKILL);
          waitpid(init, NULL, 0);
          exit(0);
        }
        inlen += (int)r;
        char *start = inbuf;
        char *nl;
        while ((nl = memchr(start, '\n', (size_t)(inbuf + inlen - start)))) {
          *nl = 0;
          /* "REF payload" | "REF @PATH payload" (open PATH, pass it) | "Q" */
          if (start[0] == 'B') {
            barrier();
            start = nl + 1;
            continue;
          }
          if (start[0] == 'Q') {
            kill(init, SIGKILL);
            waitpid(init, NULL, 0);
            out_line("Q\n", 2);
            exit(0);
          }
          const char *p = start;
          long ref = parse_long(&p);
          while (*p == ' ') p++;
          int fd = -1;
          if (*p == '@') {
            char path[256];
            parse_word(&p, path, sizeof path);
            while (*p == ' ') p++;
            fd = open(path + 1, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
              char line[64];
              int len = snprintf(line, sizeof line, "%ld r %d 0 0 0\n", ref, -errno);
              out_line(line, len);
              start = nl + 1;
              continue;
            }
          }
          if (ref >= 0 && ref < MAX_ACTORS && actor_fd[ref] >= 0) {
            struct iovec iov = {(void *)p, strlen(p)};
            char cbuf[CMSG_SPACE(sizeof(int))];
            struct msghdr mh;
            msg_with_fd(&mh, &iov, cbuf, sizeof cbuf, fd);
            if (sendmsg(actor_fd[ref], &mh, MSG_NOSIGNAL) < 0) {
              char line[64];
              int len = snprintf(line, sizeof line, "%ld D %d\n", ref, errno);
              out_line(line, len);
            }
          } else {
            char line[64];
            int len = snprintf(line, sizeof line, "%ld D 0\n", ref);
            out_line(line, len);
          }
          if (fd >= 0) close(fd);
          start = nl + 1;
        }
        inlen = (int)(inbuf + inlen - start);
        memmove(inbuf, start, (size_t)inlen);
      } else {
        service_actor(ref_of[k]);
      }
    }
  }
}

static int probe(void) {
  pid_t c = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c < 0) {
    printf("%s\n", strerror(errno));
    return 1;
  }
  if (c == 0) _exit(getpid() == 1 ? 0 : 3);
  int st = 0;
  waitpid(c, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* The benchmark's real-Linux reference: fork + exit + wait, n times, by pid 1 of a fresh PID namespace. */
static int bench(long n) {
  pid_t c = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c < 0) {
    fprintf(stderr, "clone(CLONE_NEWPID): %s\n", strerror(errno));
    return 1;
  }
  if (c == 0) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
      pid_t k = (pid_t)syscall(SYS_fork);
      if (k == 0) syscall(SYS_exit_group, 0);
      if (k < 0) _exit(2);
      syscall(SYS_wait4, k, NULL, 0, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%.0f\n", (double)n / secs);
    fflush(stdout);
    _exit(0);
  }
  int st = 0;
  waitpid(c, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv) {
  /* No core files: do_coredump() writes none with RLIMIT_CORE 0 and a file core_pattern (a pipe
     pattern's helper decides for itself). Every actor inherits it; none changes it. */
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  long n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
  if (n > 0) self_exe[n] = 0;
  if (argc >= 2 && !strcmp(argv[1], "controller")) controller();
  if (argc >= 2 && !strcmp(argv[1], "probe")) return probe();
  if (argc >= 2 && !strcmp(argv[1], "reboot-selftest")) return reboot_selftest();
  if (argc >= 3 && !strcmp(argv[1], "bench")) return bench(atol(argv[2]));
  if (argc >= 5 && !strcmp(argv[1], "actor")) {
    inherit_start_ns();
    const char *p = argv[2];
    const char *r = argv[4];
    actor_start((int)parse_long(&p), argv[3], 1, parse_long(&r));
  }
  fprintf(stderr, "usage: runner controller | probe | actor FD COMM REF\n");
  return 2;
}
