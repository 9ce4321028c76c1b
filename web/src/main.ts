// The page: holds the session and the position, computes the pictures of the
// position and of the one before it (what the step changed), and hands them
// to the drawing modules; wires the controls, play, the keyboard, files and
// the URL.

import type { Kernel } from '../../src/index.js';
import { toJSON } from '../../src/snapshot/index.js';
import { diff } from './changes.js';
import { byId, h } from './dom.js';
import { drawArrows, drawNamespaces } from './draw_ns.js';
import { drawStructPid } from './draw_pid.js';
import { drawStepPanel, drawTranscript } from './draw_steps.js';
import { drawProc, drawTasks, drawTree } from './draw_tables.js';
import { nsByName, picture, shownNamespaces, type Picture } from './picture.js';
import { describe, structPid } from './pidview.js';
import { Session, errorText } from './session.js';
import { decodeShare, encodeShare } from './share.js';
import { buildView, type TaskView, type View } from './view.js';

const examples: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../../examples/*.pidns', { query: '?raw', import: 'default', eager: true })).map(([path, text]) => [
    path.replace(/^.*\//, ''),
    text,
  ]),
);

const ui = {
  example: byId('example', HTMLSelectElement),
  file: byId('file', HTMLInputElement),
  share: byId('share', HTMLButtonElement),
  message: byId('message'),
  first: byId('first', HTMLButtonElement),
  back: byId('back', HTMLButtonElement),
  play: byId('play', HTMLButtonElement),
  forward: byId('forward', HTMLButtonElement),
  last: byId('last', HTMLButtonElement),
  jump: byId('jump', HTMLInputElement),
  position: byId('position'),
  viewns: byId('viewns', HTMLSelectElement),
  transcript: byId('transcript'),
  console: byId('console', HTMLFormElement),
  consoleInput: byId('console-input', HTMLInputElement),
  consoleError: byId('console-error'),
  step: byId('step'),
  namespaces: byId('namespaces'),
  pidOf: byId('pid-of', HTMLSelectElement),
  pid: byId('pid'),
  tasks: byId('tasks'),
  tasksFrom: byId('tasks-from'),
  tree: byId('tree'),
  ps: byId('ps'),
  procFrom: byId('proc-from'),
  statusOf: byId('status-of', HTMLSelectElement),
  status: byId('status'),
};

interface State {
  session: Session;
  name: string;
  /** How many steps have run. */
  pos: number;
  viewNs: string;
  statusOf: number | null;
  /** The task whose struct pid is drawn (null: pick one). */
  selected: number | null;
  /** Whether the reader picked it (else it follows each step: a task the step touched). */
  picked: boolean;
}

let state: State | null = null;
/** Renders are async (each re-runs the prefix); only the latest one draws. */
let generation = 0;
let lastTasks: readonly TaskView[] = [];
let timer: ReturnType<typeof setInterval> | null = null;
const PLAY_MS = 1100;

/** Runs are shared and never changed after they are made, so their pictures can be kept. */
const pictures = new WeakMap<Kernel, Picture>();
function pictureOf(k: Kernel): Picture {
  let p = pictures.get(k);
  if (p === undefined) {
    p = picture(toJSON(k));
    pictures.set(k, p);
  }
  return p;
}

function say(text: string): void {
  ui.message.textContent = text;
}

async function load(text: string, name: string, pos?: number): Promise<void> {
  stop();
  try {
    const session = await Session.load(text, name);
    state = { session, name, pos: Math.min(pos ?? session.runnable, session.runnable), viewNs: '', statusOf: null, selected: null, picked: false };
    ui.consoleError.textContent = '';
    ui.consoleInput.disabled = session.kind === 'snapshot';
    if (session.kind === 'snapshot') {
      const pic = pictureOf((await session.runTo(0)).kernel);
      say(`${name}: a snapshot, ${pic.tasks.size} tasks in ${shownNamespaces(pic).length} PID namespaces`);
    } else {
      const imported = session.kind === 'trace' ? `an strace log imported as ${session.steps.length} steps` : null;
      const stops = session.runnable < session.steps.length ? `stops at step ${session.runnable + 1} (a scenario error)` : null;
      say(`${name}: ${[imported, stops].filter((t) => t !== null).join(', ') || `${session.steps.length} steps`}`);
    }
    await render();
  } catch (e) {
    say(`could not load ${name}: ${errorText(e)}`);
  }
}

