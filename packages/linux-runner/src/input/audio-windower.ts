import type { AudioWindow } from './input-source';
import type { StreamDecoder } from './gstreamer-source';

/**
 * Cuts a stream of 16-bit little-endian mono samples into overlapping windows, as edge-impulse-linux's
 * AudioClassifier does: the first window once `windowSamples` (the model's input) have arrived, then one
 * every `sliceSamples` new samples.
 */
export class AudioWindower implements StreamDecoder<AudioWindow> {
  private buffer: Buffer = Buffer.alloc(0);
  /** Stream offset (bytes) of buffer[0]. */
  private bufferStart = 0;
  /** Stream offset (bytes) where the next window ends. */
  private nextEnd: number;

  constructor(
    private readonly windowSamples: number,
    private readonly sliceSamples: number,
  ) {
    this.nextEnd = windowSamples * 2;
  }

  push(chunk: Buffer): AudioWindow[] {
    const windowBytes = this.windowSamples * 2;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const windows: AudioWindow[] = [];
    while (this.nextEnd <= this.bufferStart + this.buffer.length) {
      const end = this.nextEnd - this.bufferStart;
      const samples = readSamples(this.buffer.subarray(end - windowBytes, end));
      windows.push({ samples, slice: samples.slice(samples.length - this.sliceSamples) });
      this.nextEnd += this.sliceSamples * 2;
    }
    // Keep only what the next window starts with.
    const drop = Math.min(this.buffer.length, this.nextEnd - windowBytes - this.bufferStart);
    if (drop > 0) {
      this.buffer = this.buffer.subarray(drop);
      this.bufferStart += drop;
    }
    return windows;
  }
}

function readSamples(bytes: Buffer): number[] {
  const samples = new Array<number>(bytes.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}
