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
});
