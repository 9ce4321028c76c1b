// The canonical text of steps: what the transcript prints for a step, and what
// the parser reads back to the same tree (parse(format(x)) is x, positions
// aside). Arguments print as written, with normalized spacing: `, ` between
// arguments, `|` with no spaces between flags, numbers in plain decimal.

import type { Call, CallStep, FdArg, FlagsArg, IntArg, NsTarget, PidArg, Script, Step, View, ViewStep } from './ast.js';

function int(a: IntArg): string {
  return String(a.value);
}

export function formatPid(a: PidArg): string {
  if (a.kind === 'int') return int(a);
  return `${a.negate ? '-' : ''}$${a.actor}${a.from === undefined ? '' : `@${a.from}`}`;
}

export function formatFlags(a: FlagsArg): string {
  return a.terms.map((t) => (t.kind === 'const' ? t.name : int(t))).join('|');
}

export function formatFd(a: FdArg): string {
  return a.kind === 'fdname' ? a.name : int(a);
}

function formatTarget(t: NsTarget): string {
  return t.kind === 'fd' ? formatFd(t.fd) : `${t.kind}(${t.actor})`;
}

function formatArgs(call: Call): string[] {
  switch (call.name) {
    case 'fork':
    case 'execve':
    case 'getpid':
    case 'getppid':
    case 'gettid':
    case 'getpgrp':
    case 'setsid':
      return [];
    case 'clone':
    case 'unshare':
      return [formatFlags(call.flags)];
    case 'clone3':
      return call.keys.map((key) => {
        switch (key) {
          case 'flags':
            return `flags=${call.flags === undefined ? '0' : formatFlags(call.flags)}`;
          case 'set_tid':
            return `set_tid=[${(call.setTid ?? []).map(int).join(', ')}]`;
          case 'exit_signal':
            return `exit_signal=${call.exitSignal === undefined ? '0' : formatFlags(call.exitSignal)}`;
        }
      });
    case 'setns':
      return [formatTarget(call.target), formatFlags(call.flags)];
    case 'exit':
    case 'exit_group':
      return [int(call.code)];
    case 'wait4':
      return [formatPid(call.pid), formatFlags(call.options)];
    case 'waitid':
      return [formatFlags(call.idtype), call.id.kind === 'fdname' ? formatFd(call.id) : formatPid(call.id), formatFlags(call.options)];
    case 'kill':
      return [formatPid(call.pid), formatFlags(call.sig)];
    case 'tgkill':
      return [formatPid(call.tgid), formatPid(call.tid), formatFlags(call.sig)];
    case 'pidfd_send_signal':
      return [formatFd(call.fd), formatFlags(call.sig)];
    case 'signal':
      return [formatFlags(call.sig), call.disposition];
    case 'getpgid':
    case 'getsid':
      return [formatPid(call.pid)];
    case 'setpgid':
      return [formatPid(call.pid), formatPid(call.pgid)];
    case 'prctl':
      return call.arg === undefined ? [formatFlags(call.option)] : [formatFlags(call.option), int(call.arg)];
    case 'pidfd_open':
      return [formatPid(call.pid), formatFlags(call.flags)];
    case 'close':
      return [formatFd(call.fd)];
    case 'sysctl':
      return call.value === undefined ? [call.key] : [call.key, int(call.value)];
    case 'setuid':
      return [int(call.uid)];
  }
}

export function formatCall(call: Call): string {
  return `${call.name}(${formatArgs(call).join(', ')})`;
}

/** `ACTOR: CALL(ARGS)[ -> NAME]`, without the expectation. */
export function formatCallStep(step: CallStep): string {
  return `${step.actor}: ${formatCall(step.call)}${step.bind === undefined ? '' : ` -> ${step.bind}`}`;
}

/** `@status a b`, `@ps a`. */
export function formatView(view: View): string {
  return view.kind === 'threads' || view.kind === 'status' ? `@${view.kind} ${view.actor} ${view.target}` : `@${view.kind} ${view.actor}`;
}

export function formatViewStep(step: ViewStep): string {
  return formatView(step.view);
}

/** One output or expectation line of a view, as written: `| text`. */
export function formatBarLine(text: string): string {
  return text === '' ? '|' : `| ${text}`;
}

/** A whole script in canonical form, expectations included; repeat bodies indented by two spaces. */
export function formatScript(script: Script): string {
  const out: string[] = [];
  const walk = (steps: readonly Step[], indent: string): void => {
    for (const step of steps) {
      switch (step.kind) {
        case 'call':
          out.push(indent + formatCallStep(step) + (step.expect === undefined ? '' : ` = ${step.expect}`));
          break;
        case 'view':
          out.push(indent + formatViewStep(step));
          for (const line of step.expect ?? []) out.push(indent + formatBarLine(line));
          break;
        case 'repeat':
          out.push(`${indent}repeat ${step.count} {`);
          walk(step.body, `${indent}  `);
          out.push(`${indent}}`);
          break;
      }
    }
  };
  walk(script.steps, '');
  return out.map((l) => `${l}\n`).join('');
}
