import type { StreamDecoder } from './gstreamer-source';
import type { Frame } from './input-source';

const SOI = Buffer.from([0xff, 0xd8, 0xff]);
const EOI = Buffer.from([0xff, 0xd9]);

/**
 * Splits a byte stream of concatenated JPEG images (GStreamer `jpegenc ! fdsink`) into images. A JPEG ends at
 * its EOI marker: inside the entropy-coded data every 0xFF byte is stuffed with 0x00, so FF D9 cannot occur
 * there (jpegenc writes no embedded thumbnail that could hold one). Bytes before a start marker are skipped.
 */
export class JpegStreamSplitter implements StreamDecoder<Frame> {
  private buffer: Buffer = Buffer.alloc(0);
  private count = 0;
  /** Where the search for the end marker resumes, so each byte is scanned once. */
  private scanFrom = 0;

  /** Feeds a chunk; returns the images it completed, named `frame-<n>`. */
  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const images: Frame[] = [];
    for (;;) {
      const start = this.buffer.indexOf(SOI);
      if (start < 0) {
        // Keep a possible partial start marker at the very end.
        this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - (SOI.length - 1)));
        this.scanFrom = 0;
        return images;
      }
      if (start > 0) {
        this.buffer = this.buffer.subarray(start);
        this.scanFrom = 0;
      }
      const end = this.buffer.indexOf(EOI, Math.max(SOI.length, this.scanFrom));
      if (end < 0) {
        this.scanFrom = Math.max(SOI.length, this.buffer.length - 1);
        return images;
      }
      images.push({ data: Buffer.from(this.buffer.subarray(0, end + EOI.length)), name: `frame-${++this.count}` });
      this.buffer = this.buffer.subarray(end + EOI.length);
      this.scanFrom = 0;
    }
  }
}
