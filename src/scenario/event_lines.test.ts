import { describe, expect, it } from 'vitest';
import { ScenarioError, type CallStep } from './ast.js';
import { formatScript } from './format.js';
import { ModelBackend } from './model_backend.js';
import { parseScenario } from './parser.js';
import { runScenario } from './run.js';

function errorOf(text: string): string {
  try {
    parseScenario(text, 't.pidns');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  return 'no error';
}

const STORY = `init: fork() -> b = 2
b: signal(SIGUSR1, catch) = 0
init: kill($b, SIGUSR1) = 0
b: --- SIGUSR1 {si_pid=1, si_code=SI_USER} ---
init: wait4(-1, 0) = <unfinished ...>
b: exit(3) = ?
init: <... wait4 resumed> = 2 {exited 3}
b: +++ exited with 3 +++   # a comment
init: fork() = 3
init: kill(3, 9)
init#2:  +++   killed by 9 +++
`;

describe('event lines as expectations', () => {
  it('attaches each event line to the call step before it, in canonical form', () => {
    const steps = parseScenario(STORY, 't.pidns').steps as CallStep[];
    expect(steps[2]!.events).toEqual([{ label: 'b', text: '--- SIGUSR1 {si_pid=1, si_code=SI_USER} ---', pos: { line: 4, col: 1 } }]);
    expect(steps[4]!.events!.map((e) => e.text)).toEqual(['<... wait4 resumed> = 2 {exited 3}', '+++ exited with 3 +++']);
    // COMM#REF labels keep their '#'; a signal number is read as its name.
    expect(steps[6]!.events).toEqual([{ label: 'init#2', text: '+++ killed by SIGKILL +++', pos: { line: 11, col: 1 } }]);
    expect(steps[0]!.events).toBeUndefined();
  });

  it('prints them back so that the script reads the same', () => {
    const s = parseScenario(STORY, 't.pidns');
    const again = parseScenario(formatScript(s), 't.pidns');
    expect(formatScript(again)).toBe(formatScript(s));
    expect(formatScript(s)).toContain('init#2: +++ killed by SIGKILL +++\n');
  });

  it('passes when the written events are exactly the step\'s', async () => {
    const r = await runScenario(parseScenario(STORY, 't.pidns'), new ModelBackend());
    expect(r.mismatches).toEqual([]);
  });

  it('fails naming the line of a wrong, missing, extra or misordered event', async () => {
    const cases: [string, string, number][] = [
      ['b: --- SIGUSR1 {si_pid=1, si_code=SI_USER} ---', 'b: --- SIGUSR1 {si_pid=2, si_code=SI_USER} ---', 4],
      ['b: --- SIGUSR1 {si_pid=1, si_code=SI_USER} ---', 'b: --- SIGUSR2 {si_pid=1, si_code=SI_USER} ---', 4],
      ['init#2:  +++   killed by 9 +++', 'init#2: +++ killed by SIGTERM +++', 11],
      ['init#2:  +++   killed by 9 +++', 'init#3: +++ killed by SIGKILL +++', 11],
      // The order is part of the expectation: b's exit comes after init's resumed wait.
      ['init: <... wait4 resumed> = 2 {exited 3}\nb: +++ exited with 3 +++', 'b: +++ exited with 3 +++\ninit: <... wait4 resumed> = 2 {exited 3}', 7],
      // One of two missing: the step caused more than was written.
      ['init: <... wait4 resumed> = 2 {exited 3}\n', '', 7],
      // One extra.
      ['b: +++ exited with 3 +++   # a comment', 'b: +++ exited with 3 +++\nb: +++ exited with 3 +++', 9],
    ];
    for (const [from, to, line] of cases) {
      const text = STORY.replace(from, to);
      expect(text).not.toBe(STORY);
      const r = await runScenario(parseScenario(text, 't.pidns'), new ModelBackend());
      expect(r.mismatches.map((m) => m.pos.line), to).toEqual([line]);
      expect(r.mismatches[0]!.step).toMatch(/\(events\)$/);
    }
  });

  it('checks them in every round of a repeat', async () => {
    const text = `repeat 2 {
  init: fork() -> c
  init: kill($c, SIGKILL)
  c: +++ killed by SIGKILL +++
  init: wait4($c, 0) = 2 {killed SIGKILL}
}
`;
    const r = await runScenario(parseScenario(text, 't.pidns'), new ModelBackend());
    // pids go on, so the second round's wait returns 3: that is the result's mismatch, the events still match.
    expect(r.mismatches.map((m) => [m.pos.line, m.rounds.map((x) => x.index)])).toEqual([[5, [2]]]);
  });

  it('refuses malformed event lines at their line and column', () => {
    const bad: [string, string][] = [
      ['init: fork()\nb: +++ exited with 0', 't.pidns:2:21: expected the line to end with +++'],
      ['init: fork()\nb: +++ exited with x +++', 't.pidns:2:20: expected an exit code, got x'],
      ['init: fork()\nb: +++ killed by SIGFOO +++', 't.pidns:2:18: expected a signal, got SIGFOO'],
      ['init: fork()\nb: +++ vanished +++', 't.pidns:2:8: expected +++ exited with N +++, +++ killed by SIG +++, +++ stopped by SIG +++, +++ continued +++, +++ superseded by execve +++'],
      ['init: fork()\nb: --- SIGUSR1 {si_code=SI_USER} ---', 't.pidns:2:17: expected {si_pid=N, si_code=CODE[, si_status=S]}, got si_code=SI_USER'],
      ['init: fork()\nb: --- SIGUSR1 si_pid=1 ---', 't.pidns:2:16: expected {si_pid=N, si_code=CODE[, si_status=S]} after the signal'],
      ['init: fork()\nb: --- SIGCHLD {si_pid=2, si_code=CLD_KILLED, si_status=SIGNOPE} ---', 't.pidns:2:57: expected a signal, got SIGNOPE'],
      ['init: fork()\ninit: <... wiat4 resumed> = 0', 't.pidns:2:12: unknown call wiat4'],
      ['init: fork()\ninit: <... wait4 resumed>', 't.pidns:2:26: expected = RESULT after resumed>'],
      ['init: fork()\ninit: <... wait4> = 2', 't.pidns:2:17: expected resumed> after <... wait4'],
      ['init: fork()\ninit: <... wait4 resumed> =', 't.pidns:2:28: expected a result after ='],
      ['b: +++ exited with 0 +++', 't.pidns:1:1: an event line follows the call step that caused it (here there is none in this block)'],
      ['@ps init\n| 1 0 0 0 S init\nb: +++ exited with 0 +++', 't.pidns:3:1: an event line follows the call step that caused it (here there is none in this block)'],
      ['init: fork()\nrepeat 2 {\n  b: +++ exited with 0 +++\n}', 't.pidns:3:3: an event line follows the call step that caused it (here there is none in this block)'],
      ['repeat 2 {\n  init: fork()\n}\nb: +++ exited with 0 +++', 't.pidns:4:1: an event line follows the call step that caused it (here there is none in this block)'],
    ];
    for (const [text, message] of bad) expect(errorOf(text), text).toBe(message);
  });
});

describe('pidns check with event lines', () => {
  const files: Record<string, string> = {
    'good.pidns': 'init: fork() -> a = 2\na: exit(0) = ?\na: +++ exited with 0 +++\n',
    'wrong.pidns': 'init: fork() -> a = 2\na: exit(0) = ?\na: +++ exited with 1 +++\n',
    'malformed.pidns': 'init: fork() -> a = 2\na: exit(0) = ?\na: +++ exited with 0\n',
  };
  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const { memoryIo } = await import('../cli/test_io.js');
    const { main } = await import('../cli/main.js');
    const { io, output } = memoryIo(new Map(Object.entries(files)));
    const code = await main(argv, io);
    return { code, ...output() };
  }

  it('passes matching events, fails a wrong one naming its line, refuses a malformed one with exit 2', async () => {
    expect(await cli('check', 'good.pidns')).toEqual({ code: 0, out: '1 passed, 0 failed\n', err: '' });
    const wrong = await cli('check', 'wrong.pidns');
    expect(wrong.code).toBe(1);
    expect(wrong.out).toBe('FAIL wrong.pidns\nwrong.pidns:3: a: exit(0) (events)\n- a: +++ exited with 1 +++\n+ a: +++ exited with 0 +++\n0 passed, 1 failed\n');
    const bad = await cli('check', 'malformed.pidns');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('error: malformed.pidns:3:21: expected the line to end with +++\n');
  });
});
