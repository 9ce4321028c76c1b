// Every conformance scenario through the visualizer's views, at every step:
// each task is drawn once, in the box of the namespace its Pid's deepest
// number is in; its struct pid has level + 1 cells whose namespaces form its
// chain; a step's new tasks were absent before it and its going tasks were
// present; the numbers seen from a namespace are the ones /proc there shows.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJSON } from '../src/snapshot/index.js';
import { diff } from '../web/src/changes.js';
import { picture, shownNamespaces, type Picture } from '../web/src/picture.js';
import { structPid } from '../web/src/pidview.js';
import { Session } from '../web/src/session.js';
import { buildView, type NsBox } from '../web/src/view.js';

const ROOT = new URL('../conformance/', import.meta.url).pathname;
const files = readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.pidns'))
  .sort();

function boxes(list: readonly NsBox[]): NsBox[] {
  return list.flatMap((b) => [b, ...boxes(b.children)]);
}

describe('visualizer views over the conformance corpus', () => {
  it('has scenarios to read', () => {
    expect(files.length).toBeGreaterThan(300);
  });

  it('draws every step of every scenario consistently', async () => {
    let positions = 0;
    for (const f of files) {
      const s = await Session.load(readFileSync(join(ROOT, f), 'utf8'), f);
      let before: Picture | null = null;
      for (let n = 0; n <= s.runnable; n++) {
        const run = await s.runTo(n);
        const pic = picture(toJSON(run.kernel));
        const ch = diff(before, pic, s.fates);
        for (const c of ch.list) if (c.kind === 'new') expect(before?.tasks.has(c.task!), `${f} step ${n}`).toBe(false);
        for (const t of ch.going) expect(pic.tasks.has(t.seq), `${f} step ${n}`).toBe(false);
        for (const ns of shownNamespaces(pic)) {
          const view = buildView(run.kernel, pic, before, ch, ns.name, null);
          const drawn = boxes(view.namespaces).flatMap((b) => b.tasks.map((t) => [t.seq, b.serial] as const));
          expect(drawn.length, `${f} step ${n}`).toBe(pic.tasks.size + ch.going.length);
          for (const [seq, box] of drawn) {
            const t = pic.tasks.get(seq) ?? before?.tasks.get(seq);
            expect(t?.ns, `${f} step ${n} task ${seq}`).toBe(box);
          }
          // The numbers the table shows from ns are the PIDs /proc there lists.
          const listed = view.ps.map((l) => Number(l.split(' ')[0])).sort((a, b) => a - b);
          const seen = view.tasks
            .filter((t) => !t.going && t.pid !== null && t.isLeader && pic.tasks.get(t.seq)?.state !== 'zombie')
            .map((t) => t.pid!)
            .sort((a, b) => a - b);
          for (const nr of seen) expect(listed, `${f} step ${n} from ${ns.name}`).toContain(nr);
        }
        for (const t of pic.tasks.values()) {
          const sp = structPid(pic, t, shownNamespaces(pic)[0]!)!;
          expect(sp.main.cells).toHaveLength(sp.main.level + 1);
          for (let i = 1; i < sp.main.cells.length; i++) {
            const cell = pic.namespaces.find((x) => x.name === sp.main.cells[i]!.ns)!;
            expect(pic.ns.get(cell.parent!)?.name, `${f} step ${n} ${t.comm}`).toBe(sp.main.cells[i - 1]!.ns);
          }
        }
        before = pic;
        positions++;
      }
    }
    expect(positions).toBeGreaterThan(files.length);
  }, 600_000);
});
