// `pidns viz`: serves the built visualizer (web/dist) on the loopback
// interface, or writes a static copy of it. The app runs the engine in the
// browser; the server only hands out the app's own files.

import { createReadStream } from 'node:fs';
import { cp, readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { integerValue, isParseOutcome, parseCommand, usageError, type CommandSpec } from './args.js';
import { answerParse, Exit } from './exit.js';
import { readFailure, writeFailure, type Io } from './io.js';

export const VIZ_SPEC = {
  name: 'viz',
  usage: 'pidns viz [--port N] [FILE] | pidns viz --out DIR',
  help: `Usage: pidns viz [--port N] [FILE]
       pidns viz --out DIR

Serves the visualizer on http://127.0.0.1 (a free port unless --port) and
prints its URL; FILE (- for standard input), when given, is put in the URL:
a scenario, a snapshot, or an strace log (imported as \`pidns import\` does).
Ctrl-C stops it.

  --port N     listen on port N (0 to 65535; 0: a free one)
  --out DIR    write a static copy of the app into DIR (new, or empty) and exit

Exit status: 0 ok, 2 bad input, 130 stopped by Ctrl-C.
`,
  options: { port: { type: 'string' }, out: { type: 'string' } },
  positionals: { min: 0, max: 1, name: 'FILE' },
} as const satisfies CommandSpec;

/** Where the built app lives: web/dist beside dist/ (this file runs as dist/cli/viz.js). */
export const APP_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file under `root` that a request path names, or null when it names
 * nothing there: `..` segments (raw or percent-encoded) and NULs are refused
 * before the path is joined, and the result must still lie under root.
 */
export function resolveInRoot(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split(/[?#]/)[0] ?? '');
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.split(/[/\\]/).includes('..')) return null;
  const full = resolve(root, normalize(`.${path.endsWith('/') ? `${path}index.html` : path}`));
  const base = resolve(root);
  return full === base || full.startsWith(base + sep) ? full : null;
}

export interface VizServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1:`port` (0: a free port). GET and HEAD only. */
export async function serveApp(root: string, port: number): Promise<VizServer> {
  const server: Server = createServer((req, res) => {
    const send = (code: number, text: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'method not allowed');
      return;
    }
    const file = resolveInRoot(root, req.url ?? '/');
    if (file === null) {
      send(404, 'not found');
      return;
    }
    stat(file).then(
      (st) => {
        if (!st.isFile()) {
          send(404, 'not found');
          return;
        }
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': st.size,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      },
      () => {
        send(404, 'not found');
      },
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => {
          ok();
        });
      }),
  };
}

/** base64url of UTF-8 text (the app's share format: #s=...&name=...). */
function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * Why `dir` cannot take a copy of the app, or null if it can: it must be
 * new (its parent an existing directory) or an empty directory, so that
 * nothing of the user's is overwritten or mixed in.
 */
async function outProblem(dir: string): Promise<string | null> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return 'exists and is not a directory';
    return (await readdir(dir)).length > 0 ? 'is a directory that is not empty' : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return readFailure(e);
  }
  try {
    return (await stat(dirname(resolve(dir)))).isDirectory() ? null : `${dirname(dir)} is not a directory`;
  } catch (e) {
    return `${dirname(dir)}: ${readFailure(e)}`;
  }
}

export async function vizCommand(args: readonly string[], io: Io, appDir: string = APP_DIR): Promise<Exit> {
  const parsed = parseCommand(VIZ_SPEC, args);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const port = integerValue(VIZ_SPEC, 'port', parsed.values.port ?? '0', 0, 65535);
  if (typeof port !== 'number') return answerParse(port, io);
  const out = parsed.values.out ?? null;
  const files = parsed.positionals;
  if (out !== null && files.length > 0) return answerParse(usageError(VIZ_SPEC, '--out writes the app only; open a FILE in it with its file picker'), io);
  if (out !== null) {
    const problem = await outProblem(out);
    if (problem !== null) {
      io.err(`error: --out ${out}: ${problem}\n`);
      return Exit.BadInput;
    }
  }
  try {
    await stat(join(appDir, 'index.html'));
  } catch {
    io.err(`error: the visualizer is not built: no ${join(appDir, 'index.html')} (npm run build:web)\n`);
    return Exit.BadInput;
  }
  if (out !== null) {
    try {
      await cp(appDir, out, { recursive: true });
    } catch (e) {
      io.err(`error: --out ${out}: ${writeFailure(e)}\n`);
      return Exit.BadInput;
    }
    io.out(`wrote the visualizer to ${out} (serve that folder over HTTP and open index.html)\n`);
    return Exit.Ok;
  }
  let hash = '';
  const file = files[0];
  if (file !== undefined) {
    try {
      const text = await io.readFile(file);
      hash = `#s=${base64url(text)}&name=${encodeURIComponent(file.replace(/^.*[/\\]/, ''))}`;
    } catch (e) {
      io.err(`error: ${file}: ${readFailure(e)}\n`);
      return Exit.BadInput;
    }
  }
  let server: VizServer;
  try {
    server = await serveApp(appDir, port);
  } catch (e) {
    io.err(`error: cannot listen on 127.0.0.1:${port}: ${e instanceof Error ? e.message : String(e)}\n`);
    return Exit.BadInput;
  }
  io.out(`pidns viz: serving on ${server.url}${hash}\n(Ctrl-C stops it)\n`);
  // Serves until SIGINT/SIGTERM; onInterrupt closes the server and ends the process (130, 143).
  return new Promise<Exit>((done) => {
    const off = io.onInterrupt?.(async () => {
      await server.close();
      done(Exit.Ok);
    });
    if (off === undefined) {
      // No signals to wait for (a test's Io): serve nothing further.
      void server.close().then(() => {
        done(Exit.Ok);
      });
    }
  });
}
