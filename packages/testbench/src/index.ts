/** @ei-gg/testbench: real local peers for tests and benchmarks. */
export * from './ipc';
export * from './mcu';
export * from './process/require-tool';
export * from './process/managed-process';
export * from './tls/test-certificates';
export * from './mqtt/mosquitto';
export * from './mqtt/test-mqtt-client';
export * from './aws/moto';
export * from './process/component-process';
export * from './process/marked-processes';
export * from './images/solid-images';
export * from './demo-model/demo-model';
export * from './demo-model/sample-images';
export * from './counting/cyclic-gaps';
