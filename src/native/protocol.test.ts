// The wire format is written down once (native/PROTOCOL.md): every call of
// the table encodes to an op that the doc lists with as many arguments as
// the descriptor sends, and runner.c's dispatch handles exactly the doc's ops.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { taskRef } from '../scenario/backend.js';
import { allCalls } from '../scenario/calls/index.js';
import { Args, type ArgKind, type ArgValue, type CallSpec } from '../scenario/calls/spec.js';
import { decodeReply, encodeCommand, parseLine } from './protocol.js';

const doc = readFileSync('native/PROTOCOL.md', 'utf8');
const runner = readFileSync('native/runner.c', 'utf8');

/** op → the number of argument words the doc gives it (a `[TID...]` tail counts as optional). */
function docOps(): Map<string, { min: number; variadic: boolean }> {
  const out = new Map<string, { min: number; variadic: boolean }>();
  for (const m of doc.matchAll(/^\| `(\w+)` \|([^|]*)\|/gm)) {
    const words = m[2]!.trim().split(/\s+/).filter((w) => w !== '');
    out.set(m[1]!, { min: words.filter((w) => !w.startsWith('[')).length, variadic: words.some((w) => w.startsWith('[')) });
  }
  return out;
}

function sample(kind: ArgKind): ArgValue {
  switch (kind.kind) {
    case 'list':
      return [5, 3];
    case 'word':
      return kind.words[0]!;
    case 'nsfile':
      return { kind: 'fd', fd: 3 };
    case 'siginfo':
      return { kind: 'siginfo', code: -1, pid: 0, value: 7 };
    default:
      return 1;
  }
}

function wireOf(spec: CallSpec): ReturnType<CallSpec['wire']> {
  const values: ArgValue[] = [];
  for (const p of spec.params) values.push(sample(typeof p.kind === 'function' ? p.kind([], 'other') : p.kind));
  return spec.wire(new Args(values), { child: { ref: taskRef(7), comm: 'c' }, nsFile: () => '/proc/1/ns/pid' });
}

describe('the runner protocol', () => {
  const ops = docOps();

  it('lists every op that runner.c dispatches, and no other', () => {
    const dispatched = new Set([...runner.matchAll(/!strcmp\(op, "(\w+)"\)/g)].map((m) => m[1]!));
    expect([...ops.keys()].sort()).toEqual([...dispatched].sort());
  });

  it.each(allCalls().map((c) => [c.name, c] as const))('encodes %s as a documented op with its arguments', (_name, spec) => {
    const wire = wireOf(spec);
    const entry = ops.get(wire.op);
    expect(entry, `op ${wire.op} of ${spec.name} is not in native/PROTOCOL.md`).toBeDefined();
    if (entry!.variadic) expect(wire.args.length).toBeGreaterThanOrEqual(entry!.min);
    else expect(wire.args.length).toBe(entry!.min);
    // One line, space-separated words: no argument may hold a space or a newline.
    for (const a of wire.args) expect(String(a)).toMatch(/^\S+$/);
    expect(encodeCommand(taskRef(2), wire)).toMatch(new RegExp(`^2( @\\S+)? ${wire.op}( |$)`));
  });

  it('reads reply lines and decodes results by kind', () => {
    expect(parseLine('3 r -3 0 0 0')).toEqual({ kind: 'actor', ref: 3, words: ['r', '-3', '0', '0', '0'] });
    expect(parseLine('X exit 5 5 9')).toEqual({ kind: 'x', words: ['exit', '5', '5', '9'] });
    expect(parseLine('B')).toEqual({ kind: 'other', text: 'B' });
    expect(decodeReply('value', [-3])).toEqual({ kind: 'errno', errno: 'ESRCH' });
    expect(decodeReply('wait4', [4, 0x0900])).toEqual({ kind: 'wait4', pid: 4, status: { kind: 'exited', code: 9 } });
    expect(decodeReply('wait4', [4, 0x137f])).toEqual({ kind: 'wait4', pid: 4, status: { kind: 'stopped', signal: 19 } });
    expect(decodeReply('wait4', [4, 0xffff])).toEqual({ kind: 'wait4', pid: 4, status: { kind: 'continued' } });
    expect(decodeReply('wait4', [4, 0x89])).toEqual({ kind: 'wait4', pid: 4, status: { kind: 'killed', signal: 9, core: true } });
    expect(decodeReply('outValue', [0, -1])).toEqual({ kind: 'value', value: -1 });
    expect(decodeReply('waitid', [0, 0, 0, 0])).toEqual({ kind: 'waitid', info: null });
    expect(decodeReply('fd', [3])).toEqual({ kind: 'fd', fd: 3 });
    // Values written back: a set in two halves, an old action, a siginfo.
    expect(decodeReply('sigset', [0, 1 << 16, 1])).toEqual({ kind: 'value', value: 0, out: { kind: 'sigset', set: (1n << 16n) | (1n << 32n) } });
    expect(decodeReply('sigaction', [0, 2, 0x14000004, 1 << 14, 0])).toEqual({ kind: 'value', value: 0, out: { kind: 'sigaction', handler: 'catch', flags: 0x14000004, mask: 1n << 14n } });
    expect(decodeReply('siginfo', [17, 17, 1, 5, 0, 0])).toEqual({ kind: 'value', value: 17, out: { kind: 'siginfo', info: { signo: 17, code: 1, pid: 5, status: 0, value: 0 } } });
    expect(decodeReply('siginfo', [-11])).toEqual({ kind: 'errno', errno: 'EAGAIN' });
  });
});
