/** @ei-gg/core/process: supervised child processes. */
export { SupervisedProcess, type SupervisedProcessOptions } from './supervised-process';
export { describeExit, type ProcessExit } from './process-exit';
