/** @ei-gg/serial-runner: EdgeImpulseSerialRunnerServiceComponent. */
export * from './parser';
export * from './at';
export * from './errors';
