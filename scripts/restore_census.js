// The restore planner's census (docs/restore.md): over fuzz seeds FROM..TO, each history run on the
// model, planned, and the plan run on a fresh model and compared. Prints how many restore exactly, how many
// the planner refuses (by constraint, with example seeds) and every plan that failed (must be none).
// Usage: npm run build && node scripts/restore_census.js [FROM [TO]]
const dist = new URL('../dist', import.meta.url).href;
const [from, to] = [process.argv[2] ?? '1', process.argv[3] ?? '2600'].map(Number);
if (process.argv.length > 4 || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
  process.stderr.write('usage: node scripts/restore_census.js [FROM [TO]] (seeds, 1 <= FROM <= TO)\n');
  process.exit(2);
}
const { generateScenario } = await import(`${dist}/scenario/fuzz.js`);
const { planRestore } = await import(`${dist}/restore/plan.js`);
const { modelEndState, restoreOnModel } = await import(`${dist}/restore/verify.js`);
const refused = new Map(); const seedsOf = new Map(); let ok = 0; const failed = [];
for (let seed = from; seed <= to; seed++) {
  const history = await generateScenario(seed);
  const snapshot = await modelEndState(history, `fuzz-${seed}.pidns`);
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
process.exitCode = failed.length > 0 ? 1 : 0;
