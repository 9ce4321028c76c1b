import { describe, expect, it } from 'vitest';
import { importTraceText } from './importer.js';
import { TraceError } from './lexer.js';
import { replayImport } from './replay.js';

const steps = (scenario: string): string[] => scenario.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

const FORK = `4     execve("/usr/bin/sh", ["sh"], 0x7ffd /* 1 var */) = 0
4     rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8) = 0
4     clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 5
4     wait4(-1,  <unfinished ...>
5     execve("/usr/bin/true", ["true"], 0x55 /* 1 var */) = 0
5     getppid()                         = 4
5     exit_group(0)                     = ?
4     <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5
4     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---
4     ptrace(PTRACE_TRACEME)            = -1 EPERM (Operation not permitted)
4     exit_group(0)                     = ?
`;

describe('importing a trace', () => {
  it('mirrors the recipe, maps glibc fork to fork(), names actors after their programs', () => {
    const r = importTraceText(FORK, 'fork.strace');
    expect(steps(r.scenario).map((l) => l.replace(/ {2}#.*$/, ''))).toEqual([
      'init: clone(CLONE_NEWPID) -> strace = 2',
      'strace: fork() -> probe = 2',
      'probe: exit_group(0) = ?',
      'strace: wait4(2, 0) = 2 {exited 0}',
      'strace: fork() -> probe = 3',
      'probe: exit_group(0) = ?',
      'strace: wait4(3, 0) = 3 {exited 0}',
      'strace: fork() -> sh_4 = 4',
      'sh_4: execve() = 0',
      'sh_4: rt_sigprocmask(SIG_BLOCK, SIGCHLD, oldset) = 0 []',
      'sh_4: fork() -> true_5 = 5',
      'sh_4: wait4(-1, 0) = <unfinished ...>',
      'true_5: execve() = 0',
      'true_5: getppid() = 4',
      'true_5: exit_group(0) = ?',
      'sh_4: exit_group(0) = ?',
    ]);
    expect(r.scenario).toContain('# lines 4-8: returns 5 {exited 0}');
    expect(r.scenario).toMatch(/glibc's fork is clone\(CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD\), written fork\(\)/);
    // An identity call the language cannot say is listed by line, never dropped in silence.
    expect(r.unexpressed).toEqual([{ why: 'ptrace is not modeled', lines: [10] }]);
    expect(r.scenario).toMatch(/# {3}ptrace is not modeled:\n# {5}10\n/);
  });

  it('replays it with every result compared, and names an altered line', async () => {
    const ok = await replayImport('fork.strace', importTraceText(FORK, 'fork.strace'));
    expect(ok.mismatches).toEqual([]);
    expect(ok.compared).toBe(8);
    expect(ok.passed).toBe(false); // ptrace is unexpressed
    const bad = await replayImport('bad.strace', importTraceText(FORK.replace('getppid()                         = 4', 'getppid() = 3'), 'bad.strace'));
    expect(bad.mismatches).toEqual([{ traceLine: 6, actor: 'true_5', what: 'getppid()', trace: '3', model: '4' }]);
  });

  it('orders concurrent clones by the numbers they returned', () => {
    const t = `4 execve("/x", ["x"], 0x1 /* 0 vars */) = 0
4 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[5], tls=0x1, child_tidptr=0x2) = 5
4 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>
5 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>
5 <... clone resumed>, child_tidptr=0x3) = 6
4 <... clone resumed>, child_tidptr=0x3) = 7
6 exit_group(0) = ?
7 exit_group(0) = ?
4 exit_group(0) = ?
`;
    const r = importTraceText(t, 'threads.strace');
    const body = steps(r.scenario).slice(8).map((l) => l.replace(/ {2}#.*$/, ''));
    expect(body).toEqual([
      'x_4: execve() = 0',
      'x_4: clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) -> x_5 = 5',
      'x_5: fork() -> x_6 = 6',
      'x_4: fork() -> x_7 = 7',
      'x_6: exit_group(0) = ?',
      'x_7: exit_group(0) = ?',
      'x_4: exit_group(0) = ?',
    ]);
  });

  it('links the children of a nested namespace by the order their pids appear', async () => {
    const t = `4 execve("/usr/bin/unshare", ["unshare"], 0x1 /* 0 vars */) = 0
4 unshare(CLONE_NEWPID) = 0
4 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1) = 5
5 getpid() = 1
5 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1) = 2
6 getppid() = 1
6 exit_group(0) = ?
5 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 2
5 exit_group(0) = ?
4 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5
4 exit_group(0) = ?
`;
    const r = importTraceText(t, 'nested.strace');
    expect(r.scenario).toContain('unshare_5: fork() -> unshare_6 = 2');
    const rep = await replayImport('nested.strace', r);
    expect(rep.mismatches).toEqual([]);
    expect(rep.passed).toBe(true);
  });

  it('makes a signal from outside the traced tree a kill by init, and compares what the handler sees', async () => {
    const t = `4 execve("/x", ["x"], 0x1 /* 0 vars */) = 0
4 rt_sigaction(SIGTERM, {sa_handler=0x55, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x7f}, NULL, 8) = 0
4 --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=0, si_uid=0} ---
4 rt_sigreturn({mask=[]}) = 0
4 exit_group(0) = ?
`;
    const r = importTraceText(t, 'outside.strace');
    expect(r.scenario).toContain('init: kill($x_4, SIGTERM) = 0  # line 3: SIGTERM from outside the traced tree');
    const rep = await replayImport('outside.strace', r);
    expect(rep).toMatchObject({ passed: true, compared: 4, mismatches: [] });
    // A signal a traced call sent is compared whole: its si_pid too.
    const self = t.replace('4 --- SIGTERM', '4 kill(4, SIGTERM) = 0\n4 --- SIGTERM').replace('si_pid=0', 'si_pid=4');
    expect(await replayImport('self.strace', importTraceText(self, 'self.strace'))).toMatchObject({ passed: true, compared: 5 });
    const wrong = await replayImport('wrong.strace', importTraceText(self.replace('si_pid=4', 'si_pid=9'), 'wrong.strace'));
    expect(wrong.mismatches).toEqual([
      { traceLine: 4, actor: 'x_4', what: 'signal', trace: '--- SIGTERM {si_pid=9, si_code=SI_USER} ---', model: '--- SIGTERM {si_pid=4, si_code=SI_USER} ---' },
    ]);
  });

  it('gives a reused number a new actor', () => {
    const t = `4 execve("/x", ["x"], 0x1 /* 0 vars */) = 0
4 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1) = 5
5 exit_group(0) = ?
4 wait4(5, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5
4 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1) = 5
5 getppid() = 4
`;
    const body = steps(importTraceText(t, 'reuse.strace').scenario).slice(9);
    expect(body.map((l) => l.replace(/ {2}#.*$/, ''))).toEqual([
      'x_4: fork() -> x_5 = 5',
      'x_5: exit_group(0) = ?',
      'x_4: wait4(5, 0) = 5 {exited 0}',
      'x_4: fork() -> x_5_2 = 5',
      'x_5_2: getppid() = 4',
    ]);
  });

  it('refuses a log whose tracer was not pid 1 of a fresh namespace', () => {
    expect(() => importTraceText('31337 execve("/x", ["x"], 0x1 /* 0 vars */) = 0\n', 'host.strace')).toThrow(/host\.strace:1: the traced program is pid 31337: the tracer was not pid 1 of a fresh PID namespace/);
  });

  it('refuses a resumed half without its beginning, and a task nothing created', () => {
    expect(() => importTraceText('4 execve("/x", [], 0x1) = 0\n4 <... wait4 resumed>0x1, 0, NULL) = 5\n', 'cut.strace')).toThrow(/cut\.strace:2: <\.\.\. wait4 resumed> without its beginning/);
    expect(() => importTraceText('4 execve("/x", [], 0x1) = 0\n9 getpid() = 9\n', 'filtered.strace')).toThrow(/filtered\.strace:2: task 9 appears, but no traced call created it/);
  });

  it('refuses a truncated last line with its number', () => {
    const cut = FORK.slice(0, FORK.indexOf('exit_group(0)                     = ?\n4     <...') + 12);
    expect(() => importTraceText(cut, 'trunc.strace')).toThrow(TraceError);
    expect(() => importTraceText(cut, 'trunc.strace')).toThrow(/^trunc\.strace:7: truncated or garbled exit_group line/);
  });
});

describe('a long trace', () => {
  it('is streamed: a million generated lines, never one string, read once', async () => {
    let reads = 0;
    const FORKS = 5000;
    const source = {
      name: 'long.strace',
      *lines(): Generator<string> {
        reads++;
        yield '4 execve("/usr/bin/loop", ["loop"], 0x7ffd /* 1 var */) = 0';
        let n = 1;
        for (let i = 0; i < FORKS; i++) {
          const pid = 5 + i;
          yield `4 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = ${pid}`;
          yield `${pid} exit_group(0) = ?`;
          yield `4 wait4(${pid}, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = ${pid}`;
          n += 3;
          // The bulk of a real trace: calls that are not identity's.
          for (let k = 0; k < 197; k++, n++) yield `4 read(3, "abc\\"def", 4096) = 7`;
        }
        while (n < 1_000_000) {
          n++;
          yield '4 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000';
        }
        yield '4 exit_group(0) = ?';
      },
    };
    const { importTrace } = await import('./importer.js');
    const r = importTrace(source);
    expect(reads).toBe(1);
    expect(r.stats.lines).toBe(1_000_002);
    expect(r.stats.steps).toBe(2 + FORKS * 3);
    const rep = await replayImport('long.strace', r);
    expect(rep).toMatchObject({ passed: true, mismatches: [], compared: 2 + FORKS * 3 });
  }, 120_000);
});
