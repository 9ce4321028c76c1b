#!/usr/bin/env node
// The command-line entry: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { main } from '../dist/cli/main.js';

// A reader that stops early (`pidns run FILE | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // A bug, not bad input: one line and exit 3 (docs/cli.md), not a stack trace; PIDNS_DEBUG=1 shows it.
  process.stderr.write(`error: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  if (process.env.PIDNS_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 3;
}
