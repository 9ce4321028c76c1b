// The steps panel (every top-level step with the scenario's comments as its
// narration; steps taken show what they printed, steps not yet taken only
// what they will do) and the "this step" panel (the current step's
// narration and what it changed, in words).

import { formatCallStep, formatView, type Step } from '../../src/scenario/index.js';
import { h } from './dom.js';
import type { Session } from './session.js';

/** A step as written, without results or expectations. */
export function stepText(st: Step): string {
  switch (st.kind) {
    case 'call':
      return formatCallStep(st);
    case 'view':
      return formatView(st.view);
    case 'repeat':
      return `repeat ${st.count} { ${st.body.length} step${st.body.length === 1 ? '' : 's'} }`;
  }
}

export function drawTranscript(root: HTMLElement, s: Session, pos: number, go: (n: number) => void): void {
  if (s.kind === 'snapshot') {
    root.replaceChildren(h('li', { class: 'note' }, `${s.file} is a snapshot: one saved state, no steps. Its tasks, namespaces and Pids are drawn as saved.`));
    return;
  }
  root.replaceChildren(
    ...s.steps.map((st, i) => {
      const rec = s.records[i]!;
      const n = i + 1;
      const taken = n <= pos;
      const cls = n === pos ? 'current' : taken ? 'done' : 'pending';
      const told = s.narration.byLine.get(st.pos.line) ?? [];
      let body: HTMLElement[];
      if (rec.error !== null && n > s.runnable) body = [h('span', {}, stepText(st)), h('span', { class: 'error' }, `error: ${rec.error}`)];
      else if (taken) body = rec.lines.length > 0 ? rec.lines.map((l) => h('span', {}, l)) : [h('span', {}, stepText(st))];
      else body = [h('span', {}, stepText(st))];
      const marks = taken ? rec.mismatches.map((m) => h('span', { class: 'mismatch' }, `expected: ${m.expected.join(' / ')}`)) : [];
      const state = n === pos ? 'current step' : taken ? 'done' : rec.error !== null ? 'cannot run' : 'not run yet';
      const button = h(
        'button',
        { type: 'button', title: `Go to step ${n}`, ...(n === pos ? { 'aria-current': 'step' } : {}) },
        h('span', { class: 'num' }, String(n), h('span', { class: 'sr-only' }, `, ${state}:`)),
        h('code', {}, ...body, ...marks),
      );
      button.addEventListener('click', () => {
        go(n);
      });
      if (rec.error !== null && n > s.runnable) (button as HTMLButtonElement).disabled = true;
      return h(
        'li',
        { class: `${cls}${rec.error !== null ? ' failed' : ''}`, 'data-step': String(n) },
        ...told.map((p) => h('p', { class: 'narration' }, p)),
        button,
      );
    }),
  );
  const current = root.querySelector('li.current') ?? root.querySelector('li.pending');
  if (current instanceof HTMLElement) {
    // Keep the current step in view inside the list without scrolling the page (the list is its offsetParent).
    const top = current.offsetTop;
    if (top < root.scrollTop || top + current.offsetHeight > root.scrollTop + root.clientHeight) root.scrollTop = Math.max(0, top - root.clientHeight / 3);
  }
}

export function drawStepPanel(root: HTMLElement, s: Session, pos: number, sentences: readonly { kind: string; text: string }[]): void {
  const head: (Node | string)[] = [];
  let told: readonly string[] = [];
  if (s.kind === 'snapshot') head.push(`Snapshot ${s.file}: the state as saved (no steps, so nothing is marked as changed).`);
  else if (pos === 0) {
    head.push('Before step 1: the start state (init, pid 1 in ns0).');
    told = s.narration.intro;
  } else {
    const st = s.steps[pos - 1]!;
    head.push(h('span', { class: 'muted' }, `Step ${pos}: `), h('code', {}, stepText(st)));
    told = s.narration.byLine.get(st.pos.line) ?? [];
  }
  const list =
    sentences.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-change' }, s.kind === 'snapshot' || pos === 0 ? 'Step forward to see what each step changes.' : 'This step changed no task, group or namespace.')
      : h('ul', { class: 'changes', 'aria-label': 'What this step changed' }, ...sentences.map((c) => h('li', { 'data-kind': c.kind, class: `chg-${c.kind}` }, c.text)));
  root.replaceChildren(h('p', { class: 'step-head' }, ...head), ...told.map((p) => h('p', { class: 'narration' }, p)), list);
}
