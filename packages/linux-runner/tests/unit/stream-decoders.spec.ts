import sharp from 'sharp';
import { AudioWindower } from '../../src/input/audio-windower';
import { JpegStreamSplitter } from '../../src/input/jpeg-stream-splitter';

const jpeg = (r: number) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g: 0, b: 0 } } })
    .jpeg()
    .toBuffer();

describe('JpegStreamSplitter', () => {
  it('splits concatenated JPEGs however the stream is chunked, skipping bytes outside images', async () => {
    const images = await Promise.all([jpeg(10), jpeg(120), jpeg(250)]);
    const stream = Buffer.concat([Buffer.from('noise'), images[0], images[1], Buffer.from([0xff]), images[2]]);
    for (const chunkSize of [1, 7, 100, stream.length]) {
      const splitter = new JpegStreamSplitter();
      const frames = [];
      for (let i = 0; i < stream.length; i += chunkSize)
        frames.push(...splitter.push(stream.subarray(i, i + chunkSize)));
      expect(frames.map((f) => f.name)).toEqual(['frame-1', 'frame-2', 'frame-3']);
      expect(frames.map((f) => f.data)).toEqual(images);
    }
  });
});

describe('AudioWindower', () => {
  const samples = (from: number, count: number) => {
    const bytes = Buffer.alloc(count * 2);
    for (let i = 0; i < count; i++) bytes.writeInt16LE(from + i, i * 2);
    return bytes;
  };

  it('emits the first window when full, then one per slice, each ending at its slice', () => {
    const windower = new AudioWindower(8, 2);
    // 13 samples in odd-sized chunks (a sample split across chunks too).
    const stream = samples(0, 13);
    const windows = [stream.subarray(0, 5), stream.subarray(5, 17), stream.subarray(17)].flatMap((c) =>
      windower.push(c),
    );
    expect(windows.map((w) => w.samples)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [2, 3, 4, 5, 6, 7, 8, 9],
      [4, 5, 6, 7, 8, 9, 10, 11],
    ]);
    expect(windows[2].slice).toEqual([10, 11]);
    expect(windower.push(samples(13, 1)).map((w) => w.samples)).toEqual([[6, 7, 8, 9, 10, 11, 12, 13]]);
  });
});
