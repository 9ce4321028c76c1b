import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantIn, type ConstantFamily } from '../abi/constants.js';
import type { Call, CallStep, FdArg, FlagTerm, FlagsArg, IntArg, ParsedArg, PidArg, Pos, Script, Step, View, ViewStep } from './ast.js';
import { allCalls, callSpec } from './calls/index.js';
import type { ArgKind, CallSpec } from './calls/spec.js';
import { formatCallStep, formatScript } from './format.js';
import { parseScenario } from './parser.js';

const P: Pos = { line: 1, col: 1 };

describe('formatCallStep', () => {
  it.each([
    ['init:fork()->a', 'init: fork() -> a'],
    ['a: clone( CLONE_NEWPID |CLONE_NEWUSER )', 'a: clone(CLONE_NEWPID|CLONE_NEWUSER)'],
    ['a: clone3(set_tid=[5,3],flags=CLONE_NEWPID ,exit_signal=SIGCHLD)', 'a: clone3(set_tid=[5, 3], flags=CLONE_NEWPID, exit_signal=SIGCHLD)'],
    ['a: kill( -$b , 0)', 'a: kill(-$b, 0)'],
    ['a: wait4($b@c,WNOHANG|__WALL) = 3 {exited 0}', 'a: wait4($b@c, WNOHANG|__WALL)'],
    ['a: setns(ns_for_children(b),CLONE_NEWPID)', 'a: setns(ns_for_children(b), CLONE_NEWPID)'],
    ['a: exit(007)', 'a: exit(7)'],
    ['a: exit(-0)', 'a: exit(0)'],
    ['a: sysctl( kernel.pid_max ,400 )', 'a: sysctl(kernel.pid_max, 400)'],
    ['a: pidfd_open($b,0)->pfd', 'a: pidfd_open($b, 0) -> pfd'],
  ])('%s', (text, canonical) => {
    const step = parseScenario(text, 'f').steps[0] as CallStep;
    expect(formatCallStep(step)).toBe(canonical);
  });
});

// ------------------------------------------------- round trip on random trees

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/);
const intArg: fc.Arbitrary<IntArg> = fc.integer({ min: -100000, max: 100000 }).map((value) => ({ kind: 'int', value, pos: P }));
const natArg: fc.Arbitrary<IntArg> = fc.nat({ max: 4096 }).map((value) => ({ kind: 'int', value, pos: P }));

const familyNames: Record<ConstantFamily, string[]> = {
  clone: ['CLONE_NEWPID', 'CLONE_NEWUSER', 'CLONE_THREAD', 'CLONE_SIGHAND', 'CLONE_VM', 'CLONE_PARENT', 'CLONE_FILES', 'CLONE_IO'],
  clone_exit: ['CLONE_NEWPID', 'CLONE_CHILD_SETTID', 'CLONE_PIDFD', 'CLONE_SETTLS', 'SIGCHLD', 'SIGUSR1'],
  signal: ['SIGKILL', 'SIGTERM', 'SIGCHLD', 'SIGSTOP', 'SIGCONT', 'SIGRTMIN'],
  wait: ['WNOHANG', 'WUNTRACED', '__WALL', '__WCLONE', '__WNOTHREAD', 'WEXITED', 'WSTOPPED', 'WCONTINUED', 'WNOWAIT'],
  idtype: ['P_ALL', 'P_PID', 'P_PGID', 'P_PIDFD'],
  prctl: ['PR_SET_CHILD_SUBREAPER', 'PR_GET_CHILD_SUBREAPER'],
  pidfd: ['PIDFD_THREAD', 'PIDFD_NONBLOCK'],
  sa: ['SA_RESTART', 'SA_NOCLDSTOP'],
  sighow: ['SIG_BLOCK', 'SIG_SETMASK'],
  sfd: ['SFD_NONBLOCK', 'SFD_CLOEXEC'],
  reboot: ['LINUX_REBOOT_CMD_RESTART', 'LINUX_REBOOT_CMD_HALT'],
  sigset: ['SIGUSR1', 'SIGTERM', 'SIGCHLD'],
  sicode: ['SI_QUEUE', 'SI_USER'],
  ioctl: ['TIOCSPGRP', 'TIOCGPGRP', 'TIOCSCTTY'],
  open: ['O_RDWR', 'O_NOCTTY'],
  lflag: ['TOSTOP'],
};

