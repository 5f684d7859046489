import { CHUNKINGS, expectClose, parseAll, Recorded } from './collect-events';
import { fixtureNames, loadFixture } from './fixture-transcripts';

const NO_TIME = { dspMs: 0, classificationMs: 0, anomalyMs: 0 };

/** Exactly the events each real transcript must give, line events aside. */
const EXPECTED: Record<string, Recorded> = {
  '01-edge-impulse-cli-readme-run-impulse.txt': [
    [
      'settings',
      {
        entries: { Interval: '16.00 ms.', 'Frame size': '375', 'Sample length': '2000 ms.', 'No. of classes': '4' },
        classes: [],
      },
    ],
    [
      'result',
      {
        classification: { idle: 0.91016, snake: 0.08203, updown: 0.00391, wave: 0.00391 },
        anomaly: -0.067,
        timing: { dspMs: 16, classificationMs: 1, anomalyMs: 2 },
      },
    ],
  ],
  '02-expert-projects-occupancy-sensing-silabs-xg24.txt': [
    [
      'settings',
      {
        entries: {
          Interval: '0.062500ms.',
          'Frame size': '16000',
          'Sample length': '1000.000000 ms.',
          'No. of classes': '2',
        },
        classes: [],
      },
    ],
    [
      'result',
      {
        classification: { CrowdedRoom: 0.996094, EmptyRoom: 0.002031 },
        timing: { dspMs: 188, classificationMs: 4, anomalyMs: 0 },
      },
    ],
  ],
  '04-ei-docs-syntiant-rc-commands-go-stop.txt': [
    [
      'settings',
      {
        entries: { Interval: '0.0625 ms.', 'Frame size': '15488', 'Sample length': '968 ms.', 'No. of classes': '3' },
        classes: ['go', 'stop', 'z_openset'],
      },
    ],
    // The prompt glued to `Match:` completes the settings block first.
    ['prompt', undefined],
    ['result', { classification: { go: 1 }, timing: NO_TIME }],
    ['result', { classification: { stop: 1 }, timing: NO_TIME }],
    ['result', { classification: { stop: 1 }, timing: NO_TIME }],
  ],
  '05-arm-sds-examples-b-u585i-motion-recording.txt': [
    [
      'result',
      {
        classification: { idle: 0, snake: 0, updown: 0.996094, wave: 0 },
        anomaly: 0.041957,
        timing: { dspMs: 18, classificationMs: 0, anomalyMs: 0 },
      },
    ],
    [
      'result',
      {
        classification: { idle: 0.101562, snake: 0.898438, updown: 0, wave: 0 },
        anomaly: 0.241648,
        timing: { dspMs: 18, classificationMs: 0, anomalyMs: 0 },
      },
    ],
  ],
  '07-firmware-sdk-tools-runimpulsestatic.txt': [
    [
      'result',
      {
        classification: { helloworld: 0.99219, noise: 0, unknown: 0.00781 },
        timing: { dspMs: 315, classificationMs: 28, anomalyMs: 0 },
      },
    ],
  ],
  '09-issue-thingy91-failed-to-get-info.txt': [],
};

describe('SerialResultParser over the real transcripts', () => {
  it('has an expectation for every transcript in the fixture folder', () => {
    expect(fixtureNames()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of fixtureNames()) {
    for (const chunking of CHUNKINGS) {
      it(`${name} (${chunking})`, () => {
        expectClose(parseAll(loadFixture(name), chunking), EXPECTED[name]);
      });
    }
  }

  it('decodes the Python repr transcript into CRLF bytes', () => {
    expect(loadFixture('07-firmware-sdk-tools-runimpulsestatic.txt').toString()).toContain(
      '  unknown: 0.00781\r\nRESULT 0\r\n',
    );
  });
});
