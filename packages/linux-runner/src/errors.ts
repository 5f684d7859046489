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
  /** A flag of `eiparams` has a bad value, is unsafe (`--api-key`) or contradicts another. */
  | 'EIPARAMS_INVALID'
  /** Studio could not be asked for, or could not deliver, the project's model. */
  | 'DOWNLOAD_FAILED'
  /** The configured web access token (web_token_secret_key) is too short to be safe. */
  | 'WEB_TOKEN_INVALID'
  /** One of the runner's web servers (preview page, HTTP API) cannot listen on its host and port. */
  | 'WEB_SERVER_FAILED';

/** A problem of the runner's model or input; `context` names the model file, input or device. */
export class LinuxRunnerError extends EiGgError<LinuxRunnerErrorCode> {}

/** Why the HTTP inference API did not serve a request: each code is answered with its own HTTP status. */
export type HttpApiErrorCode =
  | 'BAD_REQUEST'
  | 'BODY_TOO_LARGE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  /** Its queue is full: the client should retry after a moment. */
  | 'BUSY'
  /** The model is restarting after a crash. */
  | 'MODEL_RESTARTING';

/** A request to the HTTP inference API that is answered with an error; the message says what to send instead. */
export class HttpApiError extends EiGgError<HttpApiErrorCode> {}
