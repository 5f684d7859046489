/** @ei-gg/core/commands: command replies (SPEC 4) and the component's problem reports. */
export { startedReply, type CommandReply } from './command-replies';
export type { ModelInfo } from './command-router';
export { ProblemReporter, type ProblemReporterOptions } from './problem-reporter';
