import * as fs from 'fs';
import * as path from 'path';

/** Real firmware output copied into the repository (see fixtures/transcripts/README.md for the sources). */
export const FIXTURE_DIR = path.join(__dirname, 'fixtures/transcripts');

export function fixtureNames(): string[] {
  return fs
    .readdirSync(FIXTURE_DIR)
    .filter((name) => name.endsWith('.txt'))
    .sort();
}

/** A transcript's bytes without its first `# Source` line; Python-repr transcripts (`b'...'`) are decoded. */
export function loadFixture(name: string): Buffer {
  const text = fs.readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
  const body = text.slice(text.indexOf('\n') + 1);
  const lines = body.split('\n').filter((line) => line.length > 0);
  if (lines.length > 0 && lines.every((line) => /^b'.*'$/.test(line))) {
    return Buffer.concat(lines.map((line) => decodePythonBytes(line.slice(2, -1))));
  }
  return Buffer.from(body, 'utf8');
}

const ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, '\\': 0x5c, "'": 0x27, '"': 0x22, '0': 0 };

/** The body of a Python bytes literal: `\r`, `\n`, `\t`, `\\`, `\'`, `\xNN`. */
export function decodePythonBytes(body: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      bytes.push(body.charCodeAt(i));
      continue;
    }
    const next = body[++i];
    if (next === 'x') {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}
