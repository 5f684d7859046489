import { FIRMWARE_RESULT_BLOCKS } from '@ei-gg/testbench';
import { CHUNKINGS, expectClose, parseAll, results } from './collect-events';

const NEXT = 'Starting inferencing in 2 seconds...\n';

describe('SerialResultParser: every SPEC section 5 format', () => {
  for (const block of FIRMWARE_RESULT_BLOCKS) {
    for (const chunking of CHUNKINGS) {
      it(`${block.name} (${chunking})`, () => {
        expectClose(results(parseAll(block.text + NEXT, chunking)), [block.expected]);
      });
    }
  }

  it('parses all formats back to back, each completed by the next timing line', () => {
    const input = FIRMWARE_RESULT_BLOCKS.map((b) => b.text).join('');
    for (const chunking of CHUNKINGS) {
      expectClose(
        results(parseAll(input, chunking)),
        FIRMWARE_RESULT_BLOCKS.map((b) => b.expected),
      );
    }
  });

  const [first] = FIRMWARE_RESULT_BLOCKS;
  const completions: Array<[string, string]> = [
    ['the next timing line', 'Timing: DSP 1 ms, inference 0 ms, anomaly 0 ms\n'],
    ['a Starting inferencing line', NEXT],
    ['a Finished inferencing line', "Finished inferencing, raw data is stored in '/fs/x'.\n"],
    ['a prompt', '> '],
    ['Inferencing stopped by user', 'Inferencing stopped by user\n'],
  ];
  for (const [what, text] of completions) {
    it(`completes a result at ${what}, before flush`, () => {
      const events = parseAll(first.text + text, 'whole', false);
      expectClose(results(events), [first.expected]);
    });
  }

  it('completes a result at a quiet-gap flush, including a last line without newline', () => {
    const text = first.text.trimEnd();
    expect(results(parseAll(text, 'whole', false))).toEqual([]);
    expectClose(results(parseAll(text)), [first.expected]);
  });
});
