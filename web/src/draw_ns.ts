// The namespace view: each PID namespace a box nested in its parent's, the
// tasks living in it (task_active_pid_ns) drawn inside as buttons, each
// box's init, pid_max, cursor and a bitmap of the idr around the cursor, and
// parent links as arrows in an SVG layer over the boxes (a reparented task's
// arrow drawn where it now points, its old one dashed). The arrows are
// decoration: every chip says its parent in words for a screen reader.

import { h, hueOf, svg } from './dom.js';
import type { NsBox, TaskView } from './view.js';

/** How many idr slots the bitmap shows around the cursor. */
const WINDOW = 16;

const CHANGE_WORDS: Readonly<Record<string, string>> = {
  new: 'new',
  exited: 'exited',
  killed: 'killed',
  superseded: 'superseded',
  'pid-changed': 'new PID',
  reaped: 'reaped',
  reparented: 'reparented',
  stopped: 'stopped',
  continued: 'continued',
};

/** The words for what the step did to a task (shown on its chip and row). */
export function changeWords(t: TaskView): string[] {
  return t.changes.map((c) => CHANGE_WORDS[c]).filter((w): w is string => w !== undefined);
}

/** Class names for a task's state and this step's changes. */
export function taskClasses(t: TaskView): string {
  return [t.state, ...t.changes.map((c) => `chg-${c}`), t.going ? 'going' : ''].filter((c) => c !== '').join(' ');
}

/** A task in words, seen from `viewNs`, for screen readers and tooltips. */
export function taskSentence(t: TaskView, viewNs: string): string {
  const seen = t.pid === null ? `not visible from ${viewNs}` : `pid ${t.pid} seen from ${viewNs}`;
  const parent = t.parentLabel === null ? 'no parent' : `parent ${t.parentLabel}`;
  const moved = t.movedFrom === null ? '' : `, reparented from ${t.movedFrom}`;
  const step = changeWords(t);
  return `${t.label}${t.isLeader ? '' : ` (a thread of ${t.leaderLabel})`} in ${t.ns}, ${seen}, ${parent}${moved}, ${t.state}${t.isInit ? ', init of its namespace' : ''}${step.length > 0 ? `; this step: ${step.join(', ')}` : ''}${t.going ? ' (going)' : ''}`;
}

export function idrWindow(box: Pick<NsBox, 'cursor' | 'pidMax' | 'used'>): { start: number; end: number } {
  const last = box.pidMax - 1;
  const start = Math.max(1, Math.min(box.cursor - WINDOW / 2, last - WINDOW + 1));
  return { start, end: Math.min(last, start + WINDOW - 1) };
}

function idrBitmap(box: NsBox): HTMLElement {
  const { start, end } = idrWindow(box);
  const used = new Set(box.used);
  const cells: HTMLElement[] = [];
  const inUse: number[] = [];
  for (let nr = start; nr <= end; nr++) {
    const taken = used.has(nr);
    if (taken) inUse.push(nr);
    const cls = `bit${taken ? ' used' : ''}${nr === box.cursor ? ' cursor' : ''}`;
    cells.push(h('span', { class: cls, 'data-nr': String(nr), title: `${nr}: ${taken ? 'in use' : 'free'}${nr === box.cursor ? ' (cursor: tried next)' : ''}` }));
  }
  const label = `idr of ${box.name}, numbers ${start} to ${end}: ${inUse.length === 0 ? 'none' : inUse.join(', ')} in use; cursor at ${box.cursor}`;
  return h('div', { class: 'idr', role: 'img', 'aria-label': label, 'data-testid': `idr-${box.name}` }, h('span', { class: 'idr-from', 'aria-hidden': 'true' }, String(start)), ...cells, h('span', { class: 'idr-to', 'aria-hidden': 'true' }, String(end)));
}

function chip(t: TaskView, viewNs: string, selected: number | null, pick: (seq: number) => void): HTMLElement {
  const words = changeWords(t);
  const button = h(
    'button',
    {
      type: 'button',
      class: `chip ${taskClasses(t)}${selected === t.seq ? ' selected' : ''}`,
      'data-task': String(t.seq),
      'data-comm': t.comm,
      'data-was': t.wasParent === null ? null : String(t.wasParent),
      'aria-pressed': selected === t.seq ? 'true' : 'false',
      title: taskSentence(t, viewNs),
    },
    h('span', { class: 'comm' }, t.comm),
    ' ',
    h('span', { class: 'nr' }, t.pid === null ? '–' : String(t.pid)),
    ...(t.isLeader ? [] : [' ', h('span', { class: 'tag thread' }, 'thread')]),
    ...(t.state === 'zombie' ? [' ', h('span', { class: 'tag' }, 'Z')] : []),
    ...words.flatMap((w) => [' ', h('span', { class: `tag chg` }, w)]),
    // The visible text first (the accessible name must contain it), then the whole sentence.
    h('span', { class: 'sr-only' }, `: ${taskSentence(t, viewNs)}. Show its struct pid`),
  );
  button.addEventListener('click', () => {
    pick(t.seq);
  });
  return h('li', {}, button);
}

/**
 * A box's tasks in rows by generation inside the box (how many of a task's
 * ancestors live in the same namespace), so parent arrows point down a row.
 */
