import { describe, expect, it } from 'vitest';
import { importTraceText } from './importer.js';
import { replayImport } from './replay.js';

const steps = (scenario: string): string[] =>
  scenario
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(8)
    .map((l) => l.replace(/ {2}#.*$/, ''));

// script(1)'s shape: a pty pair, a child that makes it its terminal on 0, 1, 2, a shell that reopens it.
const SCRIPT = `4     execve("/usr/bin/script", ["script"], 0x7ffd /* 1 var */) = 0
4     openat(AT_FDCWD, "/dev/ptmx", O_RDWR) = 3
4     ioctl(3, TIOCGPTN, [0])           = 0
4     ioctl(3, TIOCSPTLCK, [0])         = 0
4     ioctl(3, TIOCGPTPEER, 0x102)      = 4
4     ioctl(1, TIOCGPGRP, 0x7ffc)       = -1 ENOTTY (Inappropriate ioctl for device)
4     clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 5
5     setsid()                          = 5
5     ioctl(4, TIOCSCTTY, 1)            = 0
5     dup2(4, 0)                        = 0
5     dup2(4, 2)                        = 2
5     close(3)                          = 0
5     close(4)                          = 0
5     execve("/bin/sh", ["sh"], 0x7ffd /* 1 var */) = 0
5     ioctl(2, TIOCGPGRP, [5])          = 0
5     openat(AT_FDCWD, "/dev/pts/0", O_RDWR|O_NOCTTY) = 3
5     fcntl(3, F_DUPFD, 10)             = 11
5     close(3)                          = 0
5     ioctl(11, TIOCSPGRP, [5])         = 0
5     ioctl(3, TIOCGPGRP, 0x7ffc)       = -1 EBADF (Bad file descriptor)
5     exit_group(0)                     = ?
4     wait4(5, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5
4     exit_group(0)                     = ?
`;

describe('importing terminal calls', () => {
  it('names the pty ends and writes an ioctl on any fd that refers to one by its name', async () => {
    const r = importTraceText(SCRIPT, 'script.strace');
    expect(steps(r.scenario)).toEqual([
      'script_4: execve() = 0',
      'script_4: posix_openpt(O_RDWR) -> pty3 = fd',
      'script_4: ioctl(pty3, TIOCGPTPEER, O_RDWR|O_NOCTTY) -> pts4 = fd',
      'script_4: ioctl(1, TIOCGPGRP) = -1 ENOTTY',
      'script_4: fork() -> sh_5 = 5',
      'sh_5: setsid() = 5',
      'sh_5: ioctl(pts4, TIOCSCTTY, 1) = 0',
      'sh_5: execve() = 0',
      'sh_5: ioctl(pts4, TIOCGPGRP) = 5',
      'sh_5: ioctl(pts4, TIOCSPGRP, 5) = 0',
      'sh_5: exit_group(0) = ?',
      'script_4: wait4(5, 0) = 5 {exited 0}',
      'script_4: exit_group(0) = ?',
    ]);
    // fd 3 after its close is no pty: the ioctl on it is listed, never guessed.
    expect(r.unexpressed).toEqual([{ why: 'ioctl TIOCGPGRP on fd 3, which the trace did not open as a pty', lines: [20] }]);
    const report = await replayImport('script.strace', r);
    expect(report.stopped).toBeNull();
    expect(report.mismatches).toEqual([]);
  });

  it('a terminal on fd 0-2 that the trace did not open is unexpressed, with the reason', () => {
    const t = SCRIPT.replace('ioctl(1, TIOCGPGRP, 0x7ffc)       = -1 ENOTTY (Inappropriate ioctl for device)', 'ioctl(1, TIOCGPGRP, [9])       = 0');
    expect(importTraceText(t).unexpressed[0]).toEqual({
      why: "ioctl TIOCGPGRP on fd 1, a terminal opened outside the trace (the recorder's pty, whose session is not in the traced namespace): the scenario has no such start state",
      lines: [6],
    });
  });
});
