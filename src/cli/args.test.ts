import { describe, expect, it } from 'vitest';
import { integerValue, parseCommand, quoteArg, type CommandSpec } from './args.js';
import { colorEnabled, colorsFor, diffLine } from './color.js';
import { clip, formatDuration, Progress, progressText } from './progress.js';
import { memoryIo } from './test_io.js';

const SPEC = {
  name: 'demo',
  usage: 'pidns demo [-o FILE] [--json] ARG',
  help: 'Usage: pidns demo\n',
  options: { output: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 2, name: 'ARG' },
} as const satisfies CommandSpec;

const refusal = (reason: string): { usageError: string } => ({ usageError: `${reason}; usage: ${SPEC.usage} (pidns demo --help)` });

describe('parseCommand', () => {
  it.each([
    [['a'], { values: {}, positionals: ['a'] }],
    [['a', '--json', '-o', 'f'], { values: { json: true, output: 'f' }, positionals: ['a'] }],
    [['-of', 'a'], { values: { output: 'f' }, positionals: ['a'] }],
    [['--output=-', 'a'], { values: { output: '-' }, positionals: ['a'] }],
    [['-o', '-', 'a'], { values: { output: '-' }, positionals: ['a'] }],
    [['--', '--json', '-'], { values: {}, positionals: ['--json', '-'] }],
  ])('%j', (argv, parsed) => {
    expect(parseCommand(SPEC, argv)).toEqual(parsed);
  });

  it.each([
    [['a', '--frob'], 'unknown option --frob'],
    [['a', '-x'], 'unknown option -x'],
    [['a', '--json=1'], 'option --json takes no value, got --json=1'],
    [['a', '-o'], 'option -o/--output needs a value'],
    [['a', '--output='], 'option -o/--output needs a value'],
    [['-o', '--json', 'a'], 'option -o/--output needs a value, got the option --json (write --output=--json if it is one)'],
    [[], 'needs at least 1 ARG'],
    [['a', 'b', 'c'], 'too many arguments: c (at most 2 ARG)'],
    [['a', `--${'y'.repeat(100)}`], `unknown option --${'y'.repeat(58)}...`],
    [['a', '--\n'], 'unknown option --\\x0a'],
  ])('%j is refused: one line, the usage', (argv, reason) => {
    expect(parseCommand(SPEC, argv)).toEqual(refusal(reason));
  });

  it('--help or -h anywhere before -- wins', () => {
    expect(parseCommand(SPEC, ['--frob', '-h'])).toEqual({ help: SPEC.help });
    expect(parseCommand(SPEC, ['--', '--help'])).toEqual({ values: {}, positionals: ['--help'] });
  });

  it('integerValue: decimal digits in range only', () => {
    expect(integerValue(SPEC, 'n', '42', 1)).toBe(42);
    for (const bad of ['', '-1', '0x1', '1e3', '1.0', ' 1', '9007199254740992']) expect(integerValue(SPEC, 'n', bad, 0)).toHaveProperty('usageError');
    expect(quoteArg('a\tb')).toBe('a\\x09b');
  });
});

describe('colour', () => {
  it('on for a terminal; NO_COLOR turns it off; FORCE_COLOR on, over NO_COLOR', () => {
    expect(colorEnabled({ stdoutIsTTY: true })).toBe(true);
    expect(colorEnabled({ stdoutIsTTY: false })).toBe(false);
    expect(colorEnabled({ stdoutIsTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ stdoutIsTTY: true, env: { NO_COLOR: '' } })).toBe(true);
    expect(colorEnabled({ stdoutIsTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colorEnabled({ stdoutIsTTY: true, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(colorEnabled({ stdoutIsTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(true);
  });

  it('diff lines: red, green, cyan hunk headers; plain when off', () => {
    const on = colorsFor({ env: { FORCE_COLOR: '1' } });
    expect(diffLine(on, '-a')).toBe('\x1b[31m-a\x1b[39m');
    expect(diffLine(on, '+a')).toBe('\x1b[32m+a\x1b[39m');
    expect(diffLine(on, '@@ -1 +1 @@')).toBe('\x1b[36m@@ -1 +1 @@\x1b[39m');
    expect(diffLine(colorsFor({}), '-a')).toBe('-a');
  });
});

describe('progress', () => {
  it('count, rate and estimate, clipped to the width', () => {
    expect(progressText(0, 10, null, 'f')).toBe('[0/10] f');
    expect(progressText(5, 10, 2000, 'f')).toBe('[5/10] 2.5/s ETA 2s f');
    expect(progressText(30, 130, 1000, 'f')).toBe('[30/130] 30/s ETA 3s f');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(7260)).toBe('2h01m');
    expect(clip('abcdef', 4)).toBe('abc…');
  });

  it('drawn on standard error only when it is a terminal, erased before other output', () => {
    let t = 0;
    const tty = memoryIo(new Map(), { extra: { stderrIsTTY: true, columns: 22, now: () => (t += 1000) } });
    const p = new Progress(tty.io);
    p.show(1, 4, 'a-very-long-file-name.pidns');
    p.clear();
    expect(tty.output()).toEqual({ out: '', err: '\r\x1b[K[1/4] 1.0/s ETA 3s a…\r\x1b[K' });
    const pipe = memoryIo(new Map(), { extra: { stderrIsTTY: false } });
    new Progress(pipe.io).show(1, 4, 'x');
    expect(pipe.output()).toEqual({ out: '', err: '' });
  });
});
