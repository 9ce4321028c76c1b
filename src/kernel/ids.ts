// Branded id types (STYLE.md, habit 4). A number alone says nothing about the
// namespace it was read in; these brands keep a pgid from standing in for a
// tid. Every accessor that returns one names the namespace it is seen from,
// and 0 always means "not visible there" (as pid_nr_ns returns 0).

export type Level = number & { readonly __brand: 'Level' };
export type Tid = number & { readonly __brand: 'Tid' };
export type Tgid = number & { readonly __brand: 'Tgid' };
export type Pgid = number & { readonly __brand: 'Pgid' };
export type Sid = number & { readonly __brand: 'Sid' };

export const asLevel = (n: number): Level => n as Level;
export const asTid = (n: number): Tid => n as Tid;
export const asTgid = (n: number): Tgid => n as Tgid;
export const asPgid = (n: number): Pgid => n as Pgid;
export const asSid = (n: number): Sid => n as Sid;
