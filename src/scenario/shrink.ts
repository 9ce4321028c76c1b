// The shrinker: delta debugging over the step lines of a failing scenario,
// down to a 1-minimal reproducer (`pidns fuzz`).

import { ScenarioError } from './ast.js';
import { parseScenario } from './parser.js';

/** Whether a line is a step the shrinker may drop: not blank, not a comment. */
function isStepLine(line: string): boolean {
  const t = line.trim();
  return t !== '' && !t.startsWith('#');
}

export interface ShrinkOptions {
  /** The file name for parsing candidates. */
  readonly file?: string;
}

/**
 * Delta debugging (Zeller and Hildebrandt's ddmin) over the lines of a
 * failing scenario: drops chunks of step lines, halving the chunk size when
 * no chunk can go, down to single lines. A candidate is kept only if it still
 * parses and `stillFails` says yes. Comment and blank lines stay. The result
 * is 1-minimal: removing any one step line makes it pass (or not parse).
 * Returns `text` unchanged when it does not fail to begin with.
 */
export async function shrink(text: string, stillFails: (text: string) => Promise<boolean>, options: ShrinkOptions = {}): Promise<string> {
  const file = options.file ?? 'shrink.pidns';
  const lines = text.split('\n');
  const trailing = text.endsWith('\n');
  if (trailing) lines.pop();
  const build = (keep: readonly number[]): string => {
    const set = new Set(keep);
    const out = lines.filter((l, i) => !isStepLine(l) || set.has(i));
    return out.map((l) => `${l}\n`).join('');
  };
  const fails = async (keep: readonly number[]): Promise<boolean> => {
    const candidate = build(keep);
    try {
      parseScenario(candidate, file);
    } catch (e) {
      if (e instanceof ScenarioError) return false;
      throw e;
    }
    return stillFails(candidate);
  };
  let units = lines.flatMap((l, i) => (isStepLine(l) ? [i] : []));
  if (!(await stillFails(text))) return text;
  let n = 2;
  while (units.length > 0) {
    const size = Math.ceil(units.length / n);
    let removed = false;
    for (let start = 0; start < units.length; start += size) {
      const complement = [...units.slice(0, start), ...units.slice(start + size)];
      if (await fails(complement)) {
        units = complement;
        n = Math.max(n - 1, 2);
        removed = true;
        break;
      }
    }
    if (!removed) {
      if (size === 1) break;
      n = Math.min(n * 2, units.length);
    }
  }
  const result = build(units);
  return trailing ? result : result.replace(/\n$/, '');
}
