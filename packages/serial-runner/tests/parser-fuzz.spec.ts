import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FIRMWARE_RESULT_BLOCKS } from '@ei-gg/testbench';
import { SerialResultParser } from '../src';
import { expectClose, randomGenerator, record, results, splitInput } from './collect-events';
import { fixtureNames, loadFixture } from './fixture-transcripts';

const TOTAL_BYTES = 10 * 1024 * 1024;
const TERMINATOR = 'Starting inferencing in 2 seconds...\n';

// Heap measured after a full GC, not whenever V8 last collected: what is retained, whatever the timing. `gc` from
// V8 at run time, as model-session-retention.spec.ts and core's releaseNativeClients do (jest runs without
// --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Random byte flips, deletions and insertions, about one per `rate` bytes. */
function mutate(input: Buffer, random: () => number, rate = 40): Buffer {
  const out: number[] = [];
  for (const byte of input) {
    const roll = random() * rate;
    if (roll < 1) out.push(Math.floor(random() * 256));
    else if (roll < 2) continue;
    else if (roll < 3) out.push(byte, Math.floor(random() * 256));
    else out.push(byte);
  }
  return Buffer.from(out);
}

function randomBytes(length: number, random: () => number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

describe('SerialResultParser under garbage', () => {
  const transcripts = [...fixtureNames().map(loadFixture), ...FIRMWARE_RESULT_BLOCKS.map((b) => Buffer.from(b.text))];

  it('survives 10 MB of random bytes and mutated transcripts, and every intact block between them still parses', () => {
    const random = randomGenerator(2026);
    const parser = new SerialResultParser();
    const events = record(parser);
    let fed = 0;
    let intact = 0;
    while (fed < TOTAL_BYTES) {
      const garbage =
        random() < 0.5
          ? randomBytes(Math.floor(random() * 16384), random)
          : mutate(transcripts[Math.floor(random() * transcripts.length)], random);
      for (const chunk of splitInput(garbage, 'random', fed)) parser.push(chunk);
      const block = FIRMWARE_RESULT_BLOCKS[Math.floor(random() * FIRMWARE_RESULT_BLOCKS.length)];
      const before = results(events).length;
      for (const chunk of splitInput(Buffer.from('\n' + block.text + TERMINATOR), 'random', fed)) parser.push(chunk);
      const after = results(events);
      expect(after.length).toBeGreaterThan(before);
      expectClose(after[after.length - 1], block.expected);
      fed += garbage.length + block.text.length;
      intact++;
    }
    parser.flush();
    expect(intact).toBeGreaterThan(500);
  });

  it('keeps memory bounded when 10 MB arrive without a single line end', () => {
    const random = randomGenerator(7);
    const parser = new SerialResultParser();
    const events = record(parser);
    const noLineEnds = randomBytes(64 * 1024, random).map((b) => (b === 0x0a || b === 0x0d ? 0x20 : b));
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let fed = 0; fed < TOTAL_BYTES; fed += noLineEnds.length) parser.push(noLineEnds);
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    // After a full GC only what the parser retains counts: a fraction of the 10 MB fed (it keeps no more than a
    // line, DEFAULT_MAX_LINE_LENGTH), where a buffer that grew with the input would hold all of it.
    expect(heapGrowth).toBeLessThan(2 * 1024 * 1024);
    expect(events.filter(([name]) => name === 'error').length).toBe(1);

    const [block] = FIRMWARE_RESULT_BLOCKS;
    parser.push('\n' + block.text + TERMINATOR);
    expectClose(results(events), [block.expected]);
  });

  it('never throws on mutated transcripts fed byte by byte', () => {
    const random = randomGenerator(99);
    for (let round = 0; round < 200; round++) {
      const parser = new SerialResultParser();
      const input = mutate(transcripts[round % transcripts.length], random, 8);
      expect(() => {
        for (const chunk of splitInput(input, 'bytes')) parser.push(chunk);
        parser.flush();
      }).not.toThrow();
    }
  });
});
