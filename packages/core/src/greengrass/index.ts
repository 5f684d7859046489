/** @ei-gg/core/greengrass: the Greengrass IPC connection and transport (SPEC 6). */
export { IpcConnection, type IpcConnectionOptions } from './ipc-connection';
export { IpcTransport, type IpcTransportOptions } from './ipc-transport';
