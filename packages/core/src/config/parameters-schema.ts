import { z } from 'zod';
import { COMPONENTS, type ComponentKind } from '../component-kind';
import { sanitizeDeviceName } from '../identity/device-name';
import { THRESHOLD_CRITERIA } from '../threshold-filter';
import { INFERENCE_MODES } from '../triggers/inference-mode';
import { parseChoice, parseFlag, parseInteger, parseNumber, parseString, parseWordList } from './coercions';
import { setting, type ParseOutcome } from './setting';
import { parseGstArgs } from './gst-args';
import { splitArguments } from './split-arguments';

/**
 * The single source of truth for every component's `Parameters` (SPEC section 2): parsing, defaults, the
 * recipes' DefaultConfiguration and the README's configuration table are all derived from these schemas.
 */

const asOutcome = <T>(value: T | undefined): ParseOutcome<T> =>
  value === undefined ? { ok: false } : { ok: true, value };
const ABSOLUTE_PATH = /^\/[^\0]*$/;
const GROUP_NAME = /^[a-z_][a-z0-9_-]*\$?$/;
/** 1 TiB: the bound of a cache is there to protect the disk; no value means "unbounded". */
const MAX_CACHE_MB = 1_048_576;
const S3_BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `default_threshold`: (0, 1], or a percentage in (1, 100] as the original docs showed (`50.0`). */
export function parseThreshold(raw: unknown): ParseOutcome<number> {
  const n = parseNumber(raw);
  if (!n.ok || n.value <= 0 || n.value > 100) return { ok: false };
  return { ok: true, value: n.value > 1 ? n.value / 100 : n.value };
}

const flag = (defaultValue: boolean, description: string) =>
  setting(parseFlag, { default: defaultValue, allowed: 'yes or no (true/false also accepted)', description });

function commonShape(kind: ComponentKind) {
  const groups = kind === 'serial-runner' ? 'video audio input users dialout' : 'video audio input users';
  return {
    device_name: setting((raw) => asOutcome(typeof raw === 'string' ? sanitizeDeviceName(raw) : undefined), {
      default: 'MyEdgeImpulseDevice',
      allowed: 'a name without "+", "#" or "/" (spaces become "_", quotes are removed)',
      description:
        'Device name template; `_<mac>` of the default-route interface (or the thing name) is appended so every device in a fleet is unique.',
    }),
    iotcore_backoff: setting((raw) => parseInteger(raw), {
      default: 5,
      allowed: 'an integer',
      description:
        'Publish every Nth inference after the threshold filter (the 1st, N+1th, ...); 0 or less publishes every inference.',
    }),
    iotcore_qos: setting((raw) => parseInteger(raw, 0, 1), {
      default: 1,
      allowed: '0 or 1',
      description: 'MQTT QoS of every publish.',
    }),
    sleep_time_sec: setting((raw) => parseInteger(raw, 1, 3600), {
      default: 10,
      allowed: 'an integer from 1 to 3600',
      description:
        'Longest wait between reconnect or restart attempts, in seconds (the original supervision loop interval); attempts start at 0.5 s and double.',
    }),
    lock_filename: setting((raw) => parseString(raw, ABSOLUTE_PATH), {
      default: `/tmp/ei_lockfile_${COMPONENTS[kind].lockSuffix}`,
      allowed: 'an absolute path',
      description: 'Lock file prefix; the lock is `<lock_filename>_<device>`, one component instance per lock.',
    }),
    ei_bindir: setting((raw) => parseString(raw, ABSOLUTE_PATH), {
      default: '/usr/local/bin',
      allowed: 'an absolute path',
      description: 'Where external Edge Impulse binaries are looked for when not bundled.',
    }),
    ei_ggc_user_groups: setting((raw) => parseWordList(raw, GROUP_NAME), {
      default: groups.split(' '),
      allowed: 'POSIX group names separated by spaces',
      description:
        'Groups the install step adds the component user to (`ggc_user` or `ggcore`); add `render` on JetPack 6.',
    }),
    node_version: setting((raw) => parseString(raw), {
      allowed: 'any text (ignored)',
      description: 'Accepted for compatibility and ignored: the artifact bundles its Node.js runtime.',
    }),
  };
}

