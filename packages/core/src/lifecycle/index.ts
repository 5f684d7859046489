/** @ei-gg/core/lifecycle: running a component (host, pipeline, lock file, recover steps). */
export { hostComponent, runComponent, type ComponentDefinition, type HostingOptions } from './run-component';
export {
  ComponentHost,
  type ComponentHostOptions,
  type ComponentParts,
  type ComponentPipeline,
  type HostServices,
} from './component-host';
export { LockFile } from './lock-file';
export { liveLockOwner } from './lock-owner';
export { MODEL_SOCKET_DIR_PREFIX, MODEL_SOCKET_NAME, modelSocketRoot } from './model-socket-location';
export { recoverModelSockets } from './recover-model-sockets';
