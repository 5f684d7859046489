import { isAbsolute } from 'node:path';
import { parseGstArgs, PARAMETER_SCHEMAS } from '@ei-gg/core';
import {
  MODEL_VARIANTS,
  RESIZE_MODES,
  RUN_MODES,
  SHM_BEHAVIORS,
  type FlagRequests,
  type ModelThreshold,
} from './flag-requests';

/**
 * What becomes of a flag here: `honoured` changes the effective settings; `implied` is what the runner always
 * does (accepted, nothing to change); `refused` is ignored with a warning naming it; `unsafe` is a problem: the
 * component does not start.
 */
export type FlagHandling = 'honoured' | 'implied' | 'refused' | 'unsafe';

export interface RunnerFlag {
  /** The flag as edge-impulse-linux-runner spells it. */
  name: string;
  /** The value it takes, as its help writes it; absent: it takes none. */
  value?: string;
  handling: FlagHandling;
  /** What it does here, or why not and what to use instead (README and warnings). */
  here: string;
  /** Honoured flags: the effective setting it changes, a path in RunnerSettings (--check-config shows it). */
  sets?: string;
  /** Its value must never be shown (logs, warnings, --check-config). */
  secret?: boolean;
  /** Honoured flags: records the value; returns what is wrong with a bad one (naming what is allowed). */
  apply?: (into: FlagRequests, value: string) => string | undefined;
}

/**
 * Every flag of edge-impulse-linux-runner 1.25.2 (`cli/linux/runner.ts`) and what this runner does with it: the
 * single source of the parser, `--check-config` and the README table. Flags override the configuration key of
 * the same concept, as they did when the original component appended `eiparams` to its command line.
 */
