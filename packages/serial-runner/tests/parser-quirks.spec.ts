import { CHUNKINGS, expectClose, parseAll, Recorded } from './collect-events';

const T = { dspMs: 16, classificationMs: 1, anomalyMs: 2 };
const TIMING = 'Predictions (DSP: 16 ms., Classification: 1 ms., Anomaly: 2 ms.): ';
const block = (...lines: string[]): string => [TIMING, ...lines].join('\n') + '\n';
const result = (fields: object): [string, unknown] => ['result', { ...fields, timing: T }];

/** Input with every quirk of SPEC section 5, and exactly the events it must give (line events aside). */
const CASES: Array<[string, string, Recorded]> = [
  [
    'echo remnants before the run output',
    'LSE\nAT+RUNIMPULSE\n' + block('    a: 0.5'),
    [result({ classification: { a: 0.5 } })],
  ],
  [
    'a prompt glued to the next line',
    '> Inferencing settings:\n\tInterval: 1 ms.\nStarting inferencing in 2 seconds...\n',
    [
      ['prompt', undefined],
      ['settings', { entries: { Interval: '1 ms.' }, classes: [] }],
    ],
  ],
  [
    'CRLF line endings',
    block('    a: 0.5', '    b: 0.25').replace(/\n/g, '\r\n'),
    [result({ classification: { a: 0.5, b: 0.25 } })],
  ],
  [
    'CR CR LF line endings',
    block('    a: 0.5', '    b: 0.25').replace(/\n/g, '\r\r\n'),
    [result({ classification: { a: 0.5, b: 0.25 } })],
  ],
  [
    'lone CR line endings',
    block('    a: 0.5', '    b: 0.25').replace(/\n/g, '\r'),
    [result({ classification: { a: 0.5, b: 0.25 } })],
  ],
  [
    'missing newlines between lines',
    TIMING + '#Classification results:\n    a: 0.5Anomaly prediction: 0.25' + TIMING + '\n    b: 1\n',
    [result({ classification: { a: 0.5 }, anomaly: 0.25 }), result({ classification: { b: 1 } })],
  ],
  ['tab-indented lines', block('\ta: 0.5', '\t\tb:\t0.25'), [result({ classification: { a: 0.5, b: 0.25 } })]],
  [
    'foreign RTOS lines inside and between blocks',
    '94% idle\nI (286) main_task: Calling app_main()\n' +
      block('    a: 0.5', '93% idle', 'I (300) wifi: 7', 'W (301) heap: 12', '    b: 0.25'),
    [result({ classification: { a: 0.5, b: 0.25 } })],
  ],
  [
    'ANSI colour codes',
    `\x1b[0;32m${TIMING}\x1b[0m\n\x1b[1m    a: 0.5\x1b[0m\n\x1b]0;title\x07    b: 0.25\n`,
    [result({ classification: { a: 0.5, b: 0.25 } })],
  ],
  [
    'labels with spaces and colons (label is everything before the last ": ")',
    block('    no anomaly: 0.5', '    ratio 1:2: 0.25', '    key: value: 0.125'),
    [result({ classification: { 'no anomaly': 0.5, 'ratio 1:2': 0.25, 'key: value': 0.125 } })],
  ],
  [
    'labels that are JavaScript property names',
    block('    __proto__: 0.5', '    constructor: 0.25'),
    [result({ classification: JSON.parse('{"__proto__":0.5,"constructor":0.25}') })],
  ],
  [
    'number formats',
    block(
      '    a: 0',
      '    b: 0.99609',
      '    c: 0.996094',
      '    d: 18.000000',
      '    e: 1e-05',
      '    anomaly score: -0.067',
    ),
    [result({ classification: { a: 0, b: 0.99609, c: 0.996094, d: 18, e: 0.00001 }, anomaly: -0.067 })],
  ],
  [
    'nan and inf values: the line is left out and reported',
    block(
      '    a: -nan',
      '    b: 0.5',
      '    c: inf',
      '    face (nan) [ x: 1, y: 2, width: 3, height: 4 ]',
      'Anomaly prediction: nan',
    ),
    [
      ['invalidLine', { line: 'a: -nan', reason: '"-nan" is not a finite number' }],
      ['invalidLine', { line: 'c: inf', reason: '"inf" is not a finite number' }],
      [
        'invalidLine',
        { line: 'face (nan) [ x: 1, y: 2, width: 3, height: 4 ]', reason: '"nan" is not a finite number' },
      ],
      ['invalidLine', { line: 'Anomaly prediction: nan', reason: '"nan" is not a finite number' }],
      result({ classification: { b: 0.5 } }),
    ],
  ],
  [
    'a timing line with nan opens no block',
    'Predictions (DSP: nan ms., Classification: 1 ms., Anomaly: 2 ms.):\n    a: 0.5\n',
    [
      [
        'invalidLine',
        {
          line: 'Predictions (DSP: nan ms., Classification: 1 ms., Anomaly: 2 ms.):',
          reason: 'timing value "nan" is not a duration',
        },
      ],
    ],
  ],
  [
    'firmware errors and allocation failures',
    'ERR: Failed to run classifier (-5)\nFailed to allocate TFLite arena (error: 12)\nfailed to allocate 4096 bytes\n',
    [
      [
        'error',
        { kind: 'firmware', message: 'Failed to run classifier (-5)', line: 'ERR: Failed to run classifier (-5)' },
      ],
      [
        'error',
        {
          kind: 'allocation',
          message: 'Failed to allocate TFLite arena (error: 12)',
          line: 'Failed to allocate TFLite arena (error: 12)',
        },
      ],
      [
        'error',
        { kind: 'allocation', message: 'failed to allocate 4096 bytes', line: 'failed to allocate 4096 bytes' },
      ],
    ],
  ],
  [
    'a boot banner after a block completes it (nothing says it was cut short) and is reported once per boot',
    block('    a: 0.5') +
      'ets Jun  8 2016 00:22:57\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\nI (29) boot: ESP-IDF v5.1 2nd stage bootloader\n' +
      'Hello from Edge Impulse Device SDK.\nType AT+HELP to see a list of commands.\n> ' +
      'Edge Impulse standalone inferencing (Arduino)\n',
    [
      result({ classification: { a: 0.5 } }),
      ['reboot', { line: 'ets Jun  8 2016 00:22:57', discardedResult: false }],
      ['prompt', undefined],
      ['reboot', { line: 'Edge Impulse standalone inferencing (Arduino)', discardedResult: false }],
    ],
  ],
  [
    'a boot banner in the middle of a block missing labels the previous results had: the block is dropped',
    block('    a: 0.5', '    b: 0.5') + block('    a: 0.25') + 'ESP-ROM:esp32s3-20210327\n',
    [
      result({ classification: { a: 0.5, b: 0.5 } }),
      ['reboot', { line: 'ESP-ROM:esp32s3-20210327', discardedResult: true }],
    ],
  ],
  [
    'other boot banners',
    '*** Booting Zephyr OS build v3.5.0 ***\n> ESP-ROM:esp32s3-20210327\n> Edge Impulse Inferencing Demo\n',
    [
      ['reboot', { line: '*** Booting Zephyr OS build v3.5.0 ***', discardedResult: false }],
      ['prompt', undefined],
      ['reboot', { line: 'ESP-ROM:esp32s3-20210327', discardedResult: false }],
      ['prompt', undefined],
      ['reboot', { line: 'Edge Impulse Inferencing Demo', discardedResult: false }],
    ],
  ],
  [
    'AT+INFO output is no boot banner',
    '*************************\n* Edge Impulse firmware *\n*************************\nML model name        : demo\n',
    [],
  ],
  [
    'stopped by user, then the prompt',
    block('    a: 0.5') + 'Inferencing stopped by user\r\n> ',
    [result({ classification: { a: 0.5 } }), ['stopped', undefined], ['prompt', undefined]],
  ],
  [
    'the three answers to an invalid command',
    'Not a valid AT command (b)\n> No handler for command! (AT+RUNIMPULSE?)\n> Command not found! (AT+FOO)\n> ',
    [
      ['invalidCommand', { command: 'b', line: 'Not a valid AT command (b)' }],
      ['prompt', undefined],
      ['invalidCommand', { command: 'AT+RUNIMPULSE?', line: 'No handler for command! (AT+RUNIMPULSE?)' }],
      ['prompt', undefined],
      ['invalidCommand', { command: 'AT+FOO', line: 'Command not found! (AT+FOO)' }],
      ['prompt', undefined],
    ],
  ],
  [
    'Key: value answers outside a block are not results',
    '===== Device info =====\nID:         AA:BB\nAT Version: 1.8.0\nSensor:           3\n> ',
    [['prompt', undefined]],
  ],
  [
    'an over-long line is dropped with an error, the next block still parses',
    'x'.repeat(5000) + '\n' + block('    a: 0.5'),
    [['error', { kind: 'line-too-long' }], result({ classification: { a: 0.5 } })],
  ],
];

describe('SerialResultParser: quirks seen in the wild', () => {
  for (const [name, input, expected] of CASES) {
    for (const chunking of CHUNKINGS) {
      it(`${name} (${chunking})`, () => {
        const events = parseAll(input, chunking).map(([event, payload]): [string, unknown] =>
          // The dropped length depends on where chunks were cut; only the kind is fixed.
          event === 'error' && (payload as { kind: string }).kind === 'line-too-long'
            ? [event, { kind: 'line-too-long' }]
            : [event, payload],
        );
        expectClose(events, expected);
      });
    }
  }
});
