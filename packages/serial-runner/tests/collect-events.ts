import { SerialResultParser, SerialParserEvents } from '../src';

export type Chunking = 'whole' | 'bytes' | 'random';
export const CHUNKINGS: Chunking[] = ['whole', 'bytes', 'random'];

/** Every event the parser emitted, in order, as `[name, payload]`; `line` events are left out. */
export type Recorded = Array<[string, unknown]>;

const EVENTS: Array<keyof SerialParserEvents> = [
  'result',
  'prompt',
  'error',
  'reboot',
  'stopped',
  'invalidCommand',
  'settings',
  'invalidLine',
];

export function record(parser: SerialResultParser): Recorded {
  const events: Recorded = [];
  for (const name of EVENTS) parser.on(name, (payload: unknown) => events.push([name, payload]));
  return events;
}

/** Seeded so a failing random split can be reproduced. */
export function randomGenerator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

export function splitInput(input: Buffer, chunking: Chunking, seed = 7): Buffer[] {
  if (chunking === 'whole') return [input];
  if (chunking === 'bytes') return [...input].map((b) => Buffer.from([b]));
  const random = randomGenerator(seed);
  const chunks: Buffer[] = [];
  for (let at = 0; at < input.length;) {
    const size = 1 + Math.floor(random() * 17);
    chunks.push(input.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** Feeds `input` split as asked, then (unless told not to) a quiet-gap flush, and returns the events. */
export function parseAll(input: Buffer | string, chunking: Chunking = 'whole', flush = true): Recorded {
  const parser = new SerialResultParser();
  const events = record(parser);
  for (const chunk of splitInput(Buffer.from(input), chunking)) parser.push(chunk);
  if (flush) parser.flush();
  return events;
}

export function results(events: Recorded): unknown[] {
  return events.filter(([name]) => name === 'result').map(([, payload]) => payload);
}

/** Deep equality where numbers may differ by 1e-6. */
export function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || Math.abs(actual - expected) > 1e-6) {
      throw new Error(`${path}: expected ${expected}, got ${JSON.stringify(actual)}`);
    }
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    if (actual !== expected)
      throw new Error(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual) !== Array.isArray(expected)) {
    throw new Error(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  const actualKeys = Object.keys(actual).sort();
  const expectedKeys = Object.keys(expected).sort();
  if (actualKeys.join() !== expectedKeys.join()) {
    throw new Error(`${path}: keys ${JSON.stringify(actualKeys)} instead of ${JSON.stringify(expectedKeys)}`);
  }
  for (const key of expectedKeys) {
    expectClose((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
  }
}