function term(family: ConstantFamily): fc.Arbitrary<FlagTerm> {
  return fc.oneof(
    natArg,
    fc.constantFrom(...familyNames[family]).map((n): FlagTerm => ({ kind: 'const', name: n, value: constantIn(family, n)!, pos: P })),
  );
}

function flags(family: ConstantFamily, single = false): fc.Arbitrary<FlagsArg> {
  return fc.array(term(family), { minLength: 1, maxLength: single ? 1 : 4 }).map((terms) => ({
    kind: 'flags',
    terms,
    value: Number(terms.reduce((acc, t) => acc | BigInt(t.value), 0n)),
    pos: P,
  }));
}

const pid: fc.Arbitrary<PidArg> = fc.oneof(
  intArg,
  fc.record({ actor: name, negate: fc.boolean(), from: fc.option(name, { nil: undefined }) }).map((r): PidArg => ({ kind: 'ref', ...r, pos: P })),
);
const fd: fc.Arbitrary<FdArg> = fc.oneof(
  natArg,
  name.map((n): FdArg => ({ kind: 'fdname', name: n, pos: P })),
);

/** One argument of a parameter's kind (the table says which). */
function argOf(kind: ArgKind): fc.Arbitrary<ParsedArg> {
  switch (kind.kind) {
    case 'int':
      return intArg;
    case 'pid':
      return pid;
    case 'fd':
      return fd;
    case 'flags':
      return flags(kind.family);
    case 'const':
      return flags(kind.family, true);
    case 'list':
      return fc.array(intArg, { maxLength: 4 }).map((items): ParsedArg => ({ kind: 'list', items, pos: P }));
    case 'word':
      return fc.constantFrom(...kind.words).map((text): ParsedArg => ({ kind: 'word', text, pos: P }));
    case 'nsfile':
      return fc.oneof(
        fc.record({ kind: fc.constantFrom('ns' as const, 'ns_for_children' as const), actor: name, pos: fc.constant(P) }),
        fd,
      );
    case 'siginfo':
      return fc
        .record({ code: flags('sicode', true), value: fc.option(intArg, { nil: undefined }) })
        .map(({ code, value }): ParsedArg => ({ kind: 'siginfo', fields: [{ key: 'si_code', value: code, pos: P }, ...(value === undefined ? [] : [{ key: 'si_value' as const, value, pos: P }])], pos: P }));
  }
}

/** A call of the table with random arguments of the kinds its parameters ask for. */
function callOf(spec: CallSpec): fc.Arbitrary<Call> {
  const n = spec.params.length;
  return fc
    .record({ present: fc.array(fc.boolean(), { minLength: n, maxLength: n }), order: fc.shuffledSubarray([...Array(n).keys()]) })
    .chain(({ present, order }) => {
      // Positional: optional parameters are trailing, so keep a prefix; keywords: any subset, in any order.
      const required = spec.params.filter((p) => p.optional !== true).length;
      const count = spec.keywords === true ? n : Math.max(required, present.filter(Boolean).length);
      const chosen = spec.keywords === true ? order : [...Array(count).keys()];
      const build = (i: number, earlier: (ParsedArg | undefined)[]): fc.Arbitrary<(ParsedArg | undefined)[]> => {
        if (i === n) return fc.constant(earlier);
        if (!chosen.includes(i)) return build(i + 1, [...earlier, undefined]);
        const p = spec.params[i]!;
        // A kind that depends on earlier arguments (waitid's id: an fd after P_PIDFD) is asked with them.
        const kind = typeof p.kind === 'function' ? p.kind(earlier, 'other') : p.kind;
        return argOf(kind).chain((a) => build(i + 1, [...earlier, a]));
      };
      return build(0, []).map((args): Call => (spec.keywords === true ? { name: spec.name, args, keys: order } : { name: spec.name, args }));
    });
}

const call: fc.Arbitrary<Call> = fc.oneof(...allCalls().map(callOf));

