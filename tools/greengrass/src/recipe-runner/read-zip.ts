import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as yauzl from 'yauzl';

export interface ZipFileEntry {
  /** The entry's path inside the zip ('/'-separated; directories end in '/'). */
  path: string;
  open(): Promise<Readable>;
}

/** The entries of a zip, one at a time (yauzl: validates names and sizes, never loads the whole file). */
export async function* readZipEntries(zipPath: string): AsyncGenerator<ZipFileEntry> {
  const zip = await promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open)(zipPath, { lazyEntries: true });
  const openEntry = promisify(zip.openReadStream.bind(zip));
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const settle = (value: yauzl.Entry | undefined, error?: Error) => {
          zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
          if (error) reject(error);
          else resolve(value);
        };
        zip
          .once('entry', (e: yauzl.Entry) => settle(e))
          .once('end', () => settle(undefined))
          .once('error', (e: Error) => settle(undefined, e));
        zip.readEntry();
      });
      if (entry === undefined) return;
      yield { path: entry.fileName, open: () => openEntry(entry) };
    }
  } finally {
    zip.close();
  }
}
