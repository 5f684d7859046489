/** @ei-gg/testbench: real local peers for tests and benchmarks. */
export * from './ipc';
export * from './mcu';
