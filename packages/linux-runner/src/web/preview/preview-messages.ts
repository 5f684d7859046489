/**
 * The preview WebSocket's messages, as edge-impulse-linux's runner (1.25.2, `startWebServer`) speaks them, so
 * that tools written for its `ws://<device>:4912/` keep working. Server to client: `hello` (the model's
 * information), `classification` per inference, `camera-preview` frames, and an answer per client message.
 */

/** What a client asks for. */
export type PreviewRequest =
  | { type: 'threshold-override'; id: number; key: string; value: number }
  | { type: 'set-camera-preview' | 'toggle-camera-preview'; enabled: boolean };

const REQUEST_TYPES = ['threshold-override', 'set-camera-preview', 'toggle-camera-preview'];

/** A client message that cannot be handled; its message is what the client is told. */
export class PreviewMessageError extends Error {}

/** A client message's JSON object (its `messageId` is echoed in the answer, even when the rest is wrong). */
export function parsePreviewMessage(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new PreviewMessageError(`message is not JSON (${(err as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new PreviewMessageError(`message must be a JSON object with a "type"; got ${JSON.stringify(body)}`);
  return body as Record<string, unknown>;
}

/** What the message asks for, or why it cannot be handled. */
export function previewRequest(fields: Record<string, unknown>): PreviewRequest {
  const { type } = fields;
  if (type === 'threshold-override') {
    const { id, key, value } = fields;
    if (typeof id !== 'number') throw invalid('id', 'a number (the learn block id)', id);
    if (typeof key !== 'string' || key === '') throw invalid('key', 'a non-empty string (e.g. "min_score")', key);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid('value', 'a finite number', value);
    return { type, id, key, value };
  }
  if (type === 'set-camera-preview' || type === 'toggle-camera-preview') {
    if (typeof fields.enabled !== 'boolean') throw invalid('enabled', 'a boolean', fields.enabled);
    return { type, enabled: fields.enabled };
  }
  throw new PreviewMessageError(`Invalid "type" (${String(type)}); expected one of: ${REQUEST_TYPES.join(', ')}`);
}

function invalid(field: string, expected: string, got: unknown): PreviewMessageError {
  return new PreviewMessageError(
    `Invalid value for "${field}", should be ${expected} (type: ${typeof got}, value: ${JSON.stringify(got)})`,
  );
}

/** The answer to one client message, with the message as received (as the original does). */
export function previewAnswer(text: string, messageId: unknown, error?: string): string {
  return JSON.stringify(
    error === undefined
      ? { messageId, type: 'handling-message-success', message: text }
      : { messageId, type: 'handling-message-error', message: text, error },
  );
}

/** A WebSocket message's text: ws 7 (installed) gives text frames as strings, ws 8 as Buffers. */
export function messageText(data: string | Buffer | ArrayBuffer | Buffer[]): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}
