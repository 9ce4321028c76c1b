// The restore planner's census (docs/restore.md): over fuzz seeds FROM..TO, each history run on the
// model, planned, and the plan run on a fresh model and compared. Prints how many restore exactly, how many
// the planner refuses (by constraint, with example seeds) and every plan that failed (must be none).
// Usage: npm run build && node scripts/restore_census.js [FROM [TO]]
const dist = new URL('../dist', import.meta.url).href;
const [from, to] = [Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 2600)];
const { generateScenario } = await import(`${dist}/scenario/fuzz.js`);
const { ModelBackend } = await import(`${dist}/scenario/model_backend.js`);
const { parseScenario } = await import(`${dist}/scenario/parser.js`);
const { runScenario } = await import(`${dist}/scenario/run.js`);
const { toJSON } = await import(`${dist}/snapshot/save.js`);
const { planRestore } = await import(`${dist}/restore/plan.js`);
const { restoreOnModel } = await import(`${dist}/restore/verify.js`);
const refused = new Map(); const seedsOf = new Map(); let ok = 0; const failed = [];
for (let seed = from; seed <= to; seed++) {
  const history = await generateScenario(seed);
  const original = new ModelBackend();
  await runScenario(parseScenario(history, `fuzz-${seed}.pidns`), original);
  const snapshot = toJSON(original.kernel);
  let plan;
  try { plan = planRestore(snapshot); } catch (e) { failed.push(`${seed}: planner threw ${e.message}`); continue; }
  if (!plan.ok) {
    const kind = plan.refusal.constraint.replace(/\d+/g, 'N');
    refused.set(kind, (refused.get(kind) ?? 0) + 1);
    if (!seedsOf.has(kind)) seedsOf.set(kind, []);
    if (seedsOf.get(kind).length < 6) seedsOf.get(kind).push(seed);
    continue;
  }
  const outcome = await restoreOnModel(snapshot, plan.text, `plan-${seed}.pidns`, 'model');
  if (!outcome.ok) { failed.push(`${seed}: scenario error ${outcome.error}`); continue; }
  if (outcome.differences.length) { failed.push(`${seed}: ${outcome.differences.length} differences`); continue; }
  ok++;
}
console.log(`seeds ${from}-${to}: restored ${ok}, refused ${[...refused.values()].reduce((a, b) => a + b, 0)}, failed ${failed.length}`);
for (const [k, c] of [...refused].sort((a, b) => b[1] - a[1])) console.log(`${String(c).padStart(5)} ${k}   e.g. ${seedsOf.get(k).join(' ')}`);
for (const f of failed) console.log('FAILED', f);
