import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

/** A zip entry: bytes in memory or a file on disk. */
export interface ZipEntry {
  path: string;
  content: Uint8Array | { file: string };
  executable?: boolean;
}

/**
 * The one timestamp every entry carries. DOS zip times are local wall-clock fields, and yazl fills them with
 * the Date's local getters: a Date built from local fields writes the same bytes in every time zone.
 */
const FIXED_MTIME = new Date(2020, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;
const EXECUTABLE_MODE = 0o100755;

/**
 * Writes a zip whose bytes depend only on the entries: sorted paths, one fixed mtime (DOS field only, no
 * extended-timestamp field), fixed modes, deflate level 9. yazl (one dependency, streams large files) rather
 * than the zip CLI, which is not on every build machine and takes mtimes and modes from the file system.
 */
export async function writeReproducibleZip(outputPath: string, entries: readonly ZipEntry[]): Promise<void> {
  const zip = new ZipFile();
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path) throw new Error(`two zip entries at ${sorted[i].path}`);
  }
  for (const entry of sorted) {
    const options = {
      mtime: FIXED_MTIME,
      mode: entry.executable ? EXECUTABLE_MODE : FILE_MODE,
      compressionLevel: 9,
      forceDosTimestamp: true,
    };
    if (entry.content instanceof Uint8Array) zip.addBuffer(Buffer.from(entry.content), entry.path, options);
    else zip.addFile(entry.content.file, entry.path, options);
  }
  const written = pipeline(zip.outputStream, createWriteStream(outputPath));
  zip.end();
  await written;
}
