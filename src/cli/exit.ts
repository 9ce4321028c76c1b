// The CLI's exit statuses (docs/cli.md), shared by every command.

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
