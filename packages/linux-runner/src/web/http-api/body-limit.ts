import type { IncomingMessage } from 'node:http';
import { MIB } from '@ei-gg/core';
import { HttpApiError } from '../../errors';

/** `limit` bytes in words: "1 MiB", "10 MiB", "1.5 MiB". */
export function describeBytes(limit: number): string {
  return `${Math.round((limit / MIB) * 10) / 10} MiB`;
}

/** The 413 of a body beyond `limit`, naming it. */
export function tooLarge(what: string, limit: number, context: Record<string, unknown> = {}): HttpApiError {
  return new HttpApiError('BODY_TOO_LARGE', `${what} is larger than the limit of ${describeBytes(limit)}`, {
    context: { limit, ...context },
  });
}

/**
 * Refuses at once a body whose Content-Length already says it is beyond `limit` plus `slack` (a multipart
 * body's own framing), before reading any of it.
 */
export function checkDeclaredLength(request: IncomingMessage, what: string, limit: number, slack = 0): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit + slack) throw tooLarge(what, limit, { content_length: declared });
}

/**
 * Calls `reject` if the client goes away (or the server's request timeout ends the connection) before the whole
 * body arrived: a request waiting for the rest of its body would otherwise hold its place in the queue for good.
 */
export function rejectIfCutOff(request: IncomingMessage, reject: (err: Error) => void): void {
  request.once('close', () => {
    if (!request.complete)
      reject(new HttpApiError('BAD_REQUEST', 'the connection closed before the whole body arrived'));
  });
}

/**
 * The whole body, up to `limit` bytes: beyond it a BODY_TOO_LARGE error, and the rest is read and dropped, so that
 * the client, still sending, gets the answer on a connection that stays usable (the server's request timeout ends
 * a body that never ends).
 */
export function readBody(request: IncomingMessage, what: string, limit: number): Promise<Buffer> {
  checkDeclaredLength(request, what, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        detach();
        request.resume();
        reject(tooLarge(what, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      detach();
      resolve(Buffer.concat(chunks, length));
    };
    const onError = (err: Error) => {
      detach();
      reject(err);
    };
    const detach = () => {
      request.off('data', onData).off('end', onEnd).off('error', onError);
    };
    request.on('data', onData).on('end', onEnd).on('error', onError);
    rejectIfCutOff(request, reject);
  });
}
