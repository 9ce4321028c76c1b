// Terminal constants (include/uapi/asm-generic/ioctls.h, termbits.h, fcntl.h)
// as x86_64 numbers them.

export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TIOCSCTTY = 0x540e;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCNOTTY = 0x5422;
export const TIOCGSID = 0x5429;
/** _IO('T', 0x41): open the slave of this master (Linux 4.13). */
export const TIOCGPTPEER = 0x5441;

/** The ioctls the scenario language writes. */
export const ioctlNames: Readonly<Record<string, number>> = { TIOCSCTTY, TIOCNOTTY, TIOCSPGRP, TIOCGPGRP, TIOCGSID, TIOCGPTPEER, TCSETS };

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_NOCTTY = 0o400;

export const openFlagNames: Readonly<Record<string, number>> = { O_RDONLY, O_WRONLY, O_RDWR, O_NOCTTY };

/** c_lflag's TOSTOP. */
export const TOSTOP = 0o400;
