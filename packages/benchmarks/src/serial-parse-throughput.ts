import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SerialResultParser } from '@ei-gg/serial-runner';
import { FIRMWARE_RESULT_BLOCKS } from '@ei-gg/testbench';
import { nowMs, round } from './statistics';

/** What a 115200-baud 8N1 line carries at most: 11 520 bytes/s. */
const SERIAL_LINE_BYTES_PER_S = 115200 / 10;

/** Serial parser throughput over the real transcripts and every firmware format, in MB/s and line rates. */
export function serialParseThroughput(
  fixturesDir: string,
  megabytes: number,
): { mb_per_s: number; multiple_of_115200_baud: number; results: number } {
  const transcripts = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => readFileSync(join(fixturesDir, f), 'utf8').split('\n').slice(1).join('\r\n'));
  const corpus = Buffer.from(
    [...transcripts, ...FIRMWARE_RESULT_BLOCKS.map((b) => b.text.replace(/\n/g, '\r\n'))].join('\r\n'),
  );
  const parser = new SerialResultParser();
  let results = 0;
  parser.on('result', () => results++);
  const chunk = 64; // USB CDC reads arrive in small pieces
  const target = megabytes * 1e6;
  const start = nowMs();
  let fed = 0;
  while (fed < target) {
    for (let i = 0; i < corpus.length; i += chunk) parser.push(corpus.subarray(i, i + chunk));
    fed += corpus.length;
  }
  parser.flush();
  const seconds = (nowMs() - start) / 1000;
  const bytesPerS = fed / seconds;
  return {
    mb_per_s: round(bytesPerS / 1e6),
    multiple_of_115200_baud: round(bytesPerS / SERIAL_LINE_BYTES_PER_S, 0),
    results,
  };
}