async function go(pos: number): Promise<void> {
  if (state === null) return;
  state.pos = Math.max(0, Math.min(pos, state.session.runnable));
  await render();
}

function updateUrl(s: State): void {
  const hash = s.name in examples && examples[s.name] === s.session.source ? `example=${encodeURIComponent(s.name)}&n=${s.pos}` : `${encodeShare(s.session.source, s.name)}&n=${s.pos}`;
  history.replaceState(null, '', `#${hash}`);
}

/** The task to draw when none is chosen: one this step touched, else the one with the deepest Pid. */
function defaultTask(view: View, pic: Picture): number | null {
  const touched = view.tasks.find((t) => t.changes.length > 0);
  if (touched !== undefined) return touched.seq;
  let best: TaskView | undefined;
  let depth = -1;
  for (const t of view.tasks) {
    const task = pic.tasks.get(t.seq);
    const level = task === undefined ? -1 : (pic.pids.get(task.pid)?.level ?? -1);
    if (level > depth || (level === depth && best !== undefined && t.seq > best.seq)) {
      best = t;
      depth = level;
    }
  }
  return best?.seq ?? null;
}

async function render(): Promise<void> {
  if (state === null) return;
  const s = state;
  const mine = ++generation;
  const run = await s.session.runTo(s.pos);
  const prev = s.pos > 0 ? await s.session.runTo(s.pos - 1) : null;
  if (mine !== generation) return;
  const pic = pictureOf(run.kernel);
  const before = prev === null ? null : pictureOf(prev.kernel);
  const changes = diff(before, pic, s.session.fates);
  const view = buildView(run.kernel, pic, before, changes, s.viewNs, s.statusOf);
  s.viewNs = view.viewNs;
  s.statusOf = view.statusOf;
  if (!s.picked || s.selected === null || !view.tasks.some((t) => t.seq === s.selected)) s.selected = defaultTask(view, pic);
  const chosen = nsByName(pic, view.viewNs)!;
  const sentences = changes.list.map((c) => ({ kind: c.kind, text: describe(c, pic, before, chosen) }));
  draw(s, view, pic, before, sentences, changes.going.some((t) => t.seq === s.selected));
  updateUrl(s);
}

function draw(s: State, view: View, pic: Picture, before: Picture | null, sentences: readonly { kind: string; text: string }[], selectedGoing: boolean): void {
  const total = s.session.runnable;
  ui.position.textContent = `${s.pos} / ${total}`;
  ui.jump.max = String(total);
  ui.jump.value = String(s.pos);
  ui.first.disabled = ui.back.disabled = s.pos === 0;
  ui.forward.disabled = ui.last.disabled = s.pos >= total;
  ui.play.disabled = total === 0;

  drawTranscript(ui.transcript, s.session, s.pos, (n) => void go(n));
  drawStepPanel(ui.step, s.session, s.pos, sentences);

  ui.viewns.replaceChildren(...view.nsNames.map((n) => h('option', n === view.viewNs ? { value: n, selected: '' } : { value: n }, n)));
  ui.tasksFrom.textContent = `numbers seen from ${view.viewNs}`;
  ui.procFrom.textContent = `as mounted in ${view.viewNs}`;

  const pick = (seq: number): void => {
    s.selected = seq;
    s.picked = true;
    void render();
  };
  lastTasks = view.tasks;
  drawNamespaces(ui.namespaces, view.namespaces, view.tasks, view.viewNs, s.selected, pick);

  ui.pidOf.replaceChildren(...view.tasks.map((t) => h('option', t.seq === s.selected ? { value: String(t.seq), selected: '' } : { value: String(t.seq) }, `${t.label}${t.going ? ' (going)' : ''}`)));
  const chosen = nsByName(pic, view.viewNs)!;
  const from = selectedGoing && before !== null ? before : pic;
  const task = s.selected === null ? undefined : from.tasks.get(s.selected);
  drawStructPid(ui.pid, task === undefined ? null : structPid(from, task, nsByName(from, chosen.name) ?? chosen), view.viewNs, selectedGoing, seeFrom);

  drawTasks(ui.tasks, view, s.selected, pick);
  drawTree(ui.tree, view);
  drawProc(ui.ps, ui.statusOf, ui.status, view);
}

function seeFrom(ns: string): void {
  if (state === null) return;
  state.viewNs = ns;
  state.statusOf = null;
  void render();
}

