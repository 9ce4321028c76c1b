import { describe, expect, it } from 'vitest';
import type { HostProc } from '../host/proc.js';
import { chooseColumns, formatTable, processTreeText, rawEscape } from './host.js';

interface Row {
  readonly n: number;
  readonly s: string;
}
const COLS = [
  { name: 'N', help: '', number: true, text: (r: Row) => String(r.n) },
  { name: 'S', help: '', number: false, text: (r: Row) => r.s },
  { name: 'X', help: '', number: false, text: () => 'x' },
];
const rows: Row[] = [
  { n: 1, s: 'a b' },
  { n: 100, s: '' },
];
const plain = { headings: true, raw: false, bold: (s: string): string => s };

describe('host tables (util-linux habits)', () => {
  it('-o: names in any case, +COLS adds to the defaults, an unknown name is refused', () => {
    expect(chooseColumns(COLS, ['N', 'S'], undefined)).toEqual([COLS[0], COLS[1]]);
    expect(chooseColumns(COLS, ['N', 'S'], 'x,n')).toEqual([COLS[2], COLS[0]]);
    expect(chooseColumns(COLS, ['N', 'S'], '+x')).toEqual(COLS);
    expect(chooseColumns(COLS, ['N', 'S'], 'n,bogus')).toEqual({ unknown: 'BOGUS' });
    expect(chooseColumns(COLS, ['N', 'S'], 'n,')).toEqual({ unknown: '(empty)' });
  });

  it('aligned: numbers right, text left, the last column unpadded; --noheadings; --raw escapes blanks', () => {
    expect(formatTable(COLS, rows, plain)).toBe('  N S   X\n  1 a b x\n100     x\n');
    expect(formatTable(COLS, rows, { ...plain, headings: false })).toBe('  1 a b x\n100     x\n');
    expect(formatTable(COLS, rows, { ...plain, raw: true })).toBe('N S X\n1 a\\x20b x\n100 - x\n');
    expect(rawEscape('a\\b\tc')).toBe('a\\x5cb\\x09c');
  });

  it('the process view marks a process in another PID namespace than its parent (pstree -p -S)', () => {
    const p = (pid: number, ppid: number, ns: number, comm: string): HostProc => ({ pid, ppid, pgid: pid, sid: pid, comm, nspid: [pid], ns, state: 'S', uids: [0, 0, 0] });
    const procs = new Map([p(1, 0, 10, 'init'), p(5, 1, 10, 'sh'), p(7, 5, 20, 'inner'), p(8, 7, 20, 'leaf'), p(9, 1, 10, 'last')].map((q) => [q.pid, q]));
    expect(processTreeText(procs)).toBe('init(1)\n├─sh(5)\n│ └─inner(7,pid)\n│   └─leaf(8)\n└─last(9)\n');
  });
});

describe('host snapshot --ns: bad NS is refused, one line, exit 2, nothing written', () => {
  it.each([
    ['bogus', /^error: --ns takes an inode, pid:N or a namespace file's path, got bogus; usage: /],
    ['/etc/hostname', /^error: --ns \/etc\/hostname: not a namespace file \(readlink gave no pid:\[INODE\]\)\n$/],
    ['1', /^error: --ns 1: no such PID namespace with a process in it\n$/],
  ])('--ns %s', async (ns, message) => {
    const { main } = await import('./main.js');
    const { memoryIo } = await import('./test_io.js');
    const m = memoryIo(new Map());
    expect(await main(['host', 'snapshot', '--ns', ns], m.io)).toBe(2);
    expect(m.output().out).toBe('');
    expect(m.output().err).toMatch(message);
  });
});
