/** @ei-gg/testbench: real local peers for tests and benchmarks. */
export * from './ipc';
export * from './mcu';
export * from './process/require-tool';
export * from './process/managed-process';
export * from './tls/test-certificates';
export * from './mqtt/mosquitto';
export * from './mqtt/test-mqtt-client';
export * from './aws/moto';
