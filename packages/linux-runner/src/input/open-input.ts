import { existsSync } from 'node:fs';
import type { Logger } from '@ei-gg/core';
import type { ModelInformation } from 'edge-impulse-linux';
import { LinuxRunnerError } from '../errors';
import type { InputSettings } from '../settings/runner-settings';
import { AudioWindower } from './audio-windower';
import { FakeCameraSource } from './fake-camera-source';
import { GstreamerSource } from './gstreamer-source';
import { ImageDirectorySource } from './image-directory-source';
import type { AudioWindow, Frame, InputSource } from './input-source';
import { JpegStreamSplitter } from './jpeg-stream-splitter';
import { resolveCamera } from './resolve-camera';

export type ModelInput =
  { kind: 'image'; source: InputSource<Frame> } | { kind: 'audio'; source: InputSource<AudioWindow> };

/** After a source: decoded and re-encoded as JPEG frames. */
const DECODE_TO_JPEG = ['decodebin', '!', 'videoconvert', '!', 'jpegenc', 'quality=90'];
/**
 * The camera's pipeline: one given whole, else the source (`--gst-source`, else the V4L2 camera the settings
 * name, else the first one), asked for the forced resolution in raw or JPEG, decoded and re-encoded as JPEG.
 */
export function cameraPipeline(input: InputSettings): string[] {
  if (input.cameraPipeline) return input.cameraPipeline;
  const source =
    input.cameraSource ?? (input.camera ? ['v4l2src', `device=${resolveCamera(input.camera)}`] : ['v4l2src']);
  return [...source, '!', ...resolutionCaps(input.cameraResolution), ...DECODE_TO_JPEG];
}

/** Caps that let the camera deliver this size either raw or as JPEG (most USB cameras offer both). */
function resolutionCaps(resolution: InputSettings['cameraResolution']): string[] {
  if (!resolution) return [];
  const size = `width=${resolution.width},height=${resolution.height}`;
  return [`video/x-raw,${size};image/jpeg,${size}`, '!'];
}
/** The system's default capture device (ALSA or PulseAudio). */
const DEFAULT_MICROPHONE = ['autoaudiosrc'];

/**
 * The `input` key against the model's sensor: camera models take `camera` (default), `video:<file>`,
 * `images:<dir>` or `images-loop:<dir>`; audio models take `microphone` (default). The camera is the settings'
 * fake camera or pipeline (see cameraPipeline); a given camera pipeline must produce JPEG, as with
 * edge-impulse-linux-runner's `--gst-launch-args`. The microphone source yields raw audio; conversion to the
 * model's rate is appended. `verbose`: GStreamer's output is logged at info level.
 */
export async function openInput(
  settings: InputSettings,
  model: ModelInformation,
  logger: Logger,
  verbose = false,
): Promise<ModelInput> {
  const sensor = model.modelParameters.sensorType;
  const input = settings.input ?? (sensor === 'microphone' ? 'microphone' : 'camera');
  const log = logger.child({ part: 'input' });
  /** Frames from a pipeline that writes JPEG (`keep`: see GstreamerSource). */
  const jpegFrames = async (elements: string[], keep: 'all' | 'latest'): Promise<ModelInput> => ({
    kind: 'image',
    source: await GstreamerSource.start({
      elements,
      description: input,
      keep,
      decoder: new JpegStreamSplitter(),
      logger: log,
      verbose,
    }),
  });
  if (sensor === 'camera') {
    const [kind, ...rest] = input.split(':');
    const target = rest.join(':');
    if (kind === 'images' || kind === 'images-loop')
      return { kind: 'image', source: new ImageDirectorySource(target, kind === 'images-loop') };
    if (kind === 'video') {
      if (!existsSync(target))
        throw new LinuxRunnerError('INPUT_FAILED', `video file ${target} not found`, { context: { input } });
      return jpegFrames(['filesrc', `location=${target}`, '!', ...DECODE_TO_JPEG], 'all');
    }
    if (kind === 'camera') {
      if (settings.fakeCamera) return { kind: 'image', source: new FakeCameraSource(settings.fakeCamera) };
      return jpegFrames(cameraPipeline(settings), 'latest');
    }
  }
  if (sensor === 'microphone' && input === 'microphone') {
    const { frequency, input_features_count: windowSamples, slice_size: sliceSize } = model.modelParameters;
    const elements = [
      ...(settings.microphoneSource ?? DEFAULT_MICROPHONE),
      '!',
      'audioconvert',
      '!',
      'audioresample',
      '!',
      `audio/x-raw,format=S16LE,channels=1,rate=${frequency}`,
    ];
    // Without a slice size, a window every 250 ms (AudioClassifier's default).
    const slice = sliceSize || Math.round(frequency / 4);
    const decoder = new AudioWindower(windowSamples, slice);
    return {
      kind: 'audio',
      source: await GstreamerSource.start({
        elements,
        description: input,
        keep: 'latest',
        decoder,
        logger: log,
        verbose,
      }),
    };
  }
  throw new LinuxRunnerError(
    'INPUT_UNSUPPORTED',
    `input "${input}" does not fit this model, whose sensor is ${sensor}`,
    {
      context: {
        input,
        sensor,
        supported:
          sensor === 'microphone'
            ? ['microphone']
            : sensor === 'camera'
              ? ['camera', 'video:<file>', 'images:<dir>', 'images-loop:<dir>']
              : [],
      },
    },
  );
}
