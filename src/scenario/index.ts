// pidns/scenario: the scenario language (docs/language.md): parse a file, run
// it on a backend, print its transcript. Engine only: no Node, no DOM.

export { ScenarioError } from './ast.js';
export type { Call, CallName, CallStep, Pos, RepeatStep, Script, Step, View, ViewStep } from './ast.js';
export { parseScenario, isName } from './parser.js';
export { formatCall, formatCallStep, formatScript, formatView } from './format.js';
export { runScenario } from './run.js';
export type { Mismatch, Round, RunOptions, RunResult } from './run.js';
export { entryLines, formatEvent, formatOut, formatResult, nsLines, psLines, sameLines, sameResult, statusLines, threadsLines, treeLines } from './transcript.js';
export type { TranscriptEntry } from './transcript.js';
export { taskRef } from './backend.js';
export type { Backend, CallOutcome, CallResult, NewTask, NsView, PresetTask, PsRow, ResolvedCall, StatusView, StepEvent, TaskEvent, TaskLife, TaskRef } from './backend.js';
export { ModelBackend, createModelBackend } from './model_backend.js';
export type { ModelBackendOptions } from './model_backend.js';
export { generateScenario, mulberry32 } from './fuzz.js';
export { shrink } from './shrink.js';
