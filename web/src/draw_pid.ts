// The struct pid panel: the selected task's Pid drawn as the kernel lays it
// out (level, numbers[0..level], each upid's nr with an arrow to its
// namespace, the chosen namespace's level highlighted), then the task's
// PID/TGID/PGID/SID links, each drawn as the Pid it points at.

import { h, hueOf } from './dom.js';
import type { LinkView, PidDrawing, StructPidView } from './pidview.js';

function cellsOf(p: PidDrawing, compact: boolean, seeFrom: (ns: string) => void): HTMLElement {
  return h(
    'ol',
    { class: compact ? 'cells compact' : 'cells', 'data-testid': compact ? null : 'pid-cells', 'aria-label': `numbers[0..${p.level}]`, start: '0' },
    ...p.cells.map((c) => {
      const nsLabel = c.host ? `${c.ns} (outside the scenario)` : c.ns;
      const target: HTMLElement = c.host
        ? h('span', { class: `ns-ref hue-${hueOf(c.ns)}` }, c.ns)
        : h('button', { type: 'button', class: `ns-ref hue-${hueOf(c.ns)}`, title: `See from ${c.ns}`, 'aria-label': `${c.ns}: see from it` }, c.ns);
      if (!c.host) {
        target.addEventListener('click', () => {
          seeFrom(c.ns);
        });
        // Pointing at a cell's namespace outlines that namespace's box.
        const point = (on: boolean): void => {
          document.querySelector(`#namespaces [data-ns="${c.ns}"]`)?.classList.toggle('pointed', on);
        };
        for (const [ev, on] of [['mouseenter', true], ['focus', true], ['mouseleave', false], ['blur', false]] as const) target.addEventListener(ev, () => { point(on); });
      }
      return h(
        'li',
        {
          class: `cell hue-${hueOf(c.ns)}${c.chosen ? ' chosen' : ''}${c.host ? ' host' : ''}`,
          'data-ns': c.ns,
          'data-index': String(c.index),
        },
        ...(compact ? [] : [h('span', { class: 'idx' }, h('span', { class: 'sr-only' }, 'numbers'), `[${c.index}]`)]),
        h('span', { class: 'sr-only' }, ' nr '),
        h('span', { class: 'nr' }, String(c.nr)),
        h('span', { class: 'to', 'aria-hidden': 'true' }, compact ? '' : '→'),
        h('span', { class: 'sr-only' }, ` in ${nsLabel}${c.chosen ? ', the namespace seen from' : ''} `),
        compact ? h('span', { class: 'ns-ref small', 'aria-hidden': 'true' }, c.ns) : target,
      );
    }),
  );
}

function linkRow(l: LinkView, seeFrom: (ns: string) => void, viewNs: string): HTMLElement {
  const p = l.pid;
  const target: (Node | string)[] =
    p === null
      ? ['no Pid']
      : [
          h('span', { class: 'pid-name' }, l.own ? `this Pid (#${p.serial})` : `Pid #${p.serial}`),
          ...(l.own ? [] : [cellsOf(p, true, seeFrom)]),
          h('span', { class: 'users' }, p.users),
          ...(p.held ? [h('span', { class: 'badge held' }, 'held by the group')] : []),
        ];
  return h(
    'tr',
    { 'data-link': l.type, class: p?.held === true ? 'held' : null },
    h('th', { scope: 'row' }, l.type, h('small', {}, l.field)),
    h('td', { class: 'seen' }, p === null ? '—' : p.seen === null ? `— (none in ${viewNs})` : String(p.seen)),
    h('td', { class: 'target' }, ...target),
  );
}

export function drawStructPid(root: HTMLElement, v: StructPidView | null, viewNs: string, going: boolean, seeFrom: (ns: string) => void): void {
  if (v === null) {
    root.replaceChildren(h('p', { class: 'muted' }, 'No task selected.'));
    return;
  }
  const m = v.main;
  root.replaceChildren(
    h(
      'figure',
      { class: `struct${going ? ' going' : ''}`, 'data-testid': 'struct-pid', 'data-task': String(v.seq) },
      h('figcaption', {}, h('code', {}, 'struct pid'), ` #${m.serial}: ${v.task}'s PID${going ? ' (released this step: going)' : ''}`),
      h('p', { class: 'pid-level' }, h('code', {}, 'level'), ' = ', h('b', { 'data-testid': 'pid-level' }, String(m.level)), h('span', { class: 'muted' }, ` (numbers[0..${m.level}], one upid {nr, ns} per level; ${m.seen === null ? `none in ${viewNs}` : `${m.seen} seen from ${viewNs}`})`)),
      cellsOf(m, false, seeFrom),
    ),
    h(
      'table',
      { class: 'links', 'data-testid': 'pid-links' },
      h('caption', {}, `${v.task}'s links (numbers seen from ${viewNs})`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'link'), h('th', { scope: 'col' }, 'nr'), h('th', { scope: 'col' }, 'points at'))),
      h('tbody', {}, ...v.links.map((l) => linkRow(l, seeFrom, viewNs))),
    ),
  );
}