const secretShape = {
  ei_sm_secret_id: setting((raw) => parseString(raw), {
    default: 'EI_API_KEY',
    allowed: 'a Secrets Manager secret name or ARN',
    description: 'Secrets Manager secret holding the Edge Impulse API key.',
  }),
  ei_sm_secret_name: setting((raw) => parseString(raw), {
    default: 'ei_api_key',
    allowed: 'a JSON key',
    description: 'Key inside that secret when it is JSON; a plain-text secret is used as is.',
  }),
};

function linuxShape(kind: 'linux-service' | 'linux-runner') {
  return {
    ...secretShape,
    vips_version: setting((raw) => parseString(raw), {
      allowed: 'any text (ignored)',
      description: 'Accepted for compatibility and ignored: the artifact bundles libvips.',
    }),
    launch: setting((raw) => parseChoice(raw, ['linux', 'runner'] as const), {
      default: kind === 'linux-service' ? 'linux' : 'runner',
      allowed: 'linux or runner',
      description: 'Service launch type, kept from the original recipes.',
    }),
    gst_args: setting((raw) => asOutcome(parseGstArgs(raw)), {
      allowed: 'a GStreamer pipeline: colon form (":" for spaces), a string, or a JSON array of strings',
      description: 'Custom GStreamer pipeline for the camera; URIs such as `rtsp://host:554/x` are kept intact.',
    }),
    eiparams: setting((raw) => asOutcome(typeof raw === 'string' ? splitArguments(raw) : undefined), {
      default: ['--greengrass'],
      allowed: 'extra command-line arguments (quotes group words; no shell is involved)',
      description:
        'Extra arguments for the Edge Impulse client; for the linux-runner the flags of `edge-impulse-linux-runner`, each honoured or refused by name (see "eiparams flags").',
    }),
    install_kvssink: flag(false, 'Prepare the Kinesis Video Streams GStreamer plugin at install time.'),
    publish_inference_base64_image: flag(false, 'Add the model-input frame as a base64 JPEG in `image`.'),
    enable_cache_to_file: flag(false, 'Write `<id>.json` and `<id>.img` for every published inference.'),
    cache_file_directory: setting((raw) => parseString(raw, ABSOLUTE_PATH), {
      allowed: 'an absolute path',
      description: 'Directory of the file cache (required when enable_cache_to_file is yes).',
    }),
  };
}

const filterAndMetricsShape = {
  enable_threshold_limit: flag(false, 'Threshold filter on or off.'),
  default_threshold: setting(parseThreshold, {
    default: 0.7,
    allowed: 'a number in (0, 1], or a percentage in (1, 100]',
    description: 'Threshold of the confidence filter; a value above 1 is read as a percentage, with a warning.',
  }),
  threshold_criteria: setting((raw) => parseChoice(raw, THRESHOLD_CRITERIA), {
    default: 'ge',
    allowed: `one of ${THRESHOLD_CRITERIA.join(', ')}`,
    description: 'How a confidence is compared with the threshold.',
  }),
  metrics_sleeptime_ms: setting((raw) => parseInteger(raw, 0, 86_400_000), {
    default: 30000,
    allowed: 'an integer from 0 to 86400000',
    description: 'Model metrics publish interval in ms (first one at start); 0 turns metrics off.',
  }),
};