export const RUNNER_FLAGS: readonly RunnerFlag[] = [
  {
    name: '--model-file',
    value: '<file>',
    handling: 'honoured',
    sets: 'model.file',
    here: 'Runs this `.eim` instead of downloading one; overrides `ei_local_model_file`. An absolute path (a model socket is not accepted).',
    apply: (into, value) =>
      isAbsolute(value) ? void (into.modelFile = value) : 'must be an absolute path to a .eim file',
  },
  {
    name: '--api-key',
    value: '<key>',
    handling: 'unsafe',
    secret: true,
    here: 'Refused, the component does not start: a key in the arguments shows in the process list and the deployment. Put it in the Secrets Manager secret `ei_sm_secret_id` (key `ei_sm_secret_name`).',
  },
  {
    name: '--download',
    value: '<file>',
    handling: 'refused',
    here: 'Ignored: the component runs the model rather than exiting after a download; downloaded models are kept in its work directory (`models/`).',
  },
  {
    name: '--clean',
    handling: 'implied',
    here: 'Nothing to clear: no credentials or camera choice are stored (the key comes from `ei_sm_secret_id`, the camera from `camera`).',
  },
  { name: '--silent', handling: 'implied', here: 'Always: the component never prompts.' },
  {
    name: '--dev',
    handling: 'refused',
    here: 'Ignored: it picks a development server interactively; the component always uses Edge Impulse Studio.',
  },
  {
    name: '--impulse-id',
    value: '<id>',
    handling: 'honoured',
    sets: 'model.impulseId',
    here: 'Downloads (or builds) the model of this impulse of the project.',
    apply: (into, value) => {
      const id = Number(value);
      if (!/^\d+$/.test(value) || id < 1) return 'must be an impulse id, an integer >= 1';
      into.impulseId = id;
    },
  },
  {
    name: '--list-targets',
    handling: 'refused',
    here: 'Ignored: it prints the targets and exits. The component picks this device’s target; force one with `--force-target`.',
  },
  {
    name: '--force-target',
    value: '<target>',
    handling: 'honoured',
    sets: 'model.target',
    here: 'Downloads (or builds) this deployment target instead of the detected one, e.g. `runner-linux-aarch64`.',
    apply: (into, value) => word(value, 'a deployment target such as runner-linux-aarch64', (v) => (into.target = v)),
  },
  {
    name: '--force-engine',
    value: '<engine>',
    handling: 'honoured',
    sets: 'model.engine',
    here: 'Downloads (or builds) the model for this inference engine, e.g. `tflite`.',
    apply: (into, value) => word(value, 'an inference engine such as tflite', (v) => (into.engine = v)),
  },
  {
    name: '--force-variant',
    value: `<${MODEL_VARIANTS.join('|')}>`,
    handling: 'honoured',
    sets: 'model.variant',
    here: 'Downloads (or builds) this model variant. Not with `--quantized`.',
    apply: (into, value) => choice(MODEL_VARIANTS, value, (v) => (into.variant = v)),
  },
  {
    name: '--quantized',
    handling: 'honoured',
    sets: 'model.variant',
    here: 'Downloads (or builds) the int8 variant, as `--force-variant int8`. Not with `--force-variant`.',
    apply: (into) => void (into.quantized = true),
  },
  {
    name: '--camera',
    value: '<name|/dev/videoN>',
    handling: 'honoured',
    sets: 'input.camera',
    here: 'Uses this camera: a device path, or the name the camera reports; overrides `camera`.',
    apply: (into, value) => void (into.camera = value),
  },
  {
    name: '--force-camera-resolution',
    value: '<width,height>',
    handling: 'honoured',
    sets: 'input.cameraResolution',
    here: 'Asks the camera for this resolution (raw or JPEG) instead of its default, e.g. `1280,720`.',
    apply: (into, value) => {
      const match = /^(\d{1,5}),(\d{1,5})$/.exec(value);
      const [width, height] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
      if (width < 1 || height < 1)
        return 'must be two integers >= 1 split by a comma, width then height (e.g. 1280,720)';
      into.cameraResolution = { width, height };
    },
  },
  {
    name: '--gst-launch-args',
    value: '<pipeline>',
    handling: 'honoured',
    sets: 'input.cameraPipeline',
    here: 'Replaces the camera pipeline (it must produce JPEG frames); overrides `gst_args`. Not with `--gst-source`.',
    apply: (into, value) => pipeline(value, (elements) => (into.gstLaunchArgs = elements)),
  },
  {
    name: '--gst-source',
    value: '<elements>',
    handling: 'honoured',
    sets: 'input.cameraSource',
    here: 'Replaces the camera source (`v4l2src`) with these elements, e.g. `tcpserversrc host=0.0.0.0 port=5050 ! jpegdec`; decoding and JPEG encoding follow.',
    apply: (into, value) => pipeline(value, (elements) => (into.gstSource = elements)),
  },
  {
    name: '--camera-color-format',
    value: '<format>',
    handling: 'refused',
    here: 'Ignored: it applies to the libcamera source of a Raspberry Pi 5 only, and this runner reads V4L2 cameras. Give the caps in a `gst_args` pipeline instead.',
  },
  {
    name: '--dont-output-rgb-buffers',
    handling: 'implied',
    here: 'Always: the camera pipeline writes JPEG frames only.',
  },
  {
    name: '--experimental-gst-prefer-jpeg',
    handling: 'refused',
    here: 'Ignored: the camera pipeline takes raw or JPEG, whichever the camera offers. To insist on JPEG caps give a `gst_args` pipeline.',
  },
  {
    name: '--fake-camera',
    value: '<image>',
    handling: 'honoured',
    sets: 'input.fakeCamera',
    here: 'Classifies this JPEG or PNG file over and over instead of reading a camera (an absolute path).',
    apply: (into, value) =>
      isAbsolute(value) && /\.(jpe?g|png)$/i.test(value)
        ? void (into.fakeCamera = value)
        : 'must be an absolute path to a .jpg, .jpeg or .png file',
  },
  {
    name: '--microphone',
    value: '<device>',
    handling: 'honoured',
    sets: 'input.microphoneSource',
    here: 'Records from this ALSA device (e.g. `hw:1,0`, as `arecord -l` lists the cards) with `alsasrc` (Debian package gstreamer1.0-alsa) instead of the default one; overrides `gst_args` for audio models.',
    apply: (into, value) => word(value, 'an ALSA device such as hw:1,0', (v) => (into.microphone = v)),
  },
  {
    name: '--enable-camera',
    handling: 'refused',
    here: 'Ignored: an audio model’s input opens no camera. If a webcam’s microphone only works while its camera streams, keep the camera streaming in another component.',
  },
  {
    name: '--force-resize-mode',
    value: `<${RESIZE_MODES.join('|')}>`,
    handling: 'honoured',
    sets: 'resizeMode',
    here: 'Fits frames to the model input this way instead of the impulse’s own resize mode (also in `get_model_info`).',
    apply: (into, value) => choice(RESIZE_MODES, value, (v) => (into.resizeMode = v)),
  },
  {
    name: '--thresholds',
    value: '<blockId>.<key>=<value>,...',
    handling: 'honoured',
    sets: 'modelThresholds',
    here: 'Sets these learn block thresholds in the model at every start (e.g. `5.min_score=0.8`); a block or key the model lacks stops the start, naming what it has.',
    apply: (into, value) => {
      const thresholds: ModelThreshold[] = [];
      for (const item of value.split(',')) {
        const match = /^(\d+)\.([\w-]+)=(.+)$/.exec(item.trim());
        const number = match ? thresholdValue(match[3]) : undefined;
        if (!match || number === undefined)
          return `"${item}" is not <blockId>.<key>=<value> (e.g. 5.min_score=0.8; a number, true or false)`;
        thresholds.push({ blockId: Number(match[1]), key: match[2], value: number });
      }
      into.thresholds = thresholds;
    },
  },
  {
    name: '--dont-print-predictions',
    handling: 'implied',
    here: 'Always: results are published, never printed.',
  },
  {
    name: '--verbose',
    handling: 'honoured',
    sets: 'verbose',
    here: 'Logs the model’s and GStreamer’s output at info level instead of debug, and turns on edge-impulse-linux’s own debug output.',
    apply: (into) => void (into.verbose = true),
  },
  {
    name: '--profiling',
    handling: 'refused',
    here: 'Ignored: every result carries its `time_ms` and the model’s timing, and the metrics topic (`metrics_sleeptime_ms`) summarises them.',
  },
  {
    name: '--enable-gpu',
    handling: 'refused',
    here: 'Ignored: it is for VLM models (a llama server the original downloads at run time), which this runner does not run.',
  },
  {
    name: '--monitor',
    handling: 'refused',
    here: 'Ignored: model monitoring needs Studio remote management (a WebSocket to Studio holding the API key). Use the metrics topic (`metrics_sleeptime_ms`) and the file or S3 caches.',
  },
  {
    name: '--monitor-max-storage-size',
    value: '<MB>',
    handling: 'refused',
    here: 'Ignored, with `--monitor`. The caches are bounded by `cache_file_max_mb` and `cache_s3_spool_max_mb`.',
  },
  {
    name: '--monitor-summary-interval-ms',
    value: '<ms>',
    handling: 'refused',
    here: 'Ignored, with `--monitor`. The metrics interval is `metrics_sleeptime_ms`.',
  },
  {
    name: '--preview-port',
    value: '<port>',
    handling: 'honoured',
    sets: 'preview.port',
    here: 'Port of the preview page; overrides `preview_port` (the `PORT` variable is not read).',
    apply: (into, value) => port('preview_port', value, (v) => (into.previewPort = v)),
  },
  {
    name: '--preview-host',
    value: '<host>',
    handling: 'honoured',
    sets: 'preview.host',
    here: 'Address of the preview page; overrides `preview_host` (the `HOST` variable is not read). Beyond loopback every request needs the access token.',
    apply: (into, value) => host(value, (v) => (into.previewHost = v)),
  },
  {
    name: '--preview-original-resolution',
    handling: 'honoured',
    sets: 'preview.originalResolution',
    here: 'The preview shows frames at the camera’s resolution, boxes scaled to it, instead of the model input.',
    apply: (into) => void (into.previewOriginalResolution = true),
  },
  {
    name: '--run-http-server',
    value: '<port>',
    handling: 'honoured',
    sets: 'httpServer.port',
    here: 'Starts the HTTP inference API on this port; overrides `http_server_port`. The input keeps running beside it (the original ran none).',
    apply: (into, value) => port('http_server_port', value, (v) => (into.httpServerPort = v)),
  },
  {
    name: '--mode',
    value: `<${RUN_MODES.join('|')}>`,
    handling: 'honoured',
    sets: 'httpServer.port',
    here: '`http-server` starts the HTTP inference API (port 1337 unless `--run-http-server` or `http_server_port` gives one); `streaming` is the default. `streaming` is not allowed with `--run-http-server`.',
    apply: (into, value) => choice(RUN_MODES, value, (v) => (into.mode = v)),
  },
  {
    name: '--shm-behavior',
    value: `<${SHM_BEHAVIORS.join('|')}>`,
    handling: 'honoured',
    sets: 'model.shm',
    here: 'Whether features reach the model through shared memory: `auto` when the model offers it, `always` (a model without it does not start), `never`.',
    apply: (into, value) => choice(SHM_BEHAVIORS, value, (v) => (into.shm = v)),
  },
  {
    name: '--greengrass',
    handling: 'implied',
    here: 'Always: the component is the Greengrass integration.',
  },
];

