import type { LinuxRunnerConfig } from '@ei-gg/core';
import { LinuxRunnerError } from '../errors';
import type { ModelThreshold, ModelVariant, ResizeMode, ShmBehavior } from '../eiparams/flag-requests';
import { parseEiparams, type FlagOutcome } from '../eiparams/parse-eiparams';

export type { ModelThreshold } from '../eiparams/flag-requests';

/** Where one of the runner's web servers listens. */
export interface WebServerSettings {
  port: number | 'off';
  host: string;
}

export interface PreviewSettings extends WebServerSettings {
  /** Frames at the camera's resolution, boxes scaled to it, instead of the model input (`--preview-original-resolution`). */
  originalResolution: boolean;
}

/** Which model runs, and how the runner talks to it. */
export interface ModelSettings {
  /** A local `.eim`; unset: the project's model from Studio, with the choices below (unset: detected). */
  file?: string;
  target?: string;
  engine?: string;
  variant?: ModelVariant;
  impulseId?: number;
  shm: ShmBehavior;
}

/** What the model reads. Unset fields keep the runner's defaults (see openInput). */
export interface InputSettings {
  /** The `input` key: camera, microphone, video:<file>, images:<dir>, images-loop:<dir>; unset: from the model's sensor. */
  input?: string;
  /** A V4L2 device path or the name a camera reports. */
  camera?: string;
  cameraResolution?: { width: number; height: number };
  /** A whole camera pipeline writing JPEG. */
  cameraPipeline?: string[];
  /** Elements in place of `v4l2src`. */
  cameraSource?: string[];
  /** An image classified over and over in place of a camera. */
  fakeCamera?: string;
  /** The GStreamer source of the microphone; unset: the system's default capture device. */
  microphoneSource?: string[];
}

/**
 * What the runner does, resolved once per pipeline start from its configuration keys and the flags of
 * `eiparams`: the one place the rest of the runner reads these from. A flag overrides the key of the same
 * concept (as when the original component appended `eiparams` to the runner's command line):
 * `--model-file` > `ei_local_model_file`, `--camera` > `camera`, `--gst-launch-args` > `gst_args`,
 * `--microphone` > `gst_args` (audio), `--preview-port`/`--preview-host` > `preview_port`/`preview_host`,
 * `--run-http-server` > `http_server_port`; `--mode http-server` uses `http_server_port`, else 1337. The camera
 * input is made of, first match wins: `--fake-camera`, a whole pipeline, `--gst-source`, the camera device.
 */
export interface RunnerSettings {
  preview: PreviewSettings;
  httpServer: WebServerSettings;
  /** Sent to the model after its hello, in order. */
  modelThresholds: ModelThreshold[];
  model: ModelSettings;
  input: InputSettings;
  /** In place of the model's `image_resize_mode`. */
  resizeMode?: ResizeMode;
  /** Model and GStreamer output at info level; edge-impulse-linux's debug output. */
  verbose: boolean;
}

/** The runner's reading of its configuration, for `--check-config` and the start. */
export interface RunnerInterpretation {
  settings: RunnerSettings;
  /** Each flag of `eiparams` and what became of it. */
  flags: FlagOutcome[];
  warnings: string[];
  problems: string[];
  /** `eiparams` with secret values replaced. */
  shownEiparams: string[];
}

/** edge-impulse-linux-runner's port for `--mode http-server` without `--run-http-server`. */
const DEFAULT_HTTP_SERVER_PORT = 1337;

export function interpretRunnerConfig(config: LinuxRunnerConfig): RunnerInterpretation {
  const { requests: flags, flags: outcomes, warnings, problems, shown } = parseEiparams(config.eiparams ?? []);
  const httpPort =
    flags.httpServerPort ??
    (flags.mode === 'http-server' && config.http_server_port === 'off'
      ? DEFAULT_HTTP_SERVER_PORT
      : config.http_server_port);
  const settings: RunnerSettings = {
    preview: {
      port: flags.previewPort ?? config.preview_port,
      host: flags.previewHost ?? config.preview_host,
      originalResolution: flags.previewOriginalResolution ?? false,
    },
    httpServer: { port: httpPort, host: config.http_server_host },
    modelThresholds: flags.thresholds ?? [],
    model: {
      file: flags.modelFile ?? config.ei_local_model_file,
      target: flags.target,
      engine: flags.engine,
      variant: flags.variant ?? (flags.quantized ? 'int8' : undefined),
      impulseId: flags.impulseId,
      shm: flags.shm ?? 'auto',
    },
    input: {
      input: config.input,
      camera: flags.camera ?? config.camera,
      cameraResolution: flags.cameraResolution,
      cameraPipeline: flags.gstLaunchArgs ?? config.gst_args,
      cameraSource: flags.gstSource,
      fakeCamera: flags.fakeCamera,
      microphoneSource: flags.microphone ? ['alsasrc', `device=${flags.microphone}`] : config.gst_args,
    },
    resizeMode: flags.resizeMode,
    verbose: flags.verbose ?? false,
  };
  warnings.push(...shadowedFlags(settings, outcomes, Boolean(flags.gstLaunchArgs)));
  return { settings, flags: outcomes, warnings, problems, shownEiparams: shown };
}

/**
 * The settings of this configuration; a LinuxRunnerError (EIPARAMS_INVALID) listing every problem of `eiparams`
 * when there is one (the component then does not start).
 */
export function runnerSettings(config: LinuxRunnerConfig): RunnerSettings {
  const { settings, problems } = interpretRunnerConfig(config);
  if (problems.length > 0)
    throw new LinuxRunnerError('EIPARAMS_INVALID', `eiparams: ${problems.join('; ')}`, { context: { problems } });
  return settings;
}

/** Honoured flags that another setting makes pointless: said, never silent. */
function shadowedFlags(settings: RunnerSettings, flags: FlagOutcome[], pipelineFromFlag: boolean): string[] {
  const { input, cameraPipeline, cameraSource, fakeCamera } = settings.input;
  const given = (flag: string) => flags.some((f) => f.flag === flag && f.handling === 'honoured');
  const cameraFlags = ['--camera', '--force-camera-resolution', '--gst-source', '--gst-launch-args', '--fake-camera'];
  const ignored = (names: string[], because: string) =>
    names.filter(given).map((flag) => `eiparams: ${flag} has no effect: ${because}`);
  if (input !== undefined && input !== 'camera')
    return [
      ...ignored(cameraFlags, `the input is ${input}, not a camera`),
      ...(input !== 'microphone' ? ignored(['--microphone'], `the input is ${input}, not the microphone`) : []),
    ];
  if (fakeCamera) return ignored(cameraFlags.slice(0, 4), '--fake-camera replaces the camera');
  if (cameraPipeline)
    return ignored(
      ['--camera', '--force-camera-resolution'],
      `the camera pipeline is given whole by ${pipelineFromFlag ? '--gst-launch-args' : 'gst_args'}`,
    );
  if (cameraSource) return ignored(['--camera'], '--gst-source replaces the camera device');
  return [];
}
