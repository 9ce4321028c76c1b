// The page: holds the session and the position, renders the view of the
// position, and wires the controls, the keyboard, file loading and the URL.

import { snapshot, type Snapshot } from '../../src/index.js';
import { Session, errorText } from './session.js';
import { buildView, type NsNode, type TreeNode, type View } from './view.js';
import { decodeShare, encodeShare } from './share.js';

const examples: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../../examples/*.pidns', { query: '?raw', import: 'default', eager: true })).map(([path, text]) => [
    path.replace(/^.*\//, ''),
    text,
  ]),
);

function byId<T extends HTMLElement = HTMLElement>(id: string, kind?: new () => T): T {
  const el = document.getElementById(id);
  if (el === null || (kind !== undefined && !(el instanceof kind))) throw new Error(`no #${id} of the expected kind`);
  return el as T;
}

/** A DOM element with attributes and children (text or elements). */
function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

const ui = {
  example: byId('example', HTMLSelectElement),
  file: byId('file', HTMLInputElement),
  share: byId('share', HTMLButtonElement),
  message: byId('message'),
  first: byId('first', HTMLButtonElement),
  back: byId('back', HTMLButtonElement),
  forward: byId('forward', HTMLButtonElement),
  last: byId('last', HTMLButtonElement),
  jump: byId('jump', HTMLInputElement),
  position: byId('position'),
  viewns: byId('viewns', HTMLSelectElement),
  transcript: byId('transcript'),
  console: byId('console', HTMLFormElement),
  consoleInput: byId('console-input', HTMLInputElement),
  consoleError: byId('console-error'),
  namespaces: byId('namespaces'),
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
}

let state: State | null = null;
/** Renders are async (each re-runs the prefix); only the latest one draws. */
let generation = 0;

function say(text: string): void {
  ui.message.textContent = text;
}

