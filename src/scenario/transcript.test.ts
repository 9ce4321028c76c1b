import { describe, expect, it } from 'vitest';
import type { CallResult, PsRow, TaskEvent } from './backend.js';
import { entryLines, formatEvent, formatResult, nsLines, psLines, sameLines, sameResult, statusLines, threadsLines, treeLines } from './transcript.js';

describe('formatResult', () => {
  it.each<[CallResult, string]>([
    [{ kind: 'value', value: 2 }, '2'],
    [{ kind: 'value', value: 0 }, '0'],
    [{ kind: 'errno', errno: 'EINVAL' }, '-1 EINVAL'],
    [{ kind: 'noreturn' }, '?'],
    [{ kind: 'unfinished' }, '<unfinished ...>'],
    [{ kind: 'fd', fd: 7 }, 'fd'],
    [{ kind: 'wait4', pid: 3, status: { kind: 'exited', code: 0 } }, '3 {exited 0}'],
    [{ kind: 'wait4', pid: 3, status: { kind: 'killed', signal: 9, core: false } }, '3 {killed SIGKILL}'],
    [{ kind: 'wait4', pid: 4, status: { kind: 'stopped', signal: 19 } }, '4 {stopped SIGSTOP}'],
    [{ kind: 'wait4', pid: 4, status: { kind: 'continued' } }, '4 {continued}'],
    [{ kind: 'waitid', info: { pid: 3, code: 'CLD_EXITED', status: 0 } }, '0 {si_pid=3, si_code=CLD_EXITED, si_status=0}'],
    [{ kind: 'waitid', info: { pid: 3, code: 'CLD_KILLED', status: 9 } }, '0 {si_pid=3, si_code=CLD_KILLED, si_status=SIGKILL}'],
    [{ kind: 'waitid', info: { pid: 3, code: 'CLD_DUMPED', status: 11 } }, '0 {si_pid=3, si_code=CLD_DUMPED, si_status=SIGSEGV}'],
    [{ kind: 'waitid', info: { pid: 3, code: 'CLD_STOPPED', status: 19 } }, '0 {si_pid=3, si_code=CLD_STOPPED, si_status=SIGSTOP}'],
    [{ kind: 'waitid', info: { pid: 3, code: 'CLD_CONTINUED', status: 18 } }, '0 {si_pid=3, si_code=CLD_CONTINUED, si_status=SIGCONT}'],
    [{ kind: 'waitid', info: null }, '0 {si_pid=0}'],
  ])('%j', (result, text) => {
    expect(formatResult(result)).toBe(text);
  });
});

describe('formatEvent', () => {
  it.each<[TaskEvent, string]>([
    [{ kind: 'exited', code: 0 }, '+++ exited with 0 +++'],
    [{ kind: 'killed', signal: 9 }, '+++ killed by SIGKILL +++'],
    [{ kind: 'stopped', signal: 19 }, '+++ stopped by SIGSTOP +++'],
    [{ kind: 'continued' }, '+++ continued +++'],
    [{ kind: 'superseded' }, '+++ superseded by execve +++'],
    [{ kind: 'caught', signal: 15, siPid: 0, siCode: 'SI_USER', siStatus: undefined }, '--- SIGTERM {si_pid=0, si_code=SI_USER} ---'],
    [{ kind: 'caught', signal: 17, siPid: 3, siCode: 'CLD_EXITED', siStatus: 0 }, '--- SIGCHLD {si_pid=3, si_code=CLD_EXITED, si_status=0} ---'],
    [{ kind: 'caught', signal: 17, siPid: 3, siCode: 'CLD_KILLED', siStatus: 9 }, '--- SIGCHLD {si_pid=3, si_code=CLD_KILLED, si_status=SIGKILL} ---'],
    [{ kind: 'caught', signal: 32, siPid: 2, siCode: 'SI_TKILL', siStatus: undefined }, '--- SIGRTMIN {si_pid=2, si_code=SI_TKILL} ---'],
    [{ kind: 'caught', signal: 34, siPid: 2, siCode: 'SI_TKILL', siStatus: undefined }, '--- SIGRTMIN+2 {si_pid=2, si_code=SI_TKILL} ---'],
    [{ kind: 'resumed', call: 'wait4', result: { kind: 'wait4', pid: 3, status: { kind: 'exited', code: 0 } } }, '<... wait4 resumed> = 3 {exited 0}'],
    [{ kind: 'resumed', call: 'waitid', result: { kind: 'errno', errno: 'EINTR' } }, '<... waitid resumed> = -1 EINTR'],
  ])('%j', (event, text) => {
    expect(formatEvent(event)).toBe(text);
  });
});

