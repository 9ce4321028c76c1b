// The signal calls of the scenario language: malformed arguments get a located
// error (a scenario error, exit 2 at the CLI), and the calls run on the model.

import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../ast.js';
import { createModelBackend } from '../model_backend.js';
import { parseScenario } from '../parser.js';
import { runScenario } from '../run.js';

async function run(text: string): Promise<string> {
  const lines: string[] = [];
  try {
    await runScenario(parseScenario(text, 't.pidns'), createModelBackend(), { onLine: (l) => lines.push(l) });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return `error: ${e.message}`;
  }
  return lines.join('\n');
}

describe('signal calls in the language', () => {
  it.each([
    ['init: rt_sigprocmask(SIG_BLOCK, SIGUSR1|SIGKILL)', /^error: t\.pidns:1:41: SIGKILL cannot be in a signal set/],
    ['init: rt_sigsuspend(SIGSTOP)', /^error: t\.pidns:1:21: SIGSTOP cannot be in a signal set/],
    ['init: rt_sigaction(SIGUSR1, catch, SA_SIGINFO, SIGKILL)', /^error: t\.pidns:1:48: SIGKILL cannot be in a signal set/],
    ['init: rt_sigprocmask(SIG_BLOKC, SIGUSR1)', /^error: t\.pidns:1:22: unknown constant SIG_BLOKC/],
    ['init: kill(1, SIGRTMIN+40)', /^error: t\.pidns:1:15: /],
    ['init: rt_sigtimedwait(SIGUSR1, 5)', /^error: t\.pidns:1:32: the model has no clock/],
    ['init: prctl(PR_SET_PDEATHSIG, SIGBOGUS)', /^error: t\.pidns:1:31: unknown constant SIGBOGUS/],
    // The forms that ask for a value back, and the siginfo argument.
    ['init: rt_sigprocmask(SIG_BLOCK, SIGUSR1, old)', /^error: t\.pidns:1:42: expected oldset \(show the old mask\) or NULL$/],
    ['init: rt_sigaction(SIGUSR1, NULL, 0)', /^error: t\.pidns:1:35: expected oldact \(show the old action\) or NULL$/],
    ['init: rt_sigaction(SIGUSR1, NULL, oldact, 0)', /^error: t\.pidns:1:43: after NULL only oldact may follow/],
    ['init: rt_sigaction(SIGUSR1, catch, 0)', /^error: t\.pidns:1:29: catch needs FLAGS and MASK/],
    ['init: rt_sigtimedwait(SIGUSR1, inf)', /^error: t\.pidns:1:32: expected info, NULL or a timeout of 0$/],
    ['init: rt_sigtimedwait(SIGUSR1, 0, 0)', /^error: t\.pidns:1:35: after a timeout nothing follows/],
    ['init: rt_sigtimedwait(SIGUSR1, info, 3)', /^error: t\.pidns:1:38: the model has no clock/],
    ['init: read(3, buf)', /^error: t\.pidns:1:15: expected info/],
    ['init: rt_sigpending(1)', /^error: t\.pidns:1:21: rt_sigpending takes no arguments$/],
    ['init: pidfd_send_signal(3, SIGUSR1, {si_value=1})', /^error: t\.pidns:1:37: a siginfo needs si_code/],
    ['init: pidfd_send_signal(3, SIGUSR1, {si_code=SI_QUEUE, si_code=SI_USER})', /^error: t\.pidns:1:56: siginfo field si_code given twice$/],
    ['init: pidfd_send_signal(3, SIGUSR1, {si_code=SI_QUEUE, si_uid=0})', /^error: t\.pidns:1:56: unknown siginfo field si_uid/],
    ['init: pidfd_send_signal(3, SIGUSR1, {si_code=SIGUSR1})', /^error: t\.pidns:1:46: expected an si_code/],
    ['init: pidfd_send_signal(3, SIGUSR1, {si_code=SI_QUEUE, si_value=x})', /^error: t\.pidns:1:65: expected si_value \(a number\)$/],
    ['init: pidfd_send_signal(3, SIGUSR1, {si_code=SI_QUEUE)', /^error: t\.pidns:1:54: expected '}' or ',' in the \{KEY=VALUE, \.\.\.\} argument/],
    ['init: pidfd_send_signal(3, SIGUSR1, 0, 0)', /^error: t\.pidns:1:40: FLAGS come once/],
  ])('%s', async (text, message) => {
    expect(await run(text)).toMatch(message);
  });

  it('runs the calls on the model', async () => {
    const out = await run(
      [
        'init: fork() -> a',
        'a: rt_sigaction(SIGRTMIN+2, catch, SA_SIGINFO, 0)',
        'a: rt_sigprocmask(SIG_BLOCK, SIGRTMIN+2)',
        'init: rt_sigqueueinfo($a, SIGRTMIN+2, SI_QUEUE, 1, 7)',
        'init: rt_sigqueueinfo($a, SIGRTMAX-30, SI_QUEUE, 2, 7)',
        'a: rt_sigprocmask(SIG_UNBLOCK, SIGRTMIN+2)',
      ].join('\n'),
    );
    expect(out.split('\n').filter((l) => l.includes('---'))).toEqual(['a: --- SIGRTMIN+2 {si_pid=7, si_code=SI_QUEUE} ---', 'a: --- SIGRTMIN+2 {si_pid=7, si_code=SI_QUEUE} ---']);
  });

  it('shows what the calls write back, and the same text parses back', async () => {
    const text = [
      'init: fork() -> a = 2',
      'a: rt_sigprocmask(SIG_BLOCK, SIGUSR1|SIGRTMIN, oldset) = 0 []',
      'a: rt_sigprocmask(SIG_SETMASK, NULL, oldset) = 0 [SIGUSR1 SIGRTMIN]',
      'a: rt_sigaction(SIGUSR2, catch, SA_RESTART, SIGTERM, oldact) = 0 {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}',
      'a: rt_sigaction(SIGUSR2, NULL, oldact) = 0 {sa_handler=catch, sa_mask=[SIGTERM], sa_flags=SA_SIGINFO|SA_RESTART}',
      'init: pidfd_open($a, 0) -> p = fd',
      'init: pidfd_send_signal(p, SIGRTMIN, {si_code=SI_QUEUE, si_value=5, si_pid=9}, 0) = 0',
      'init: kill($a, SIGUSR1) = 0',
      'a: rt_sigpending() = 0 [SIGUSR1 SIGRTMIN]',
      'a: rt_sigtimedwait(SIGRTMIN, info) = 32 {si_signo=SIGRTMIN, si_code=SI_QUEUE, si_pid=9, si_value=5}',
      'a: rt_sigtimedwait(SIGUSR1, NULL, 0) = 10',
      'a: rt_sigtimedwait(SIGUSR1, info, 0) = -1 EAGAIN',
    ].join('\n');
    expect(await run(text)).toBe(text);
    const r = await runScenario(parseScenario(text, 't.pidns'), createModelBackend());
    expect(r.mismatches).toEqual([]);
  });

  it('shows a blocked sigtimedwait\'s siginfo when it resumes, only if asked', async () => {
    const out = await run(
      [
        'init: fork() -> a',
        'a: rt_sigprocmask(SIG_BLOCK, SIGUSR1|SIGUSR2, NULL)',
        'a: rt_sigtimedwait(SIGUSR1, info)',
        'init: kill($a, SIGUSR1)',
        'a: rt_sigtimedwait(SIGUSR2)',
        'init: kill($a, SIGUSR2)',
      ].join('\n'),
    );
    expect(out.split('\n').filter((l) => l.includes('resumed'))).toEqual(['a: <... rt_sigtimedwait resumed> = 10 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=1}', 'a: <... rt_sigtimedwait resumed> = 12']);
  });
});