// ------------------------------------------------------------------ controls

function stop(): void {
  if (timer !== null) clearInterval(timer);
  timer = null;
  ui.play.textContent = '▶ Play';
  ui.play.setAttribute('aria-pressed', 'false');
}

function togglePlay(): void {
  if (timer !== null || state === null) {
    stop();
    return;
  }
  const s = state;
  if (s.pos >= s.session.runnable) s.pos = 0;
  ui.play.textContent = '❚❚ Pause';
  ui.play.setAttribute('aria-pressed', 'true');
  void render();
  timer = setInterval(() => {
    if (state !== s || s.pos >= s.session.runnable) {
      stop();
      return;
    }
    void go(s.pos + 1);
  }, PLAY_MS);
}

ui.first.addEventListener('click', () => void go(0));
ui.back.addEventListener('click', () => void go((state?.pos ?? 0) - 1));
ui.forward.addEventListener('click', () => void go((state?.pos ?? 0) + 1));
ui.last.addEventListener('click', () => void go(state?.session.runnable ?? 0));
ui.play.addEventListener('click', togglePlay);
ui.jump.addEventListener('change', () => void go(Number(ui.jump.value)));
ui.viewns.addEventListener('change', () => {
  seeFrom(ui.viewns.value);
});
ui.pidOf.addEventListener('change', () => {
  if (state === null) return;
  state.selected = Number(ui.pidOf.value);
  state.picked = true;
  void render();
});
ui.statusOf.addEventListener('change', () => {
  if (state === null) return;
  state.statusOf = Number(ui.statusOf.value);
  void render();
});
new ResizeObserver(() => {
  drawArrows(ui.namespaces, lastTasks);
}).observe(ui.namespaces);

ui.console.addEventListener('submit', (e) => {
  e.preventDefault();
  const s = state;
  if (s === null) return;
  stop();
  const text = ui.consoleInput.value;
  void s.session.append(text, s.pos).then(async (r) => {
    if ('error' in r) {
      ui.consoleError.textContent = r.error;
      return;
    }
    ui.consoleError.textContent = '';
    ui.consoleInput.value = '';
    s.session = r.session;
    s.pos = r.session.runnable;
    await render();
  });
});

for (const name of Object.keys(examples).sort()) ui.example.append(h('option', { value: name }, name));
ui.example.addEventListener('change', () => void load(examples[ui.example.value] ?? '', ui.example.value));

async function loadFile(file: File): Promise<void> {
  await load(await file.text(), file.name);
}
ui.file.addEventListener('change', () => {
  const f = ui.file.files?.[0];
  if (f !== undefined) void loadFile(f);
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  const f = e.dataTransfer?.files[0];
  if (f !== undefined) void loadFile(f);
});

ui.share.addEventListener('click', () => {
  if (state === null) return;
  updateUrl(state);
  navigator.clipboard.writeText(location.href).then(
    () => {
      say('link copied');
    },
    () => {
      say('the link is in the address bar');
    },
  );
});

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement | null;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (target !== null && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) {
    if (e.key === 'Escape') target.blur();
    return;
  }
  const pos = state?.pos ?? 0;
  const moves: Record<string, () => number> = {
    ArrowRight: () => pos + 1,
    j: () => pos + 1,
    ArrowLeft: () => pos - 1,
    k: () => pos - 1,
    Home: () => 0,
    End: () => state?.session.runnable ?? 0,
  };
  const move = moves[e.key];
  if (move !== undefined) {
    e.preventDefault();
    stop();
    void go(move());
  } else if (e.key === 'p') {
    e.preventDefault();
    togglePlay();
  } else if (e.key === '/') {
    e.preventDefault();
    ui.consoleInput.focus();
  } else if (e.key === 'g') {
    e.preventDefault();
    ui.jump.focus();
  }
});

// ------------------------------------------------------------------- start

function start(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const n = params.get('n');
  const pos = n === null ? undefined : Number(n);
  const shared = decodeShare(params);
  if (shared !== null) {
    void load(shared.text, shared.name, pos);
    return;
  }
  const wanted = params.get('example');
  const name = wanted !== null && wanted in examples ? wanted : 'multi_pidns.pidns' in examples ? 'multi_pidns.pidns' : Object.keys(examples)[0];
  if (name === undefined) return;
  ui.example.value = name;
  void load(examples[name]!, name, pos);
}

start();