const row = (pid: number, ppid: number, name: string, state: PsRow['state'] = 'S'): PsRow => ({ pid, ppid, pgid: 0, sid: 0, state, name });

describe('views', () => {
  it('@ps: single-spaced rows ascending by pid', () => {
    expect(psLines([row(2, 1, 'p3'), { pid: 1, ppid: 0, pgid: 1, sid: 1, state: 'Z', name: 'p4' }])).toEqual(['1 0 1 1 Z p4', '2 1 0 0 S p3']);
  });

  it('@threads: ascending tids', () => {
    expect(threadsLines([7, 3, 5])).toEqual(['3', '5', '7']);
  });

  it('@status: the identity lines', () => {
    expect(
      statusLines({ name: 'p0', state: 'S', tgid: 5, pid: 5, ppid: 4, nstgid: [5, 4, 3, 2, 1], nspid: [5, 4, 3, 2, 1], nspgid: [0, 0], nssid: [0, 0] }),
    ).toEqual(['Name: p0', 'State: S', 'Tgid: 5', 'Pid: 5', 'PPid: 4', 'NStgid: 5 4 3 2 1', 'NSpid: 5 4 3 2 1', 'NSpgid: 0 0', 'NSsid: 0 0']);
  });

  it('@ns: namespace indices, ? where the link cannot be read', () => {
    expect(nsLines({ pid: 0, pidForChildren: 1 })).toEqual(['pid:ns0 pid_for_children:ns1']);
    expect(nsLines({ pid: 2, pidForChildren: null })).toEqual(['pid:ns2 pid_for_children:?']);
  });

  it('@tree: pstree-like, children ascending, roots where the parent is 0 or invisible', () => {
    expect(treeLines([row(3, 1, 'b'), row(4, 2, 'c'), row(1, 0, 'init'), row(2, 1, 'a'), row(6, 4, 'e'), row(5, 2, 'd')])).toEqual([
      'init(1)',
      '├─ a(2)',
      '│  ├─ c(4)',
      '│  │  └─ e(6)',
      '│  └─ d(5)',
      '└─ b(3)',
    ]);
    expect(treeLines([row(9, 1, 'x'), row(7, 0, 'y'), row(8, 7, 'z')])).toEqual(['y(7)', '└─ z(8)', 'x(9)']);
    expect(treeLines([row(2, 3, 'a'), row(3, 2, 'b')])).toEqual(['a(2)', '└─ b(3)']);
  });
});

describe('comparison', () => {
  it('folds runs of white space and trims', () => {
    expect(sameResult('3   {exited 0} ', '3 {exited 0}')).toBe(true);
    expect(sameResult('3 {exited 1}', '3 {exited 0}')).toBe(false);
    expect(sameLines(['1  0 0 0 S  a ', ''], ['1 0 0 0 S a'])).toBe(true);
    expect(sameLines([''], [])).toBe(true);
    expect(sameLines(['1 0 0 0 S a'], ['1 0 0 0 S a', '2 1 0 0 S b'])).toBe(false);
  });
});

describe('entryLines', () => {
  const pos = { line: 1, col: 1 };
  it('indents by two spaces a level, views with | lines', () => {
    expect(entryLines({ type: 'step', pos, depth: 1, text: 'a: getpid()', result: '2' })).toEqual(['  a: getpid() = 2']);
    expect(entryLines({ type: 'event', pos, depth: 0, task: 'init#3', text: '+++ exited with 0 +++' })).toEqual(['init#3: +++ exited with 0 +++']);
    expect(entryLines({ type: 'view', pos, depth: 2, text: '@ps a', output: ['1 0 0 0 S a', ''] })).toEqual(['    @ps a', '    | 1 0 0 0 S a', '    |']);
    expect(entryLines({ type: 'repeat', pos, depth: 0, count: 3 })).toEqual(['repeat 3 {']);
    expect(entryLines({ type: 'end', pos, depth: 0 })).toEqual(['}']);
  });
});