function byGeneration(tasks: readonly TaskView[]): TaskView[][] {
  const here = new Map(tasks.map((t) => [t.seq, t]));
  const depth = (t: TaskView): number => {
    let d = 0;
    for (let p = t.parent === null ? undefined : here.get(t.parent); p !== undefined && d < tasks.length; p = p.parent === null ? undefined : here.get(p.parent)) d++;
    return d;
  };
  const rows: TaskView[][] = [];
  for (const t of tasks) (rows[depth(t)] ??= []).push(t);
  return rows.filter((r) => r.length > 0);
}

function boxEl(b: NsBox, viewNs: string, selected: number | null, pick: (seq: number) => void): HTMLElement {
  const cls = ['ns-box', `hue-${hueOf(b.name)}`, b.chosen ? 'chosen' : '', b.visible ? '' : 'outside', b.isNew ? 'new' : '', b.adding ? '' : 'gone'].filter((c) => c !== '').join(' ');
  const facts: [string, string][] = [
    ['init', b.init === null ? 'none' : `${b.init}${b.initGone ? ' †' : ''}`],
    ['pid_max', String(b.pidMax)],
    ['cursor', String(b.cursor)],
    ['in use', String(b.used.length)],
  ];
  const summary = `${b.name}, level ${b.level}${b.chosen ? ', the namespace seen from' : ''}${b.visible ? '' : `, not visible from ${viewNs}`}${b.isNew ? ', new this step' : ''}${b.adding ? '' : ', its init is gone: no new tasks'}`;
  return h(
    'div',
    { class: cls, 'data-ns': b.name, role: 'group', 'aria-label': summary, ...(b.chosen ? { 'aria-current': 'true' } : {}) },
    h(
      'div',
      { class: 'ns-card' },
      h('strong', {}, b.name),
      h('span', { class: 'lvl' }, ` level ${b.level}`),
      ...(b.chosen ? [h('span', { class: 'badge' }, 'seen from')] : []),
      ...(b.isNew ? [h('span', { class: 'badge chg' }, 'new')] : []),
      ...(b.adding ? [] : [h('span', { class: 'badge bad' }, 'init gone: no new tasks')]),
      h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-fact': k }, v)])),
      idrBitmap(b),
    ),
    h('ul', { class: 'chips', 'aria-label': `tasks living in ${b.name}` }, ...byGeneration(b.tasks).flatMap((row, i) => [...(i > 0 ? [h('li', { class: 'break', 'aria-hidden': 'true' })] : []), ...row.map((t) => chip(t, viewNs, selected, pick))])),
    ...b.children.map((c) => boxEl(c, viewNs, selected, pick)),
  );
}

/** Draws the boxes into `root` and the parent arrows over them. */
export function drawNamespaces(root: HTMLElement, boxes: readonly NsBox[], tasks: readonly TaskView[], viewNs: string, selected: number | null, pick: (seq: number) => void): void {
  const layer = svg('svg', { class: 'arrows', 'aria-hidden': 'true' });
  root.replaceChildren(...boxes.map((b) => boxEl(b, viewNs, selected, pick)), layer);
  drawArrows(root, tasks);
}

const ARROW_DEFS = (): SVGElement =>
  svg(
    'defs',
    {},
    svg('marker', { id: 'head', viewBox: '0 0 8 8', refX: '7', refY: '4', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'head' })),
    svg('marker', { id: 'head-moved', viewBox: '0 0 8 8', refX: '7', refY: '4', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'head moved' })),
  );

/** (Re)draws the parent arrows from the chips' current places: after a draw and on resize. */
export function drawArrows(root: HTMLElement, tasks: readonly TaskView[]): void {
  const layer = root.querySelector('svg.arrows');
  if (layer === null) return;
  const base = root.getBoundingClientRect();
  layer.setAttribute('width', String(root.scrollWidth));
  layer.setAttribute('height', String(root.scrollHeight));
  const chips = new Map<number, DOMRect>();
  for (const el of root.querySelectorAll<HTMLElement>('.chip[data-task]')) chips.set(Number(el.dataset.task), el.getBoundingClientRect());
  const paths: SVGElement[] = [];
  const arrow = (from: number, to: number, cls: string, seq: number): void => {
    const a = chips.get(from);
    const b = chips.get(to);
    if (a === undefined || b === undefined) return;
    const x1 = a.left + a.width / 2 - base.left;
    const y1 = a.bottom - base.top;
    const x2 = b.left + b.width / 2 - base.left;
    const sameRow = Math.abs(a.top - b.top) < 4;
    const y2 = (sameRow ? b.bottom : b.top) - base.top;
    const dip = sameRow ? 16 : Math.max(10, (y2 - y1) / 2);
    const d = `M${x1},${y1} C${x1},${y1 + dip} ${x2},${sameRow ? y2 + dip : y2 - dip} ${x2},${y2}`;
    paths.push(svg('path', { d, class: `link ${cls}`, 'data-child': String(seq), 'marker-end': cls.includes('moved') ? 'url(#head-moved)' : 'url(#head)' }));
  };
  for (const t of tasks) {
    if (t.parent === null) continue;
    arrow(t.parent, t.seq, `${t.movedFrom !== null ? 'moved' : ''}${t.going ? ' going' : ''}`, t.seq);
  }
  for (const el of root.querySelectorAll<HTMLElement>('.chip[data-was]')) arrow(Number(el.dataset.was), Number(el.dataset.task), 'was', Number(el.dataset.task));
  layer.replaceChildren(ARROW_DEFS(), ...paths);
}
