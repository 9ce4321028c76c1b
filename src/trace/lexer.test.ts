import { describe, expect, it } from 'vitest';
import { lexLine, splitArgs, structFields, TraceError } from './lexer.js';

const lex = (s: string) => lexLine(s, 't.strace', 7);

describe('strace line syntax', () => {
  it('reads a whole call with a -f pid prefix', () => {
    expect(lex('4     clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f96ae054a10) = 5')).toEqual({
      kind: 'call',
      pid: 4,
      time: null,
      name: 'clone',
      args: 'child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f96ae054a10',
      result: { kind: 'value', value: 5, comment: null },
    });
  });

  it('reads errno results, ? results and restarts', () => {
    expect(lex('4 wait4(-1, 0x7ffd, WNOHANG, NULL) = -1 ECHILD (No child processes)')).toMatchObject({ result: { kind: 'errno', errno: 'ECHILD' } });
    expect(lex('5 exit_group(0)                     = ?')).toMatchObject({ result: { kind: 'unknown', errno: null } });
    expect(lex('5 <... wait4 resumed>0x7ffc, 0, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)')).toMatchObject({
      kind: 'resumed',
      result: { kind: 'unknown', errno: 'ERESTARTSYS' },
    });
  });

  it('pairs of unfinished and resumed halves keep their argument text', () => {
    expect(lex('4     wait4(-1,  <unfinished ...>')).toEqual({ kind: 'unfinished', pid: 4, time: null, name: 'wait4', args: '-1,' });
    expect(lex('4     <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5')).toMatchObject({
      kind: 'resumed',
      name: 'wait4',
      args: '[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL',
    });
  });

  it('reads -tt, -ttt and -T, and [pid N] prefixes', () => {
    expect(lex('4     23:11:21.538465 getpid() = 4')).toMatchObject({ pid: 4, time: 23 * 3600 + 11 * 60 + 21.538465, name: 'getpid' });
    expect(lex('1796166681.612588 getpid() = 4')).toMatchObject({ pid: null, time: 1796166681.612588 });
    expect(lex('[pid  12] getppid() = 1 <0.000011>')).toMatchObject({ pid: 12, result: { kind: 'value', value: 1 } });
  });

  it('reads signals and ends', () => {
    expect(lex('4     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---')).toMatchObject({
      kind: 'signal',
      signal: 'SIGCHLD',
    });
    expect(lex('6 --- stopped by SIGSTOP ---')).toMatchObject({ kind: 'signal', signal: 'SIGSTOP', stopped: true });
    expect(lex('5 +++ exited with 3 +++')).toMatchObject({ kind: 'exited', code: 3 });
    expect(lex('5 +++ killed by SIGSEGV (core dumped) +++')).toMatchObject({ kind: 'killed', signal: 'SIGSEGV', core: true });
  });

  it('skips strings with parentheses and quotes inside', () => {
    expect(lex('4 write(1, "a) = (b\\" )", 9) = 9')).toMatchObject({ name: 'write', result: { kind: 'value', value: 9 } });
  });

  it('refuses what is not strace, with the line number', () => {
    for (const bad of ['hello world', '4 getpid(', '4 getpid() = banana', '--- nonsense ---', '4 +++ gone +++', '4 syscall_0x1c8(1, 2) = -1 ENOSYS (Function not implemented)']) {
      expect(() => lex(bad)).toThrow(TraceError);
      expect(() => lex(bad)).toThrow(/^t\.strace:7: /);
    }
  });
});

describe('argument text', () => {
  it('splits at top-level commas only', () => {
    expect(splitArgs('-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL')).toEqual(['-1', '[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]', '0', 'NULL']);
    expect(splitArgs('"a, b", {x=1, y=[2, 3]} /* 2, 3 */')).toEqual(['"a, b"', '{x=1, y=[2, 3]} /* 2, 3 */']);
  });

  it('reads struct fields', () => {
    const f = structFields('{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}');
    expect([...f.entries()]).toEqual([
      ['flags', 'CLONE_VM|CLONE_VFORK'],
      ['exit_signal', 'SIGCHLD'],
      ['stack', '0x7f'],
      ['stack_size', '0x9000'],
    ]);
  });
});
