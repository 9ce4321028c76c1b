// The one argument parser every command uses: Node's util.parseArgs, in its
// token mode, with the checks done here so that every refusal is one line
// naming the argument and the command's usage, and every command answers
// --help before it does anything. GNU conventions: `--name VALUE`,
// `--name=VALUE`, `-o VALUE`, `-oVALUE`, `--` ends the options, `-` is an
// argument (standard input where a file is read).

import { parseArgs } from 'node:util';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A command's grammar and text. `name` is how it is typed after `pidns` (`run`, `host ps`). */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  readonly name: string;
  /** The synopsis, one line: `pidns run [--json] [--backend NAME] FILE`. */
  readonly usage: string;
  /** The whole --help text (it begins with the usage). */
  readonly help: string;
  readonly options: O;
  /** How many positional arguments, and what one is called in messages. */
  readonly positionals: { readonly min: number; readonly max: number; readonly name: string };
}

/** The parsed values: a string option's last value, a boolean option's presence. */
export type Values<O extends OptionSpecs> = { readonly [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean };

export interface ParsedArgs<O extends OptionSpecs> {
  readonly values: Values<O>;
  readonly positionals: readonly string[];
}

/** What a parser returns besides its options: the help to print (exit 0), or a refusal (exit 2). */
export type ParseOutcome = { readonly help: string } | { readonly usageError: string };

/** Whether a parser returned `--help` or a usage error rather than options. */
export function isParseOutcome(parsed: object): parsed is ParseOutcome {
  return 'help' in parsed || 'usageError' in parsed;
}

/** A refusal: the reason, then the usage line, on one line. */
export function usageError(spec: { readonly usage: string; readonly name: string }, reason: string): { readonly usageError: string } {
  return { usageError: `${reason}; usage: ${spec.usage} (pidns ${spec.name === '' ? '' : `${spec.name} `}--help)` };
}

/** How an option is written in messages: `--output` or `-o, --output`. */
function shown(name: string, spec: OptionSpec | undefined): string {
  return spec?.short === undefined ? `--${name}` : `-${spec.short}/--${name}`;
}

/** Arguments longer than this are cut in messages, so that a refusal stays one readable line. */
const SHOWN_MAX = 60;

/** Text with its control characters (newlines too) written as \xHH: what a one-line message may quote. */
export function escapeControls(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** An argument as a message quotes it: control characters escaped, long ones cut. */
export function quoteArg(arg: string): string {
  const clean = escapeControls(arg);
  return clean.length > SHOWN_MAX ? `${clean.slice(0, SHOWN_MAX)}...` : clean;
}

/**
 * Parses `argv` (what follows the command's name) against `spec`. `--help`
 * or `-h` anywhere before `--` gives the help, whatever else is wrong.
 */
export function parseCommand<O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): ParsedArgs<O> | ParseOutcome {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short };
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { help: spec.help };
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue;
    const o = spec.options[t.name];
    if (o === undefined) return usageError(spec, `unknown option ${quoteArg(t.rawName)}`);
    if (o.type === 'boolean') {
      if (t.value !== undefined) return usageError(spec, `option ${shown(t.name, o)} takes no value, got ${quoteArg(t.rawName)}=${quoteArg(t.value)}`);
      values[t.name] = true;
      continue;
    }
    // A string option: strict:false takes the next argument whatever it is;
    // one that looks like an option was most likely meant as one (`-o --json`).
    if (t.value === undefined || t.value === '') return usageError(spec, `option ${shown(t.name, o)} needs a value`);
    if (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')) {
      return usageError(spec, `option ${shown(t.name, o)} needs a value, got the option ${quoteArg(t.value)} (write --${t.name}=${quoteArg(t.value)} if it is one)`);
    }
    values[t.name] = t.value;
  }
  const { min, max, name } = spec.positionals;
  if (positionals.length > max) {
    const extra = positionals[max]!;
    return usageError(spec, max === 0 ? `unexpected argument ${quoteArg(extra)}` : `too many arguments: ${quoteArg(extra)} (at most ${max} ${name})`);
  }
  if (positionals.length < min) return usageError(spec, min === 1 && max === 1 ? `needs one ${name}` : `needs at least ${min} ${name}`);
  return { values: values as Values<O>, positionals };
}

/** A non-negative decimal integer option, within [min, max]; a refusal names the option and the value. */
export function integerValue(spec: CommandSpec, option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number | { readonly usageError: string } {
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return usageError(spec, `--${option} needs an integer from ${min} to ${max}, got ${quoteArg(value)}`);
  }
  return n;
}
