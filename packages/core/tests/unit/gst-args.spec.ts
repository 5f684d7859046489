import { parseGstArgs } from '../../src/config/gst-args';
import { splitArguments } from '../../src/config/split-arguments';

describe('parseGstArgs', () => {
  it.each([
    ['v4l2src:device=/dev/video0:!:videoconvert', ['v4l2src', 'device=/dev/video0', '!', 'videoconvert']],
    [
      'rtspsrc:location=rtsp://cam.local:554/live:latency=0:!:decodebin',
      ['rtspsrc', 'location=rtsp://cam.local:554/live', 'latency=0', '!', 'decodebin'],
    ],
    [
      'rtspsrc:location=rtsp://admin:s3cret@10.0.0.5:554/h264:!:decodebin',
      ['rtspsrc', 'location=rtsp://admin:s3cret@10.0.0.5:554/h264', '!', 'decodebin'],
    ],
    ['rtspsrc:location=rtsp://cam:8554:!:fakesink', ['rtspsrc', 'location=rtsp://cam:8554', '!', 'fakesink']],
    [
      'uridecodebin:uri=file:///tmp/a.mp4:!:videoconvert',
      ['uridecodebin', 'uri=file:///tmp/a.mp4', '!', 'videoconvert'],
    ],
    [
      'souphttpsrc:location=http://host/x.mjpg:!:jpegdec',
      ['souphttpsrc', 'location=http://host/x.mjpg', '!', 'jpegdec'],
    ],
    ['videotestsrc::!::fakesink', ['videotestsrc', '!', 'fakesink']],
  ])('colon form %p', (raw, expected) => {
    expect(parseGstArgs(raw)).toEqual(expected);
  });

  it('splits a plain string on spaces, quotes grouping words, URIs intact', () => {
    expect(parseGstArgs('rtspsrc location=rtsp://cam:554/x ! videoconvert ! jpegenc')).toEqual([
      'rtspsrc',
      'location=rtsp://cam:554/x',
      '!',
      'videoconvert',
      '!',
      'jpegenc',
    ]);
    expect(parseGstArgs('filesrc location="/data/my video.mp4" ! decodebin')).toEqual([
      'filesrc',
      'location=/data/my video.mp4',
      '!',
      'decodebin',
    ]);
  });

  it('takes a JSON array, given as an array or as a string', () => {
    expect(parseGstArgs(['videotestsrc', '!', 'fakesink'])).toEqual(['videotestsrc', '!', 'fakesink']);
    expect(parseGstArgs('["videotestsrc","!","fakesink"]')).toEqual(['videotestsrc', '!', 'fakesink']);
  });

  it.each([[[]], [['ok', 3]], ['[broken'], [42], ['"open quote x'], ['::']])('rejects %p', (raw) => {
    expect(parseGstArgs(raw)).toBeUndefined();
  });
});

describe('splitArguments', () => {
  it('splits like a shell for words and quotes, and expands nothing', () => {
    expect(splitArguments(` a  'b c' "d \\"e\\"" $HOME *.txt ''`)).toEqual(['a', 'b c', 'd "e"', '$HOME', '*.txt', '']);
    expect(splitArguments('')).toEqual([]);
  });
  it('reports an unclosed quote', () => {
    expect(splitArguments('a "b')).toBeUndefined();
    expect(splitArguments("a 'b")).toBeUndefined();
  });
});
