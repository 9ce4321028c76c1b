// The canonical text of steps: what the transcript prints for a step, and what
// the parser reads back to the same tree (parse(format(x)) is x, positions
// aside). Arguments print as written, with normalized spacing: `, ` between
// arguments, `|` with no spaces between flags, numbers in plain decimal.

import type { Call, CallStep, FdArg, FlagsArg, IntArg, ParsedArg, PidArg, Script, Step, View, ViewStep } from './ast.js';
import { callSpec } from './calls/index.js';

function int(a: IntArg): string {
  return String(a.value);
}

export function formatPid(a: PidArg): string {
  if (a.kind === 'int') return int(a);
  return `${a.negate ? '-' : ''}$${a.actor}${a.from === undefined ? '' : `@${a.from}`}`;
}

export function formatFlags(a: FlagsArg): string {
  // A loop, not map and join: the transcript formats every step, and signal sets are long.
  let text = '';
  a.terms.forEach((t, i) => {
    text += (i === 0 ? '' : '|') + (t.kind === 'const' ? t.name : int(t));
  });
  return text;
}

export function formatFd(a: FdArg): string {
  return a.kind === 'fdname' ? a.name : int(a);
}

/** One argument as written, spacing normalized. */
export function formatArg(a: ParsedArg): string {
  switch (a.kind) {
    case 'int':
    case 'ref':
      return formatPid(a);
    case 'fdname':
      return formatFd(a);
    case 'flags':
      return formatFlags(a);
    case 'list':
      return `[${a.items.map(int).join(', ')}]`;
    case 'word':
      return a.text;
    case 'ns':
    case 'ns_for_children':
      return a.type === undefined ? `${a.kind}(${a.actor})` : `${a.kind}(${a.actor}, ${a.type})`;
    case 'siginfo':
      return `{${a.fields.map((f) => `${f.key}=${f.value.kind === 'int' ? int(f.value) : formatFlags(f.value)}`).join(', ')}}`;
  }
}

/** `name(ARGS)`: positional arguments in order, KEY=VALUE ones in the order written. */
export function formatCall(call: Call): string {
  if (call.keys !== undefined) {
    const params = callSpec(call.name)?.params ?? [];
    return `${call.name}(${call.keys.map((i) => `${params[i]?.name ?? '?'}=${formatArg(call.args[i]!)}`).join(', ')})`;
  }
  let args = '';
  let sep = '';
  for (const a of call.args) {
    if (a === undefined) continue;
    args += sep + formatArg(a);
    sep = ', ';
  }
  return `${call.name}(${args})`;
}

/** `ACTOR: CALL(ARGS)[ -> NAME]`, without the expectation. */
export function formatCallStep(step: CallStep): string {
  const pidfd = step.bindPidfd === undefined ? '' : `, pidfd=${step.bindPidfd}`;
  return `${step.actor}: ${formatCall(step.call)}${step.bind === undefined ? '' : ` -> ${step.bind}${pidfd}`}`;
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
          for (const e of step.events ?? []) out.push(`${indent}${e.label}: ${e.text}`);
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