const LOCAL_TOPIC = /^(auto|off|[^+#*\s]{1,256})$/;
/** AWS IoT named shadow names: letters, digits, `:`, `_`, `-`, at most 64. */
const SHADOW_NAME = /^[a-zA-Z0-9:_-]{1,64}$/;

/** Keys both runners share for edge integration: local pub/sub, on-demand inference, the device shadow. */
const edgeShape = {
  local_results_topic: setting((raw) => parseString(raw, LOCAL_TOPIC), {
    default: 'auto',
    allowed: 'auto, off, or a local pub/sub topic without wildcards',
    description:
      'Also publish every result on this Greengrass local pub/sub topic for other components; `auto`: the inference output topic, `off`: do not.',
  }),
  inference_mode: setting((raw) => parseChoice(raw, INFERENCE_MODES), {
    default: 'continuous',
    allowed: INFERENCE_MODES.join(' or '),
    description:
      '`continuous`: classify the input without pause. `triggered`: keep the model and input ready and classify once per request (local request topic or the `infer` command).',
  }),
  inference_request_topic: setting((raw) => parseString(raw, LOCAL_TOPIC), {
    default: 'auto',
    allowed: 'auto, off, or a local pub/sub topic without wildcards',
    description:
      'Greengrass local pub/sub topic of inference requests (`{"id":"..."}`) in triggered mode; `auto`: `/edgeimpulse/device/<device>/inference/request`, `off`: none.',
  }),
  inference_queue_limit: setting((raw) => parseInteger(raw, 1, 1000), {
    default: 8,
    allowed: 'an integer from 1 to 1000',
    description:
      'Requests that may wait while the model is busy; each one beyond is answered with a `QUEUE_FULL` error.',
  }),
  shadow_name: setting((raw) => parseString(raw, SHADOW_NAME), {
    allowed: 'a named shadow name (letters, digits, ":", "_", "-"; at most 64)',
    description:
      "Named shadow of the core device's thing through which operators change filter, backoff and mode live (needs aws.greengrass.ShadowManager); unset: no shadow.",
  }),
};

/** A TCP port to listen on, or `off`. */
function parsePortOrOff(raw: unknown): ParseOutcome<number | 'off'> {
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'off') return { ok: true, value: 'off' };
  return parseInteger(raw, 1, 65_535);
}
/** An IPv4/IPv6 address or a host name to bind to (no scheme, no port). */
const BIND_HOST = /^(?:[0-9.]+|[0-9a-fA-F:]+|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;

const runnerShape = {
  camera: setting((raw) => parseString(raw), {
    allowed: 'a V4L2 device such as /dev/video0, or the camera name it reports (e.g. "HD Pro Webcam C920")',
    description:
      'Camera of the `camera` input; unset: the first V4L2 camera. Ignored when `gst_args` gives a pipeline.',
  }),
  input: setting((raw) => parseString(raw, /^(camera|microphone|(video|images|images-loop):.+)$/), {
    allowed: 'camera, microphone, video:<file>, images:<dir> or images-loop:<dir>',
    description: 'Model input; unset means camera for image models and microphone for audio models.',
  }),
  ei_local_model_file: setting((raw) => parseString(raw, ABSOLUTE_PATH), {
    allowed: 'an absolute path to a .eim file',
    description: "Run this model instead of downloading the project's model from Edge Impulse Studio.",
  }),
  ei_shutdown_behavior: setting(
    (raw) => parseChoice(raw, ['wait_for_restart'] as const, { wait_on_restart: 'wait_for_restart' }),
    {
      allowed: 'wait_for_restart (alias wait_on_restart)',
      description: 'When the input ends, stay up and wait for a `restart` command instead of exiting.',
    },
  ),
  ei_poll_sleeptime_ms: setting((raw) => parseInteger(raw, 0), {
    default: 2500,
    allowed: 'an integer >= 0',
    description: 'Accepted for compatibility; commands are pushed by subscription, never polled.',
  }),
  enable_cache_to_s3: flag(false, 'Upload the same pair to `s3://<s3_bucket>/<model>_v<version>/`.'),
  s3_bucket: setting((raw) => parseString(raw, S3_BUCKET), {
    allowed: 'an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
    description: 'Bucket of the S3 cache (required when enable_cache_to_s3 is yes).',
  }),
  cache_file_max_mb: setting((raw) => parseInteger(raw, 1, MAX_CACHE_MB), {
    default: 100,
    allowed: `an integer from 1 to ${MAX_CACHE_MB} (MiB)`,
    description:
      'Bound of the file cache in MiB (bytes of the `.json` and `.img` files): the oldest pairs are evicted first to stay under it, counted in `get_status` and metrics. 100 MiB keeps thousands of pairs of small frames and leaves room beside the OS, Greengrass and logs on an 8 GB card; keep it below the free space of the disk. If the disk fills first, caching pauses (inference goes on), is reported once on `command/output`, and resumes when space returns.',
  }),
  preview_port: setting(parsePortOrOff, {
    default: 4912,
    allowed: 'a TCP port (1-65535) or off',
    description:
      'Port of the live preview page (camera frame with boxes, results, threshold editing) and its WebSocket; `off` disables it.',
  }),
  preview_host: setting((raw) => parseString(raw, BIND_HOST), {
    default: '127.0.0.1',
    allowed: 'an IP address or host name of this device (0.0.0.0 for every interface)',
    description:
      'Address the preview page listens on. Loopback by default; beyond loopback every request needs the access token (see `get_status`).',
  }),
  http_server_port: setting(parsePortOrOff, {
    default: 'off',
    allowed: 'a TCP port (1-65535) or off',
    description: 'Port of the HTTP inference API (`/api/info`, `/api/features`, `/api/image`), as `--run-http-server`.',
  }),
  http_server_host: setting((raw) => parseString(raw, BIND_HOST), {
    default: '127.0.0.1',
    allowed: 'an IP address or host name of this device (0.0.0.0 for every interface)',
    description: 'Address the HTTP inference API listens on; beyond loopback every request needs the access token.',
  }),
  web_token_secret_key: setting((raw) => parseString(raw), {
    allowed: 'a JSON key of the ei_sm_secret_id secret',
    description:
      'Key inside the `ei_sm_secret_id` secret whose value is the access token of the preview page and HTTP API; unset: a new random token at every start.',
  }),
  cache_s3_spool_max_mb: setting((raw) => parseInteger(raw, 1, MAX_CACHE_MB), {
    default: 64,
    allowed: `an integer from 1 to ${MAX_CACHE_MB} (MiB)`,
    description:
      'Bound in MiB of the spool in the work directory where pairs wait while S3 is unreachable (at most 5000 pairs too): beyond it the oldest pending pairs are dropped, counted in `get_status` and metrics. 64 MiB rides out hours of an outage at a few pairs a minute without crowding a small disk.',
  }),
};

const serialShape = {
  serial_port: setting((raw) => parseString(raw, ABSOLUTE_PATH), {
    allowed: 'a device path such as /dev/ttyACM0',
    description: 'Serial port of the board; unset discovers ttyACM*/ttyUSB* (then /dev/serial/by-id).',
  }),
  baud_rate: setting((raw) => parseInteger(raw, 300, 4_000_000), {
    default: 115200,
    allowed: 'an integer from 300 to 4000000',
    description: 'Serial speed (USB CDC boards ignore it).',
  }),
  serial_run_continuous: flag(false, 'Start `AT+RUNIMPULSECONT` (continuous audio) instead of `AT+RUNIMPULSE`.'),
  serial_chunked_writes: flag(
    false,
    'Write commands 5 bytes every 20 ms, as the Edge Impulse CLI does, for firmware that drops faster input.',
  ),
};

/** Cross-key rules: a cache that is switched on needs its location. */
function requireCacheLocations(
  config: {
    enable_cache_to_file?: boolean;
    cache_file_directory?: string;
    enable_cache_to_s3?: boolean;
    s3_bucket?: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (config.enable_cache_to_file && !config.cache_file_directory)
    ctx.addIssue({
      code: 'custom',
      path: ['cache_file_directory'],
      message: 'must be set (an absolute path) when enable_cache_to_file is yes',
    });
  if (config.enable_cache_to_s3 && !config.s3_bucket)
    ctx.addIssue({
      code: 'custom',
      path: ['s3_bucket'],
      message: 'must be set (a bucket name) when enable_cache_to_s3 is yes',
    });
}

const linuxServiceSchema = z.object({ ...commonShape('linux-service'), ...linuxShape('linux-service') });
const linuxRunnerSchema = z.object({
  ...commonShape('linux-runner'),
  ...linuxShape('linux-runner'),
  ...filterAndMetricsShape,
  ...edgeShape,
  ...runnerShape,
});
const serialRunnerSchema = z.object({
  ...commonShape('serial-runner'),
  ...filterAndMetricsShape,
  ...edgeShape,
  ...serialShape,
});

export const PARAMETER_SCHEMAS = {
  'linux-service': linuxServiceSchema.superRefine(requireCacheLocations),
  'linux-runner': linuxRunnerSchema.superRefine(requireCacheLocations),
  'serial-runner': serialRunnerSchema,
} as const;

/** The object shapes, for documentation and recipe generation (the refinements add no keys). */
export const PARAMETER_SHAPES = {
  'linux-service': linuxServiceSchema.shape,
  'linux-runner': linuxRunnerSchema.shape,
  'serial-runner': serialRunnerSchema.shape,
} as const;

export type LinuxServiceConfig = z.output<typeof linuxServiceSchema>;
export type LinuxRunnerConfig = z.output<typeof linuxRunnerSchema>;
export type SerialRunnerConfig = z.output<typeof serialRunnerSchema>;
export interface ComponentConfigs {
  'linux-service': LinuxServiceConfig;
  'linux-runner': LinuxRunnerConfig;
  'serial-runner': SerialRunnerConfig;
}
