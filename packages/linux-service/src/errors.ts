import { EiGgError } from '@ei-gg/core';

export type LinuxServiceErrorCode =
  /** Neither a camera nor a microphone to offer Studio: the component cannot start at all. */
  | 'LINUX_SERVICE_NO_SENSORS'
  /** The linux-runner component holds the camera this client would use. */
  | 'LINUX_SERVICE_CAMERA_IN_USE'
  /** The edge-impulse-linux client is not installed next to the component. */
  | 'LINUX_SERVICE_CLIENT_MISSING'
  /** `eiparams` asks for something the service must not do (a key on the command line). */
  | 'LINUX_SERVICE_BAD_EIPARAMS'
  /** The client's private home in the work directory could not be prepared. */
  | 'LINUX_SERVICE_WORK_DIR'
  /** The client process could not be started. */
  | 'LINUX_SERVICE_SPAWN_FAILED';

/** A reason the data-collection client cannot run; `context` names paths, pids and flags, never the API key. */
export class LinuxServiceError extends EiGgError<LinuxServiceErrorCode> {}