async function load(text: string, name: string, pos?: number): Promise<void> {
  try {
    const session = await Session.load(text, name);
    state = { session, name, pos: Math.min(pos ?? session.runnable, session.runnable), viewNs: 'ns0', statusOf: null };
    ui.consoleError.textContent = '';
    say(session.runnable < session.steps.length ? `${name}: stops at step ${session.runnable + 1} (a scenario error)` : `${name}: ${session.steps.length} steps`);
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

async function render(): Promise<void> {
  if (state === null) return;
  const s = state;
  const mine = ++generation;
  const run = await s.session.runTo(s.pos);
  const previous: Snapshot | null = s.pos > 0 ? snapshot((await s.session.runTo(s.pos - 1)).backend.kernel) : null;
  if (mine !== generation) return;
  const view = buildView(run.backend.kernel, previous, s.viewNs, s.statusOf);
  s.viewNs = view.viewNs;
  s.statusOf = view.statusOf;
  draw(s, view);
  updateUrl(s);
}

function draw(s: State, view: View): void {
  const total = s.session.runnable;
  ui.position.textContent = `${s.pos} / ${total}`;
  ui.jump.max = String(total);
  ui.jump.value = String(s.pos);
  ui.first.disabled = ui.back.disabled = s.pos === 0;
  ui.forward.disabled = ui.last.disabled = s.pos >= total;

  ui.transcript.replaceChildren(
    ...s.session.steps.map((_, i) => {
      const rec = s.session.records[i]!;
      const cls = i + 1 === s.pos ? 'current' : i < s.pos ? 'done' : 'future';
      const body = rec.error !== null ? [h('span', { class: 'error' }, `error: ${rec.error}`)] : rec.lines.map((l) => h('span', {}, l));
      const marks = rec.mismatches.map((m) => h('span', { class: 'mismatch' }, `expected: ${m.expected.join(' / ')}`));
      const item = h('li', { class: `${cls}${rec.error !== null ? ' failed' : ''}`, 'data-step': String(i + 1) });
      const button = h('button', { type: 'button', title: `Go to step ${i + 1}` }, h('code', {}, ...(body.length > 0 ? body : [h('span', {}, '(not run)')]), ...marks));
      button.addEventListener('click', () => void go(i + 1));
      if (rec.error !== null) (button as HTMLButtonElement).disabled = true;
      item.append(button);
      return item;
    }),
  );
  ui.transcript.querySelector('li.current')?.scrollIntoView({ block: 'nearest' });

  ui.viewns.replaceChildren(...view.nsNames.map((n) => h('option', n === view.viewNs ? { value: n, selected: '' } : { value: n }, n)));
  ui.tasksFrom.textContent = `numbers seen from ${view.viewNs}`;
  ui.procFrom.textContent = `as mounted in ${view.viewNs}`;

  ui.namespaces.replaceChildren(nsList(view.namespaces));

  ui.tasks.replaceChildren(
    h('thead', {}, h('tr', {}, ...['task', `pid from ${view.viewNs}`, 'numbers (every level)', 'thread group', 'pgrp', 'session', 'parent', 'state'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...view.tasks.map((t) =>
        h(
          'tr',
          { 'data-comm': t.comm, 'data-seq': String(t.seq), class: t.state },
          h('th', { scope: 'row' }, `${t.comm}#${t.seq}`),
          h('td', { class: 'numbers' }, t.numbers.length === 0 ? '—' : t.numbers.join(' ')),
          h('td', { class: 'all' }, t.allNumbers.join(' ')),
          h('td', {}, t.isLeader ? 'leader' : `of ${t.leader}`),
          h('td', {}, String(t.pgrp)),
          h('td', {}, String(t.session)),
          h('td', {}, t.parent ?? '—', ...(t.reparentedFrom === null ? [] : [h('span', { class: 'reparented' }, ` (reparented from ${t.reparentedFrom})`)])),
          h('td', { class: 'state' }, t.state),
        ),
      ),
    ),
  );

  ui.tree.replaceChildren(treeList(view.tree));

  ui.ps.replaceChildren(
    h('thead', {}, h('tr', {}, ...['PID', 'PPID', 'PGID', 'SID', 'S', 'NAME'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...view.ps.map((line) => h('tr', {}, ...line.split(' ').map((c) => h('td', {}, c))))),
  );
  ui.statusOf.replaceChildren(...view.statusChoices.map(([seq, text]) => h('option', seq === view.statusOf ? { value: String(seq), selected: '' } : { value: String(seq) }, text)));
  ui.status.textContent = view.status?.join('\n') ?? '(nothing visible)';
}

function nsList(nodes: readonly NsNode[]): HTMLElement {
  return h(
    'ul',
    {},
    ...nodes.map((n) =>
      h(
        'li',
        { 'data-ns': n.name, class: n.adding ? 'ns' : 'ns gone' },
        h(
          'div',
          { class: 'ns-card' },
          h('strong', {}, n.name),
          ` level ${n.level} · init ${n.init ?? 'none'} · pid_max ${n.pidMax} · cursor ${n.cursor} · ${n.count} number${n.count === 1 ? '' : 's'}${n.adding ? '' : ' · no longer accepts tasks'}`,
        ),
        ...(n.children.length > 0 ? [nsList(n.children)] : []),
      ),
    ),
  );
}

function treeList(nodes: readonly TreeNode[]): HTMLElement {
  return h(
    'ul',
    {},
    ...nodes.map((n) =>
      h(
        'li',
        { 'data-seq': String(n.seq), class: `${n.state}${n.reparented ? ' reparented' : ''}` },
        h('span', {}, n.label, ` ${n.state}`, n.reparented ? ' ↰ reparented' : ''),
        ...(n.children.length > 0 ? [treeList(n.children)] : []),
      ),
    ),
  );
}

// ------------------------------------------------------------------ controls

ui.first.addEventListener('click', () => void go(0));
ui.back.addEventListener('click', () => void go((state?.pos ?? 0) - 1));
ui.forward.addEventListener('click', () => void go((state?.pos ?? 0) + 1));
ui.last.addEventListener('click', () => void go(state?.session.runnable ?? 0));
ui.jump.addEventListener('change', () => void go(Number(ui.jump.value)));
ui.viewns.addEventListener('change', () => {
  if (state === null) return;
  state.viewNs = ui.viewns.value;
  state.statusOf = null;
  void render();
});
ui.statusOf.addEventListener('change', () => {
  if (state === null) return;
  state.statusOf = Number(ui.statusOf.value);
  void render();
});

ui.console.addEventListener('submit', (e) => {
  e.preventDefault();
  const s = state;
  if (s === null) return;
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
    void go(move());
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
