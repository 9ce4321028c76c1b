// The CLI's exit statuses (docs/cli.md), shared by every command.

import type { ParseOutcome } from './args.js';

export { isParseOutcome, type ParseOutcome } from './args.js';

export enum Exit {
  Ok = 0,
  /** An expectation failed (run, check) or two transcripts differ (diff, fuzz). */
  Mismatch = 1,
  /** Usage, an unreadable file, a scenario error, a backend that cannot start. */
  BadInput = 2,
  /** A backend or the runner crashed. */
  Internal = 3,
  /** Interrupted: 128 + SIGINT, 128 + SIGTERM, as shells report them. */
  Interrupted = 130,
  Terminated = 143,
}

/** Answers `--help` (exit 0) or a usage error (one line on stderr, exit 2). */
export function answerParse(parsed: ParseOutcome, io: { out(text: string): void; err(text: string): void }): Exit {
  if ('help' in parsed) {
    io.out(parsed.help);
    return Exit.Ok;
  }
  io.err(`error: ${parsed.usageError}\n`);
  return Exit.BadInput;
}
