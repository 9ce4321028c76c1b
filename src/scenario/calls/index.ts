// The call table: every system call of the scenario language, one descriptor
// each (spec.ts). Adding a call is adding its descriptor here; the parser, the
// printer, the runner, both backends and the fuzzer take it from the table.

import * as ids from './ids.js';
import * as process from './process.js';
import * as signal from './signal.js';
import * as sigwait from './sigwait.js';
import type { CallSpec } from './spec.js';
import * as sys from './sys.js';
import * as wait from './wait.js';
import * as tty from './tty.js';

/**
 * A module's descriptors in the order of its export names: what an ES module
 * namespace object gives (its keys are sorted), made explicit because a
 * transformed module (vitest's) lists them in source order instead, and the
 * fuzzer's seeds must write the same scenario wherever the table is loaded.
 */
function specsOf(ns: Readonly<Record<string, CallSpec>>): CallSpec[] {
  return Object.keys(ns)
    .sort()
    .map((k) => ns[k]!);
}

const ALL: readonly CallSpec[] = [process, wait, signal, sigwait, ids, sys, tty].flatMap(specsOf);

const TABLE: ReadonlyMap<string, CallSpec> = new Map(ALL.map((c) => [c.name, c]));

/** The descriptor of a call by name, or undefined for a name the language does not have. */
export function callSpec(name: string): CallSpec | undefined {
  return TABLE.get(name);
}

/** Every call, in table order (the fuzzer draws its rules in this order). */
export function allCalls(): readonly CallSpec[] {
  return ALL;
}

export type { Args, CallSpec, CallTraits, ResolvedCall, WireCommand } from './spec.js';

import { Args as ArgList, type ArgValue, type ResolvedCall as Resolved } from './spec.js';

/**
 * A resolved call from named values (tools and tests that drive a backend
 * directly): `resolvedCall('kill', { pid: 2, sig: 9 })`. Keys are the
 * parameter names (camelCase accepted: setTid for set_tid); the language's
 * own rules (normalize) apply as they do to a parsed step.
 */
export function resolvedCall(name: string, values: Readonly<Record<string, ArgValue | undefined>> = {}): Resolved {
  const spec = callSpec(name);
  if (spec === undefined) throw new Error(`no call ${name}`);
  const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  for (const k of Object.keys(values)) if (!spec.params.some((p) => p.name === snake(k))) throw new Error(`${name} has no parameter ${k}`);
  const byName = new Map(Object.entries(values).map(([k, v]) => [snake(k), v]));
  const args = new ArgList(spec.params.map((p) => byName.get(p.name)));
  return { name, args: spec.normalize?.(args) ?? args };
}
