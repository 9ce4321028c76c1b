import { describe, expect, it } from 'vitest';
import { importTraceText } from './importer.js';
import { replayImport } from './replay.js';
import { sigsetArg } from './sigcalls.js';

const steps = (scenario: string): string[] =>
  scenario
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(8)
    .map((l) => l.replace(/ {2}#.*$/, ''));

describe('signal sets as strace prints them', () => {
  it('writes members by name, the complement within 64 signals, SIGKILL and SIGSTOP as their bits', () => {
    expect(sigsetArg('[]')).toBe('0');
    expect(sigsetArg('[INT CHLD]')).toBe('SIGINT|SIGCHLD');
    expect(sigsetArg('[RTMIN RT_1 RT_32]')).toBe('SIGRTMIN|SIGRTMIN+1|SIGRTMAX');
    const all = sigsetArg('~[]')!.split('|');
    expect(all).toHaveLength(64);
    expect(all).toContain('256');
    expect(all).toContain('262144');
    const most = sigsetArg('~[KILL STOP RTMIN RT_1]')!.split('|');
    expect(most).toHaveLength(60);
    expect(most).not.toContain('SIGRTMIN');
    expect(most).not.toContain('256');
    expect(most.at(-1)).toBe('SIGRTMAX');
    expect(sigsetArg('[BOGUS]')).toBeNull();
    expect(sigsetArg('NULL')).toBeNull();
  });
});

const SUSPEND = `4     execve("/usr/bin/sh", ["sh"], 0x7ffd /* 1 var */) = 0
4     rt_sigaction(SIGCHLD, {sa_handler=0x55, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER|SA_INTERRUPT, sa_restorer=0x7f}, NULL, 8) = 0
4     rt_sigaction(SIGINT, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
4     rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8) = 0
4     rt_sigprocmask(SIG_BLOCK, NULL, [CHLD], 8) = 0
4     clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 5
4     rt_sigsuspend([], 8 <unfinished ...>
5     exit_group(0)                     = ?
4     <... rt_sigsuspend resumed>)      = ? ERESTARTNOHAND (To be restarted if no handler)
4     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---
4     wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL) = 5
4     rt_sigreturn({mask=[CHLD]})       = -1 EINTR (Interrupted system call)
4     clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 6
4     rt_sigtimedwait([CHLD],  <unfinished ...>
6     exit_group(3)                     = ?
4     <... rt_sigtimedwait resumed>{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6, si_uid=0, si_status=3, si_utime=0, si_stime=0}, {tv_sec=1, tv_nsec=0}, 8) = 17 (SIGCHLD)
4     wait4(6, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 6
4     signalfd4(-1, [CHLD], 8, SFD_CLOEXEC|SFD_NONBLOCK) = 3
4     read(3, 0x7ffc, 128)              = -1 EAGAIN (Resource temporarily unavailable)
4     read(4, "x", 1)                   = 1
4     exit_group(0)                     = ?
`;

describe('importing the signal calls', () => {
  it('writes masks, actions, the waits and a signalfd read; a call inside a handler is listed as approximated', async () => {
    const r = importTraceText(SUSPEND.replace('read(3, 0x7ffc', 'read(3, 0x7ffc'), 'suspend.strace');
    const all = sigsetArg('~[RTMIN RT_1]')!;
    const inside = all.split('|').filter((x) => x !== 'SIGKILL' && x !== 'SIGSTOP').join('|');
    expect(steps(r.scenario)).toEqual([
      'sh_4: execve() = 0',
      `sh_4: rt_sigaction(SIGCHLD, catch, SA_RESTORER|536870912, ${all}) = 0`,
      'sh_4: rt_sigaction(SIGINT, NULL, oldact) = 0 {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}',
      'sh_4: rt_sigprocmask(SIG_BLOCK, SIGCHLD, oldset) = 0 []',
      'sh_4: rt_sigprocmask(SIG_BLOCK, NULL, oldset) = 0 [SIGCHLD]',
      'sh_4: fork() -> sh_5 = 5',
      'sh_4: rt_sigsuspend(0) = <unfinished ...>',
      'sh_5: exit_group(0) = ?',
      // The handler's mask: the mask at delivery (rt_sigsuspend's), sa_mask, SIGCHLD; the kernel keeps no SIGKILL/SIGSTOP.
      `sh_4: rt_sigprocmask(SIG_SETMASK, ${inside.replace('256|', '').replace('262144|', '')})`,
      'sh_4: wait4(-1, WNOHANG) = 5 {exited 0}',
      'sh_4: rt_sigprocmask(SIG_SETMASK, SIGCHLD)',
      'sh_4: fork() -> sh_6 = 6',
      'sh_4: rt_sigtimedwait(SIGCHLD, info) = <unfinished ...>',
      'sh_6: exit_group(3) = ?',
      'sh_4: wait4(6, 0) = 6 {exited 3}',
      'sh_4: signalfd(-1, SIGCHLD, SFD_CLOEXEC|SFD_NONBLOCK) -> sfd3 = fd',
      'sh_4: read(sfd3) = -1 EAGAIN',
      'sh_4: exit_group(0) = ?',
    ]);
    expect(r.scenario).toContain('# lines 14-16: returns 17 {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6, si_status=3}');
    expect(r.unexpressed).toEqual([]);
    expect(r.approximated.map((a) => [a.why.split(' (')[0]!, a.lines])).toEqual([
      ['a call made inside a signal handler runs after the recording handler returned, under the handler\'s mask', [11]],
      ["rt_sigtimedwait's timeout {tv_sec=1, tv_nsec=0}", [14]],
    ]);
    const report = await replayImport('suspend.strace', r);
    expect(report.stopped).toBeNull();
    expect(report.mismatches).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('a timeout that expired, or a sigsuspend that did not end in a handler, is unexpressed', () => {
    const expired = SUSPEND.replace(
      '<... rt_sigtimedwait resumed>{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6, si_uid=0, si_status=3, si_utime=0, si_stime=0}, {tv_sec=1, tv_nsec=0}, 8) = 17 (SIGCHLD)',
      '<... rt_sigtimedwait resumed>0x7ffc, {tv_sec=1, tv_nsec=0}, 8) = -1 EAGAIN (Resource temporarily unavailable)',
    );
    expect(importTraceText(expired).unexpressed.map((u) => [u.why, u.lines])).toEqual([['rt_sigtimedwait with timeout {tv_sec=1, tv_nsec=0} that expired: the model has no clock', [14]]]);
    const odd = SUSPEND.replace('= ? ERESTARTNOHAND (To be restarted if no handler)', '= 0');
    expect(importTraceText(odd).unexpressed.map((u) => u.lines)).toEqual([[7]]);
  });
});