const expectText = fc.option(
  fc.stringMatching(/^[ -"$-~]{0,30}$/).map((s) => s.trim()).filter((s) => s !== ''),
  { nil: undefined },
);

const callStep: fc.Arbitrary<Step> = fc.record({ actor: name, call, bind: fc.option(name, { nil: undefined }), expect: expectText }).map(
  (r): CallStep => {
    const creates = callSpec(r.call.name)?.creates !== undefined;
    const bind = creates ? r.bind : undefined;
    return { kind: 'call', actor: r.actor, call: r.call, bind, expect: r.expect, pos: P, callPos: P, bindPos: bind === undefined ? undefined : P };
  },
);

const view: fc.Arbitrary<View> = fc.oneof(
  fc.record({ kind: fc.constantFrom('ps' as const, 'ns' as const, 'tree' as const), actor: name }),
  fc.record({ kind: fc.constantFrom('threads' as const, 'status' as const), actor: name, target: name, targetPos: fc.constant(P) }),
);
const viewStep: fc.Arbitrary<Step> = fc
  .record({
    view,
    expect: fc.option(fc.array(fc.stringMatching(/^[ -"$-~│├└─]{0,20}$/).map((s) => s.trimEnd()), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  })
  .map((r): ViewStep => ({ kind: 'view', view: r.view, expect: r.expect, pos: P, actorPos: P }));

const { stepTree } = fc.letrec<{ stepTree: Step }>((tie) => ({
  stepTree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    callStep,
    viewStep,
    fc.record({ count: fc.integer({ min: 1, max: 5 }), body: fc.array(tie('stepTree'), { maxLength: 3 }) }).map((r): Step => ({ kind: 'repeat', count: r.count, body: r.body, pos: P })),
  ),
}));

/** The tree without positions, which formatting does not keep. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/(^p|P)os$/.test(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return value;
}

describe('format and parse', () => {
  it('round-trip: parse(format(script)) is script, positions aside', () => {
    fc.assert(
      fc.property(fc.array(stepTree, { maxLength: 8 }), (steps) => {
        const script: Script = { file: 'r', steps };
        const text = formatScript(script);
        const back = parseScenario(text, 'r');
        expect(strip(back)).toEqual(strip(script));
        expect(formatScript(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SCENARIO.md examples', () => {
  it('the multi_pidns example is already canonical', () => {
    const text = [
      'init: clone(CLONE_NEWPID) -> p4 = 2',
      'p4: clone(CLONE_NEWPID) -> p3 = 2',
      'p3: clone(CLONE_NEWPID) -> p2 = 2',
      'p2: clone(CLONE_NEWPID) -> p1 = 2',
      'p1: clone(CLONE_NEWPID) -> p0 = 2',
      'p0: getpid() = 1',
      'p0: getppid() = 0',
      '@ps p4',
      '| 1 0 0 0 S p4',
      '| 2 1 0 0 S p3',
      '| 3 2 0 0 S p2',
      '| 4 3 0 0 S p1',
      '| 5 4 0 0 S p0',
      '@status p4 p0',
      '| Name: p0',
      '| State: S',
      '| Tgid: 5',
      '| Pid: 5',
      '| PPid: 4',
      '| NStgid: 5 4 3 2 1',
      '| NSpid: 5 4 3 2 1',
      '| NSpgid: 0 0 0 0 0',
      '| NSsid: 0 0 0 0 0',
      '',
    ].join('\n');
    expect(formatScript(parseScenario(text, 'multi_pidns.pidns'))).toBe(text);
  });

  it('the transcript examples parse as steps with expectations', () => {
    const text = [
      'init: fork() -> a = 2',
      'a: unshare(CLONE_NEWPID) = -1 EINVAL',
      'b: exit_group(0) = ?',
      'a: wait4(-1, 0) = 3 {exited 0}',
      'a: wait4(-1, WNOHANG) = 0',
      'a: waitid(P_ALL, 0, WEXITED) = 0 {si_pid=3, si_code=CLD_EXITED, si_status=0}',
      'a: pidfd_open($b, 0) -> pfd = fd',
      '',
    ].join('\n');
    expect(formatScript(parseScenario(text, 't'))).toBe(text);
  });
});
