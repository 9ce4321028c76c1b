// The layers are enforced by lint (eslint.config.js), not only a convention:
// an import against abi → kernel → ... → cli fails `npm run lint`, and so does
// a deep import from web/ into the engine's internals.

import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** The layer rule's messages for `file` with `extra` added at its top. */
async function layerErrors(file: string, extra: string): Promise<string[]> {
  const text = `${extra}\n${readFileSync(file, 'utf8')}`;
  const [result] = await eslint.lintText(text, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint', () => {
  it('refuses an import from src/kernel/ of src/cli/', async () => {
    const errors = await layerErrors('src/kernel/pid.ts', "import '../cli/main.js';");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/kernel\/ is below cli\//);
  });

  it('refuses node: in the engine, and the scenario layer reaching up to native/', async () => {
    expect(await layerErrors('src/scenario/run.ts', "import 'node:fs';")).toHaveLength(1);
    expect(await layerErrors('src/scenario/calls/ids.ts', "import '../../native/protocol.js';")).toHaveLength(1);
  });

  it('puts restore/ between scenario/ and host/, in the engine', async () => {
    expect(await layerErrors('src/restore/same.ts', "import '../scenario/run.js';")).toEqual([]);
    const up = await layerErrors('src/restore/same.ts', "import '../host/proc.js';");
    expect(up).toHaveLength(1);
    expect(up[0]).toMatch(/restore\/ is below host\//);
    expect(await layerErrors('src/restore/same.ts', "import 'node:fs';")).toHaveLength(1);
    expect(await layerErrors('src/scenario/run.ts', "import '../restore/index.js';")).toHaveLength(1);
    expect(await layerErrors('src/host/proc.ts', "import '../restore/index.js';")).toEqual([]);
  });

  it('lets a layer import from below it', async () => {
    expect(await layerErrors('src/cli/main.ts', "import '../kernel/pid.js';")).toEqual([]);
  });

  it('keeps web/ on the public entry points', async () => {
    expect(await layerErrors('web/src/view.ts', "import '../../src/kernel/kernel.js';")).toHaveLength(1);
    expect(await layerErrors('web/src/view.ts', "import '../../src/scenario/index.js';")).toEqual([]);
  });
});