export function findRunnerFlag(name: string): RunnerFlag | undefined {
  return RUNNER_FLAGS.find((flag) => flag.name === name);
}

function choice<T extends string>(allowed: readonly T[], value: string, set: (v: T) => void): string | undefined {
  const found = allowed.find((a) => a === value);
  if (found === undefined) return `allowed: ${allowed.join(', ')}`;
  set(found);
}

/** One word: no spaces, not empty. */
function word(value: string, allowed: string, set: (v: string) => void): string | undefined {
  if (!/^\S+$/.test(value)) return `must be ${allowed}`;
  set(value);
}

function pipeline(value: string, set: (elements: string[]) => void): string | undefined {
  const elements = parseGstArgs(value);
  if (!elements) return 'must be GStreamer elements with balanced quotes';
  set(elements);
}

/** A port as `preview_port` and `http_server_port` take it, checked by their own schema. */
function port(key: 'preview_port' | 'http_server_port', value: string, set: (v: number | 'off') => void) {
  const parsed = PARAMETER_SCHEMAS['linux-runner'].shape[key].safeParse(value);
  if (!parsed.success) return parsed.error.issues[0]?.message;
  set(parsed.data);
}

/** An address as `preview_host` takes it, checked by its own schema. */
function host(value: string, set: (v: string) => void): string | undefined {
  const parsed = PARAMETER_SCHEMAS['linux-runner'].shape.preview_host.safeParse(value);
  if (!parsed.success) return parsed.error.issues[0]?.message;
  set(parsed.data);
}

/** edge-impulse-linux reads true/false as 1/0. */
function thresholdValue(text: string): number | undefined {
  if (text === 'true' || text === 'false') return text === 'true' ? 1 : 0;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : undefined;
}
