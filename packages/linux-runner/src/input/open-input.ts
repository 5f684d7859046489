import { existsSync } from 'node:fs';
import type { LinuxRunnerConfig, Logger } from '@ei-gg/core';
import type { ModelInformation } from 'edge-impulse-linux';
import { LinuxRunnerError } from '../errors';
import { AudioWindower } from './audio-windower';
import { GstreamerSource } from './gstreamer-source';
import { ImageDirectorySource } from './image-directory-source';
import type { AudioWindow, Frame, InputSource } from './input-source';
import { JpegStreamSplitter } from './jpeg-stream-splitter';
import { resolveCamera } from './resolve-camera';

export type ModelInput =
  { kind: 'image'; source: InputSource<Frame> } | { kind: 'audio'; source: InputSource<AudioWindow> };

/** After a source: decoded and re-encoded as JPEG frames. */
const DECODE_TO_JPEG = ['decodebin', '!', 'videoconvert', '!', 'jpegenc', 'quality=90'];
/** A V4L2 camera (the first one unless `camera` names one), decoded and re-encoded as JPEG frames. */
function cameraPipeline(camera: string | undefined): string[] {
  const source = camera ? ['v4l2src', `device=${resolveCamera(camera)}`] : ['v4l2src'];
  return [...source, '!', ...DECODE_TO_JPEG];
}
/** The system's default capture device (ALSA or PulseAudio). */
const DEFAULT_MICROPHONE = ['autoaudiosrc'];

/**
 * The `input` key against the model's sensor: camera models take `camera` (default), `video:<file>`,
 * `images:<dir>` or `images-loop:<dir>`; audio models take `microphone` (default). `gst_args` replaces the
 * camera pipeline (it must produce JPEG, as with edge-impulse-linux-runner's `--gst-launch-args`) or the
 * microphone source (raw audio; conversion to the model's rate is appended).
 */
export async function openInput(
  config: LinuxRunnerConfig,
  model: ModelInformation,
  logger: Logger,
): Promise<ModelInput> {
  const sensor = model.modelParameters.sensorType;
  const input = config.input ?? (sensor === 'microphone' ? 'microphone' : 'camera');
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
    if (kind === 'camera') return jpegFrames(config.gst_args ?? cameraPipeline(config.camera), 'latest');
  }
  if (sensor === 'microphone' && input === 'microphone') {
    const { frequency, input_features_count: windowSamples, slice_size: sliceSize } = model.modelParameters;
    const elements = [
      ...(config.gst_args ?? DEFAULT_MICROPHONE),
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
      source: await GstreamerSource.start({ elements, description: input, keep: 'latest', decoder, logger: log }),
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
