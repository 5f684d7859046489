import type { InferenceResult } from '@ei-gg/core';

/**
 * One result block in each output format of SPEC section 5 (every firmware era and result kind), with the
 * normalised result it must give. Texts use `\n`; the emulator writes them with the line ending it is given.
 * Shared by the parser tests, the emulator tests and end-to-end tests.
 */
export interface FirmwareResultBlock {
  name: string;
  text: string;
  expected: InferenceResult;
}

const ms = (dspMs: number, classificationMs: number, anomalyMs: number, postprocessingMs?: number) =>
  postprocessingMs === undefined
    ? { dspMs, classificationMs, anomalyMs }
    : { dspMs, classificationMs, anomalyMs, postprocessingMs };

const lines = (...text: string[]): string => text.join('\n') + '\n';

export const FIRMWARE_RESULT_BLOCKS: FirmwareResultBlock[] = [
  {
    name: 'to 2023: classification with anomaly score',
    text: lines(
      'Predictions (DSP: 16 ms., Classification: 1 ms., Anomaly: 2 ms.): ',
      '    idle: 0.91016',
      '    snake: 0.08203',
      '    anomaly score: -0.067',
    ),
    expected: { classification: { idle: 0.91016, snake: 0.08203 }, anomaly: -0.067, timing: ms(16, 1, 2) },
  },
  {
    name: 'to 2023: classification with a tab before the value',
    text: lines(
      'Predictions (DSP: 5 ms., Classification: 0 ms., Anomaly: 0 ms.):',
      '    yes: \t0.99',
      '    no: \t0.01',
    ),
    expected: { classification: { yes: 0.99, no: 0.01 }, timing: ms(5, 0, 0) },
  },
  {
    name: 'to 2023: object detection',
    text: lines(
      'Predictions (DSP: 8 ms., Classification: 120 ms., Anomaly: 0 ms.):',
      '    face (0.89) [ x: 8, y: 16, width: 8, height: 8 ]',
      '    face (0.500000) [ x: 40, y: 0, width: 16, height: 24 ]',
    ),
    expected: {
      boxes: [
        { label: 'face', value: 0.89, x: 8, y: 16, width: 8, height: 8 },
        { label: 'face', value: 0.5, x: 40, y: 0, width: 16, height: 24 },
      ],
      timing: ms(8, 120, 0),
    },
  },
  {
    name: 'to 2023: object detection, nothing found',
    text: lines('Predictions (DSP: 8 ms., Classification: 120 ms., Anomaly: 0 ms.):', '    No objects found'),
    expected: { boxes: [], timing: ms(8, 120, 0) },
  },
  {
    name: '2024: classification results with anomaly prediction',
    text: lines(
      'Predictions (DSP: 12 ms., Classification: 3 ms., Anomaly: 1 ms.): ',
      '#Classification results:',
      '    idle: 0.000000',
      '    wave: 0.996094',
      'Anomaly prediction: 0.04',
    ),
    expected: { classification: { idle: 0, wave: 0.996094 }, anomaly: 0.04, timing: ms(12, 3, 1) },
  },
  {
    name: '2024: regression results',
    text: lines(
      'Predictions (DSP: 2 ms., Classification: 0 ms., Anomaly: 0 ms.): ',
      '#Regression results:',
      '    temperature: 21.500000',
    ),
    expected: { classification: { value: 21.5 }, timing: ms(2, 0, 0) },
  },
  {
    name: '2024: object detection results',
    text: lines(
      'Predictions (DSP: 10 ms., Classification: 95 ms., Anomaly: 0 ms.): ',
      '#Object detection results:',
      '    bottle (0.976562) [ x: 24, y: 40, width: 8, height: 16 ]',
      '    can (0.710938) [ x: 64, y: 8, width: 16, height: 16 ]',
      '    bottle (0.601562) [ x: 0, y: 88, width: 8, height: 8 ]',
    ),
    expected: {
      boxes: [
        { label: 'bottle', value: 0.976562, x: 24, y: 40, width: 8, height: 16 },
        { label: 'can', value: 0.710938, x: 64, y: 8, width: 16, height: 16 },
        { label: 'bottle', value: 0.601562, x: 0, y: 88, width: 8, height: 8 },
      ],
      timing: ms(10, 95, 0),
    },
  },
  {
    name: '2024: visual anomaly grid with mean and max',
    text: lines(
      'Predictions (DSP: 4 ms., Classification: 60 ms., Anomaly: 7 ms.): ',
      '#Classification results:',
      '    no anomaly: 1.000000',
      '#Visual anomaly grid results:',
      '    anomaly (0.912) [ x: 16, y: 16, width: 8, height: 8 ]',
      '    anomaly (0.700) [ x: 24, y: 16, width: 8, height: 8 ]',
      'Visual anomaly values: Mean 0.100 Max 0.912',
    ),
    expected: {
      classification: { 'no anomaly': 1 },
      grid: [
        { label: 'anomaly', value: 0.912, x: 16, y: 16, width: 8, height: 8 },
        { label: 'anomaly', value: 0.7, x: 24, y: 16, width: 8, height: 8 },
      ],
      visualAnomalyMean: 0.1,
      visualAnomalyMax: 0.912,
      timing: ms(4, 60, 7),
    },
  },
  {
    name: '2025: float DSP timing and "0ms."',
    text: lines(
      'Predictions (DSP: 18.000000 ms., Classification: 0 ms., Anomaly: 0ms.): ',
      '#Classification results:',
      '    updown: 0.996094',
      '    wave: 0.003906',
      'Anomaly prediction: -0.241648',
    ),
    expected: { classification: { updown: 0.996094, wave: 0.003906 }, anomaly: -0.241648, timing: ms(18, 0, 0) },
  },
  {
    name: 'late 2025: Timing line, classification predictions',
    text: lines(
      'Timing: DSP 1 ms, inference 0 ms, anomaly 0 ms',
      'Classification predictions:',
      '  helloworld: 0.99219',
      '  noise: 0.00781',
    ),
    expected: { classification: { helloworld: 0.99219, noise: 0.00781 }, timing: ms(1, 0, 0) },
  },
  {
    name: 'late 2025: timing in microseconds',
    text: lines(
      'Timing: DSP 750 us, inference 120 us, anomaly 3 ms',
      'Classification predictions:',
      '  on: 0.25',
      '  off: 0.75',
    ),
    expected: { classification: { on: 0.25, off: 0.75 }, timing: ms(0.75, 0.12, 3) },
  },
  {
    name: 'late 2025: object detection bounding boxes',
    text: lines(
      'Timing: DSP 3 ms, inference 41 ms, anomaly 0 ms',
      'Object detection bounding boxes:',
      '  person (0.87500) [ x: 8, y: 24, width: 16, height: 40 ]',
      '  dog (0.53125) [ x: 56, y: 48, width: 24, height: 16 ]',
    ),
    expected: {
      boxes: [
        { label: 'person', value: 0.875, x: 8, y: 24, width: 16, height: 40 },
        { label: 'dog', value: 0.53125, x: 56, y: 48, width: 24, height: 16 },
      ],
      timing: ms(3, 41, 0),
    },
  },
  {
    name: 'late 2025: object detection header without boxes',
    text: lines('Timing: DSP 3 ms, inference 41 ms, anomaly 0 ms', 'Object detection bounding boxes:'),
    expected: { boxes: [], timing: ms(3, 41, 0) },
  },
  {
    name: 'late 2025: visual anomalies with mean and max',
    text: lines(
      'Timing: DSP 2 ms, inference 55 ms, anomaly 6 ms',
      'Visual anomalies:',
      '  anomaly (0.81) [ x: 0, y: 8, width: 8, height: 8 ]',
      'Visual anomaly mean: 0.12, max: 0.81',
    ),
    expected: {
      grid: [{ label: 'anomaly', value: 0.81, x: 0, y: 8, width: 8, height: 8 }],
      visualAnomalyMean: 0.12,
      visualAnomalyMax: 0.81,
      timing: ms(2, 55, 6),
    },
  },
  {
    name: '2026: postprocessing timing, #Classification predictions',
    text: lines(
      'Timing: DSP 1 ms, inference 2 ms, anomaly 0 ms, postprocessing 33 us',
      '#Classification predictions:',
      '  go: 0.9',
      '  stop: 0.1',
      'Anomaly prediction: 0.5',
    ),
    expected: { classification: { go: 0.9, stop: 0.1 }, anomaly: 0.5, timing: ms(1, 2, 0, 0.033) },
  },
  {
    name: '2026: #Regression prediction',
    text: lines('Timing: DSP 0 ms, inference 1 ms, anomaly 0 ms', '#Regression prediction: 0.5'),
    expected: { classification: { value: 0.5 }, timing: ms(0, 1, 0) },
  },
  {
    name: '2026: #Object detection bounding boxes',
    text: lines(
      'Timing: DSP 4 ms, inference 30 ms, anomaly 0 ms, postprocessing 2 ms',
      '#Object detection bounding boxes:',
      '  screw (0.66) [ x: 1, y: 2, width: 3, height: 4 ]',
    ),
    expected: { boxes: [{ label: 'screw', value: 0.66, x: 1, y: 2, width: 3, height: 4 }], timing: ms(4, 30, 0, 2) },
  },
  {
    name: '2026: #Object tracking results',
    text: lines(
      'Timing: DSP 4 ms, inference 30 ms, anomaly 0 ms, postprocessing 120 us',
      '#Object tracking results:',
      '  car (ID 3) (0.9) [ x: 10, y: 20, width: 30, height: 40 ]',
      '  person (ID 12) [ x: 5, y: 6, width: 7, height: 8 ]',
    ),
    expected: {
      tracking: [
        { label: 'car', objectId: 3, value: 0.9, x: 10, y: 20, width: 30, height: 40 },
        { label: 'person', objectId: 12, value: 1, x: 5, y: 6, width: 7, height: 8 },
      ],
      timing: ms(4, 30, 0, 0.12),
    },
  },
  {
    name: '2026: #Visual anomalies',
    text: lines(
      'Timing: DSP 2 ms, inference 50 ms, anomaly 5 ms',
      '#Visual anomalies:',
      '  anomaly (0.95) [ x: 32, y: 32, width: 16, height: 16 ]',
      'Visual anomaly mean: 0.2, max: 0.95',
    ),
    expected: {
      grid: [{ label: 'anomaly', value: 0.95, x: 32, y: 32, width: 16, height: 16 }],
      visualAnomalyMean: 0.2,
      visualAnomalyMax: 0.95,
      timing: ms(2, 50, 5),
    },
  },
  {
    name: '2026: #Freeform output',
    text: lines(
      'Timing: DSP 0 ms, inference 9 ms, anomaly 0 ms',
      '#Freeform output index=0',
      '  0.1 0.2 0.3 ',
      '#Freeform output index=1',
      '  -1 2.5',
    ),
    expected: {
      freeform: [
        [0.1, 0.2, 0.3],
        [-1, 2.5],
      ],
      timing: ms(0, 9, 0),
    },
  },
  {
    name: 'Syntiant NDP: Match line',
    text: lines('Match: NN0:go'),
    expected: { classification: { go: 1 }, timing: ms(0, 0, 0) },
  },
];
