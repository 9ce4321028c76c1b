// The task table, the process tree and /proc, all seen from the chosen
// namespace: numbers as a tool there reads them (getpid/getpgid/getsid/
// getppid), tasks it cannot see shown as such (table) or left out (tree and
// /proc, as pstree and ps there would).

import { changeWords, taskClasses, taskSentence } from './draw_ns.js';
import { h } from './dom.js';
import type { TaskView, TreeNode, View } from './view.js';

const num = (n: number | null): string => (n === null ? '—' : String(n));

export function drawTasks(root: HTMLElement, view: View, selected: number | null, pick: (seq: number) => void): void {
  const cols = ['task', 'PID', 'TGID', 'PGID', 'SID', 'PPID', 'state', 'this step'];
  root.replaceChildren(
    h('caption', { class: 'sr-only' }, `Tasks, numbers seen from ${view.viewNs} (— : not visible there; 0 : the group or parent has no number there)`),
    h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...view.tasks.map((t) => {
        const button = h('button', { type: 'button', class: 'link', 'aria-pressed': selected === t.seq ? 'true' : 'false', title: `Show ${t.label}'s struct pid` }, t.label);
        button.addEventListener('click', () => {
          pick(t.seq);
        });
        const words = changeWords(t);
        return h(
          'tr',
          { 'data-comm': t.comm, 'data-seq': String(t.seq), class: `${taskClasses(t)}${t.pid === null ? ' invisible' : ''}${selected === t.seq ? ' selected' : ''}` },
          h('th', { scope: 'row', 'data-label': 'task' }, button, t.isLeader ? '' : h('small', {}, ` thread of ${t.leaderLabel}`)),
          h('td', { class: 'pid', 'data-label': 'PID' }, num(t.pid)),
          h('td', { class: 'tgid', 'data-label': 'TGID' }, num(t.tgid)),
          h('td', { class: `pgid${t.pgrpNew ? ' made' : ''}`, 'data-label': 'PGID', title: t.pgrpNew ? 'a process group this step made' : null }, String(t.pgid), ...(t.pgrpNew ? [h('span', { class: 'sr-only' }, ' (new this step)')] : [])),
          h('td', { class: `sid${t.sidNew ? ' made' : ''}`, 'data-label': 'SID', title: t.sidNew ? 'a session this step made' : null }, String(t.sid), ...(t.sidNew ? [h('span', { class: 'sr-only' }, ' (new this step)')] : [])),
          h('td', { class: 'ppid', 'data-label': 'PPID' }, String(t.ppid)),
          h('td', { class: 'state', 'data-label': 'state' }, t.state),
          h(
            'td',
            { class: 'step', 'data-label': 'this step' },
            [...words.filter((w) => w !== 'reparented'), ...(t.pgrpNew ? ['new process group'] : []), ...(t.sidNew ? ['new session'] : []), ...(t.going ? ['going'] : [])].join(', '),
            ...(t.movedFrom === null ? [] : [h('span', { class: 'reparented' }, `${words.length > 1 ? ', ' : ''}reparented from ${t.movedFrom}`)]),
          ),
        );
      }),
    ),
  );
}

function treeItem(n: TreeNode, viewNs: string): HTMLElement {
  const t: TaskView = n.task;
  return h(
    'li',
    { 'data-seq': String(t.seq), class: `${taskClasses(t)}${t.movedFrom !== null ? ' reparented' : ''}` },
    h('span', { title: taskSentence(t, viewNs) }, `${t.comm}(${num(t.pid)})`, t.state === 'running' ? '' : ` ${t.state}`, t.movedFrom !== null ? ` ↰ reparented from ${t.movedFrom}` : '', t.going ? ' — going' : ''),
    ...(n.children.length > 0 ? [h('ul', {}, ...n.children.map((c) => treeItem(c, viewNs)))] : []),
  );
}

export function drawTree(root: HTMLElement, view: View): void {
  root.replaceChildren(view.tree.length === 0 ? h('p', { class: 'muted' }, `No task is visible from ${view.viewNs}.`) : h('ul', { 'aria-label': `process tree seen from ${view.viewNs}` }, ...view.tree.map((n) => treeItem(n, view.viewNs))));
}

function psCells(line: string): string[] {
  const parts = line.split(' ');
  return [...parts.slice(0, 5), parts.slice(5).join(' ')];
}

export function drawProc(ps: HTMLElement, statusOf: HTMLSelectElement, status: HTMLElement, view: View): void {
  ps.replaceChildren(
    h('caption', { class: 'sr-only' }, `ps in ${view.viewNs}`),
    h('thead', {}, h('tr', {}, ...['PID', 'PPID', 'PGID', 'SID', 'S', 'NAME'].map((c) => h('th', { scope: 'col' }, c)))),
    // PID PPID PGID SID S, then the name (which may hold spaces).
    h('tbody', {}, ...view.ps.map((line) => h('tr', {}, ...psCells(line).map((c) => h('td', {}, c))))),
  );
  statusOf.replaceChildren(...view.statusChoices.map(([seq, text]) => h('option', seq === view.statusOf ? { value: String(seq), selected: '' } : { value: String(seq) }, text)));
  status.textContent = view.status?.join('\n') ?? '(nothing visible)';
}
