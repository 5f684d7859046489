import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { HttpApiError } from '../../errors';
import { checkDeclaredLength, rejectIfCutOff, tooLarge } from './body-limit';

/** The `file` part of a multipart/form-data upload, as `curl -F 'file=@image.jpg'` sends it. */
export interface ImageUpload {
  data: Buffer;
  filename: string | undefined;
}

/** Room for the form's framing and a few small fields beside the image. */
const FORM_SLACK = 64 * 1024;
const USAGE = `send the image as multipart/form-data with one field "file" (curl -F 'file=@image.jpg')`;

/**
 * Reads the upload's `file` part, at most `limit` bytes (the whole body at most a little more: a few small
 * fields are tolerated and ignored, as the original's multer did). Parts after a refused one are read and dropped.
 */
export function readImageUpload(request: IncomingMessage, limit: number): Promise<ImageUpload> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType))
    throw new HttpApiError('BAD_REQUEST', `Content-Type ${contentType || '(none)'} refused: ${USAGE}`, {
      context: { content_type: contentType },
    });
  checkDeclaredLength(request, 'the image', limit, FORM_SLACK);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: { files: 1, fileSize: limit, fields: 16, fieldSize: 4096, parts: 17 },
    });
  } catch (err) {
    throw new HttpApiError('BAD_REQUEST', `multipart/form-data without a usable boundary: ${USAGE}`, { cause: err });
  }
  return new Promise((resolve, reject) => {
    let upload: ImageUpload | undefined;
    let failure: HttpApiError | undefined;
    const fields: string[] = [];
    const fail = (error: HttpApiError) => {
      failure ??= error;
    };
    parser.on('file', (name, stream, info) => {
      fields.push(name);
      if (name !== 'file') return void stream.resume();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge('the image', limit, { filename: info.filename })));
      stream.on('end', () => {
        if (!stream.truncated) upload = { data: Buffer.concat(chunks), filename: info.filename };
      });
    });
    parser.on('field', (name) => fields.push(name));
    parser.on('filesLimit', () => fail(new HttpApiError('BAD_REQUEST', `more than one file sent: ${USAGE}`)));
    parser.on('partsLimit', () => fail(new HttpApiError('BAD_REQUEST', `too many form fields: ${USAGE}`)));
    parser.on('fieldsLimit', () => fail(new HttpApiError('BAD_REQUEST', `too many form fields: ${USAGE}`)));
    parser.on('error', (err) => {
      request.unpipe(parser);
      request.resume();
      reject(
        new HttpApiError('BAD_REQUEST', `malformed multipart/form-data (${err.message}): ${USAGE}`, { cause: err }),
      );
    });
    parser.on('close', () => {
      if (failure) return reject(failure);
      if (upload) return resolve(upload);
      reject(
        new HttpApiError(
          'BAD_REQUEST',
          `no "file" field in the form (fields sent: ${fields.length ? fields.join(', ') : 'none'}): ${USAGE}`,
        ),
      );
    });
    rejectIfCutOff(request, reject);
    request.pipe(parser);
  });
}
