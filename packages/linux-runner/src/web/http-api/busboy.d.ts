/** The part of busboy 1.x this runner uses (the package ships no types, and @types/busboy is not installed). */
declare module 'busboy' {
  import type { IncomingHttpHeaders } from 'node:http';
  import type { Readable, Writable } from 'node:stream';

  namespace busboy {
    interface Limits {
      fieldSize?: number;
      fields?: number;
      fileSize?: number;
      files?: number;
      parts?: number;
    }

    interface FileInfo {
      filename: string | undefined;
      encoding: string;
      mimeType: string;
    }

    /** A file part; it emits 'limit' and is `truncated` when it went beyond `limits.fileSize`. */
    interface FileStream extends Readable {
      truncated: boolean;
    }

    interface Busboy extends Writable {
      on(event: 'file', listener: (name: string, stream: FileStream, info: FileInfo) => void): this;
      on(event: 'field', listener: (name: string, value: string) => void): this;
      on(event: 'filesLimit' | 'fieldsLimit' | 'partsLimit' | 'close', listener: () => void): this;
      on(event: 'error', listener: (err: Error) => void): this;
      on(event: string | symbol, listener: (...args: unknown[]) => void): this;
    }
  }

  /** Throws when the Content-Type is not multipart/form-data (or urlencoded) or has no boundary. */
  function busboy(config: { headers: IncomingHttpHeaders; limits?: busboy.Limits }): busboy.Busboy;
  export = busboy;
}
