import { EiGgError } from '@ei-gg/core';

export type LinuxRunnerErrorCode =
  /** `ei_local_model_file` (or a downloaded model) is missing or not executable. */
  | 'MODEL_MISSING'
  /** The model process could not be started or did not answer its hello. */
  | 'MODEL_START_FAILED'
  /** The model process exited while the component still needed it. */
  | 'MODEL_EXITED'
  /** The model answered a request with an error. */
  | 'MODEL_REQUEST_FAILED'
  /** The model did not answer a request in time: it is hung and gets restarted. */
  | 'MODEL_TIMEOUT'
  /** A learn block threshold the model does not have, or a value it refused. */
  | 'MODEL_THRESHOLD_INVALID'
  /** The model's sensor and the configured input do not go together (e.g. a camera model on `microphone`). */
  | 'INPUT_UNSUPPORTED'
  /** The input could not be read: no images, GStreamer failed, camera missing. */
  | 'INPUT_FAILED'
  /** The camera is held by another process (for example the EdgeImpulseLinuxServiceComponent). */
  | 'CAMERA_BUSY'
  /** The `camera` key names no camera of this device. */
  | 'CAMERA_NOT_FOUND'
  /** Studio could not be asked for, or could not deliver, the project's model. */
  | 'DOWNLOAD_FAILED'
  /** One of the runner's web servers (the preview page) cannot listen on its host and port. */
  | 'WEB_SERVER_FAILED';

/** A problem of the runner's model or input; `context` names the model file, input or device. */
export class LinuxRunnerError extends EiGgError<LinuxRunnerErrorCode> {}
