import { LinuxServiceError } from '../errors';
import { gstLaunchArgsValue } from './gst-launch-argument';

export interface SensorsFound {
  /** `/dev/video*` device nodes. */
  videoDevices: string[];
  hasMicrophone: boolean;
}

export interface ClientPlan {
  /** Arguments after the client's entry script. */
  args: string[];
  /** Camera device nodes the client may open (to check no linux-runner holds them). */
  cameraDevices: string[];
}

/** Flags that give the client its camera without a `/dev/video*` node. */
const CAMERA_SOURCES = ['--camera', '--gst-launch-args', '--gst-source', '--fake-camera'];
const FORBIDDEN = ['--api-key'];

/**
 * The client's arguments, as an argv array (no shell): the custom GStreamer pipeline, `--disable-camera` /
 * `--disable-microphone` for sensors this device lacks (the client would otherwise exit on every start), then
 * `eiparams` as configured. `--greengrass` is the component's job here (the key comes from `ei_sm_secret_id`
 * through the nucleus), so it is not passed on; `--api-key` is refused: it would put the key on a command line.
 * Throws when there is neither a camera nor a microphone to collect from.
 */
export function planClient(gstArgs: string[] | undefined, eiparams: string[], sensors: SensorsFound): ClientPlan {
  const forbidden = eiparams.find((arg) => FORBIDDEN.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
  if (forbidden) {
    throw new LinuxServiceError(
      'LINUX_SERVICE_BAD_EIPARAMS',
      'eiparams must not contain --api-key: the key would be visible on the command line; store it in the Secrets Manager secret named by ei_sm_secret_id',
      { context: { flag: '--api-key' } },
    );
  }
  const extra = eiparams.filter((arg) => arg !== '--greengrass');
  const cameraOff = extra.includes('--disable-camera');
  const microphoneOff = extra.includes('--disable-microphone');
  const cameraConfigured =
    gstArgs !== undefined ||
    extra.some((arg) => CAMERA_SOURCES.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
  const hasCamera = cameraConfigured || sensors.videoDevices.length > 0;
  const hasMicrophone =
    sensors.hasMicrophone || extra.some((arg) => arg === '--microphone' || arg.startsWith('--microphone='));
  if ((cameraOff || !hasCamera) && (microphoneOff || !hasMicrophone)) {
    throw new LinuxServiceError(
      'LINUX_SERVICE_NO_SENSORS',
      `nothing to collect data from: ${cameraOff ? 'the camera is disabled (--disable-camera)' : 'no camera (no /dev/video* device, no gst_args)'} and ` +
        `${microphoneOff ? 'the microphone is disabled (--disable-microphone)' : 'no microphone (no sound card)'}; connect one, or set gst_args for a network camera`,
      { context: { videoDevices: sensors.videoDevices, hasMicrophone: sensors.hasMicrophone, eiparams: extra } },
    );
  }
  return {
    args: [
      ...(gstArgs ? ['--gst-launch-args', gstLaunchArgsValue(gstArgs)] : []),
      ...(!cameraOff && !hasCamera ? ['--disable-camera'] : []),
      ...(!microphoneOff && !hasMicrophone ? ['--disable-microphone'] : []),
      ...extra,
    ],
    cameraDevices: cameraOff ? [] : cameraDevices(gstArgs, extra, sensors.videoDevices),
  };
}

/** The device nodes the client's camera would open: named ones (`--camera /dev/…`, `device=/dev/…`), else every one found. */
function cameraDevices(gstArgs: string[] | undefined, eiparams: string[], found: string[]): string[] {
  const named = [
    ...(gstArgs ?? []).flatMap((arg) => /^device=(\/dev\/\S+)$/.exec(arg)?.[1] ?? []),
    ...eiparams.flatMap((arg, i) => {
      const value =
        arg === '--camera' ? eiparams[i + 1] : arg.startsWith('--camera=') ? arg.slice('--camera='.length) : undefined;
      return value?.startsWith('/dev/') ? [value] : [];
    }),
  ];
  return named.length > 0 || gstArgs !== undefined ? named : found;
}
